"""Resource limits: per-file timeout, file sizes and layer count, all set by env variables."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from kerasfix.file_check import check_file
from kerasfix.limits import FileTimeout, env_int, time_limit
from kerasfix.runner import lint_paths
from tests.hardening.conftest import SETTINGS

SLOW_SOURCE = "import keras\nfrom keras import layers\nx = keras.Input((8, 8, 3))\n" + "".join(
    f"x = keras.Sequential([layers.Flatten(), layers.Dense({i + 1})])(x)\n" for i in range(12000)
)


# The alarm re-arms every 0.1 s until the block ends (kerasfix/limits.py); one can land in a gc
# callback hypothesis registers in this process, where Python reports it as "unraisable".
# The CLI has no such callback; the outcome below is what matters.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_timeout_is_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "slow.py"
    path.write_text(SLOW_SOURCE)
    monkeypatch.setenv("KERASFIX_TIMEOUT", "1")
    start = time.monotonic()
    outcome = check_file(path, "source", SETTINGS)
    # The message proves the alarm stopped the analysis; the bound only catches a hang (loose:
    # 5.4 s were seen on a machine at load average 9).
    assert time.monotonic() - start < 30
    assert outcome.error is not None
    assert "timed out after 1 s" in str(outcome.error) and "KERASFIX_TIMEOUT" in str(outcome.error)


def test_timeout_spares_the_other_files(tmp_path: Path) -> None:
    (tmp_path / "a_slow.py").write_text(SLOW_SOURCE)
    (tmp_path / "b_fine.py").write_text(
        "from keras import layers, Sequential, Input\n"
        "m = Sequential([Input((32, 32, 3)), layers.Conv2D(8, 3), layers.Flatten(),"
        " layers.Dense(10)])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", "--isolated", str(tmp_path)],
        env={**os.environ, "KERASFIX_TIMEOUT": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "b_fine.py" in proc.stdout  # still linted, finding reported
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 1 and "a_slow.py" in errors[0] and "timed out" in errors[0]
    assert "Traceback" not in proc.stderr


def test_timeout_zero_disables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASFIX_TIMEOUT", "0")
    with time_limit():
        time.sleep(0.01)


def test_timeout_is_not_swallowed_by_except_exception() -> None:
    with pytest.raises(FileTimeout), time_limit(0.05):
        try:
            time.sleep(1)
        except Exception:  # what a reader's fallback does
            pytest.fail("FileTimeout was caught as an Exception")


def test_inner_limit_leaves_an_outer_timer_alone() -> None:
    with pytest.raises(FileTimeout), time_limit(0.3):
        with time_limit(10):  # a timer is armed: runs unlimited, does not cancel the outer
            pass
        time.sleep(2)


def test_no_timer_outside_the_main_thread() -> None:
    done: list[bool] = []

    def worker() -> None:
        with time_limit(0.01):
            time.sleep(0.05)
        done.append(True)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert done == [True]


def test_env_int_keeps_default_on_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("", "abc", "-5", "0", "1e9", " "):
        monkeypatch.setenv("KERASFIX_X", value)
        assert env_int("KERASFIX_X", 7) == 7
    monkeypatch.setenv("KERASFIX_X", "12")
    assert env_int("KERASFIX_X", 7) == 12


def model_config(n_dense: int) -> dict[str, object]:
    layers: list[dict[str, object]] = [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [None, 4]}}
    ]
    layers += [
        {"class_name": "Dense", "config": {"name": f"d{i}", "units": 4}} for i in range(n_dense)
    ]
    return {"class_name": "Sequential", "config": {"name": "s", "layers": layers}}


@pytest.mark.parametrize(
    ("variable", "value", "kind", "expected"),
    [
        ("KERASFIX_MAX_SOURCE_BYTES", "100", "source", "KERASFIX_MAX_SOURCE_BYTES"),
        ("KERASFIX_MAX_NOTEBOOK_BYTES", "100", "notebook", "larger than"),
        ("KERASFIX_MAX_CONFIG_BYTES", "100", "model", "byte limit"),
        ("KERASFIX_MAX_LAYERS", "5", "model", "KERASFIX_MAX_LAYERS"),
    ],
)
def test_size_limits_are_configurable(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    kind: str,
    expected: str,
) -> None:
    if kind == "source":
        path = tmp_path / "big.py"
        path.write_text("from keras.layers import Flatten\n" + "x = 1\n" * 50)
    elif kind == "notebook":
        path = tmp_path / "big.ipynb"
        path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "x=1\n" * 50}]}))
    else:
        path = tmp_path / "big.keras"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("config.json", json.dumps(model_config(20)))
    assert check_file(path, kind, SETTINGS).error is None  # fine under the defaults
    monkeypatch.setenv(variable, value)
    result = lint_paths([path], SETTINGS)
    assert len(result.errors) == 1 and expected in result.errors[0].message, result.errors


def test_timeout_inside_ast_parse_is_still_a_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGALRM during `ast.parse` can come out as SystemError: it must still read as a timeout."""
    import ast

    def parse(*args: object, **kwargs: object) -> object:
        with contextlib.suppress(FileTimeout):  # C code loses the timeout ...
            time.sleep(1.5)
        raise SystemError("AST constructor recursion depth mismatch")  # ... and fails so

    path = tmp_path / "slow.py"
    path.write_text("from keras.layers import Flatten\nx = Flatten()\n")
    monkeypatch.setenv("KERASFIX_TIMEOUT", "1")
    monkeypatch.setattr(ast, "parse", parse)
    outcome = check_file(path, "source", SETTINGS)
    assert outcome.error is not None and "timed out" in str(outcome.error), outcome.error


def test_swallowed_timeout_fires_again() -> None:
    start = time.monotonic()
    with pytest.raises(FileTimeout), time_limit(0.2):
        for _ in range(10):
            with contextlib.suppress(FileTimeout):
                time.sleep(0.1)
        with contextlib.suppress(Exception):  # a reader's fallback cannot catch it
            time.sleep(1)
    assert time.monotonic() - start < 10


# Issue 23 point 16: a generated file of many tiny models. Its parse alone grows the process
# by about 200 bytes per character (a 9 MiB file: 1.9 GB), in one C call the timeout cannot
# stop; the memory bound stops it. Peak RSS is the child's own.
GENERATED = "import keras\nfrom keras import layers\n" + "".join(
    f"m{i} = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(2, 3), layers.Flatten(),"
    " layers.Dense(4)])\n"
    for i in range(3000)
)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
PEAK = """
import sys
from kerasfix.cli import main
code = main(["lint", "--isolated", "--no-cache", *sys.argv[1:]])
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print("PEAK", code, peak * 1024)
"""


def _peak_of_lint(path: Path, memory_mib: str) -> tuple[int, int, str]:
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, str(path)],
        env={**os.environ, "KERASFIX_MAX_MEMORY": memory_mib},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    _, code, peak = proc.stdout.splitlines()[-1].split()
    return int(code), int(peak), proc.stderr


@pytest.mark.slow  # lints a huge generated file three times in fresh processes
@pytest.mark.skipif(sys.platform != "linux", reason="the memory bound is Linux's RLIMIT_AS")
def test_memory_bound_stops_a_huge_generated_file(tmp_path: Path) -> None:
    small, big = tmp_path / "small.py", tmp_path / "generated.py"
    small.write_text("import keras\n")
    big.write_text(GENERATED)
    small_code, baseline, _ = _peak_of_lint(small, "16")
    assert small_code == 0  # what any file needs (kerasfix's own imports) fits in the bound
    code, peak, err = _peak_of_lint(big, "16")
    assert code == 2
    assert err.splitlines() == [
        f"error: {big.as_posix()}: analysis stopped: over the 16 MiB memory limit (raise "
        "KERASFIX_MAX_MEMORY)"
    ]
    assert peak - baseline < 16 * 1024 * 1024, (baseline, peak)
    inspect = subprocess.run(
        [sys.executable, "-m", "kerasfix", "inspect", str(big)],
        env={**os.environ, "KERASFIX_MAX_MEMORY": "16"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert inspect.returncode == 2 and inspect.stderr == err  # the same bound, the same line
    unbounded_code, unbounded, _ = _peak_of_lint(big, "0")  # 0: no memory limit
    assert unbounded_code == 1  # without the bound, the same file is linted (findings: 1)
    assert unbounded - baseline > 2 * 16 * 1024 * 1024, (baseline, unbounded)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is set on Linux only")
def test_memory_bound_only_in_a_process_of_one_thread() -> None:
    """RLIMIT_AS is the process's: with another thread running (a Jupyter kernel, TensorFlow's
    pools) the bound would fail that thread's allocations too, so none is set."""
    script = (
        "import resource, threading\n"
        "from kerasfix.limits import MemoryBound, memory_limit\n"
        "def inside():\n"
        "    bound = MemoryBound()\n"
        "    with memory_limit(64 << 20, bound):\n"
        "        limited = resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY\n"
        "    return bound.budget, limited\n"
        "alone = inside()\n"
        "stop = threading.Event()\n"
        "threading.Thread(target=stop.wait).start()\n"
        "print(*alone, *inside())\n"
        "stop.set()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.split() == [str(64 << 20), "True", "0", "False"], proc.stdout
