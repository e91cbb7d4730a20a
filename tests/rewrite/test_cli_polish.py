"""`kerasfix rewrite` rough edges (issue 11, point 7): a wrong output suffix is refused up
front, nothing to rewrite still writes the output, TensorFlow's start-up noise stays hidden."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kerasfix.cli import main
from kerasfix.model_rewrite.quiet import is_noise, quiet_tensorflow
from tests.read_only import read_only
from tests.saved_model.handmade import keras3_cnn, write_keras

REPO = Path(__file__).resolve().parents[2]
NOISE_LINES = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
    "I0000 00:00:1795986879.084472   26207 port.cc:153] oneDNN custom operations are on. You "
    "may see slightly different numerical results.\n",
    "I0000 00:00:1795986879.468361   26207 cpu_feature_guard.cc:227] This TensorFlow binary "
    "is optimized to use available CPU instructions in performance-critical operations.\n",
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow "
    "with the appropriate compiler flags.\n",
]
REAL_LINES = [
    "E0000 00:00:1795986879.1 26207 op_kernel.cc:1830] OP_REQUIRES failed: out of memory\n",
    "Traceback (most recent call last):\n",
    "ValueError: a real problem\n",
]


@pytest.mark.parametrize("suffix", [".txt", ".pb", ""])
def test_a_wrong_output_suffix_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    model = write_keras(tmp_path / "m.keras", keras3_cnn())  # handmade: no TensorFlow needed
    before = sorted(os.listdir(tmp_path))
    assert main(["rewrite", str(model), "-o", str(tmp_path / f"out{suffix}")]) == 2
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    assert line.startswith("error: ") and "must end in .keras, .h5 or .hdf5" in line
    assert out == "" and sorted(os.listdir(tmp_path)) == before


@pytest.mark.keras
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_nothing_to_rewrite_writes_a_byte_identical_copy(
    small_models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    src = small_models / f"clean{suffix}"
    out = tmp_path / f"deploy{suffix}"
    assert main(["rewrite", str(src), "-o", str(out)]) == 0
    assert out.read_bytes() == src.read_bytes()
    report = capsys.readouterr().out
    assert f"note: nothing to rewrite: {out} is a byte-identical copy of the input" in report
    assert re.search(r"^  parameters: [\d,]+ \(unchanged\)$", report, re.M), report
    assert "(-0" not in report and "-0.0%" not in report
    assert sorted(os.listdir(tmp_path)) == [out.name]
    # The usual rules still hold for the copy: no overwrite without --force.
    assert main(["rewrite", str(src), "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err


@pytest.mark.keras
def test_nothing_to_rewrite_cannot_change_the_format(
    small_models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "deploy.h5"
    assert main(["rewrite", str(small_models / "clean.keras"), "-o", str(out)]) == 2
    assert "give a .keras output" in capsys.readouterr().err
    assert not out.exists()


def test_the_filter_drops_native_info_lines_and_keeps_errors() -> None:
    assert all(is_noise(line) for line in NOISE_LINES)
    assert not any(is_noise(line) for line in REAL_LINES)


def test_quiet_block_replays_everything_but_the_noise(capfd: pytest.CaptureFixture[str]) -> None:
    with quiet_tensorflow():
        for line in NOISE_LINES + REAL_LINES:
            os.write(2, line.encode())  # as TensorFlow's C++ logging writes: straight to fd 2
    assert capfd.readouterr().err == "".join(REAL_LINES)


@pytest.mark.keras
def test_verification_in_process_prints_no_tensorflow_noise(
    small_models: Path, tmp_path: Path
) -> None:
    """`--verify-data` loads Keras in the rewriting process: its stderr must stay clean."""
    data = tmp_path / "x.npy"
    np.save(data, np.random.default_rng(0).random((6, 28, 28, 1), dtype=np.float32))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env["PYTHONPATH"] = str(REPO)
    out = tmp_path / "o.keras"
    cmd = [sys.executable, "-m", "kerasfix", "rewrite", str(small_models / "seq_cnn.keras")]
    proc = subprocess.run(
        [*cmd, "-o", str(out), "--verify-data", str(data)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "verification passed" in proc.stdout and "outputs on 6 samples" in proc.stdout


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may create files in (as root, a read-only bind mount)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    with read_only(folder):
        yield folder


@pytest.mark.keras
def test_an_output_that_cannot_be_written_is_one_line_naming_it(
    small_models: Path, read_only_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 23 point 9: the user's -o path and the cause, never the hidden temporary's name
    nor Python's exception text."""
    model = small_models / "seq_cnn.keras"
    for target in (Path("/proc/out.keras"), read_only_folder / "out.keras"):
        assert main(["rewrite", str(model), "-o", str(target)]) == 2
        out, err = capsys.readouterr()
        (line,) = err.splitlines()
        assert line.startswith(f"error: {model.as_posix()}: -o {target}: cannot write a file in")
        assert f" in {target.parent} (" in line and line.endswith(")")
        for internal in ("kerasfix-tmp", "Errno", "Error:", "/proc/self"):
            assert internal not in line
        assert out == ""
    assert os.listdir(read_only_folder) == []


def test_data_that_is_no_numpy_file_is_one_line_without_numpy_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = write_keras(tmp_path / "m.keras", keras3_cnn())
    garbage = tmp_path / "garbage.npy"
    garbage.write_bytes(b"\x00\x01 not an array at all" * 10)
    objects = tmp_path / "objects.npy"
    np.save(objects, np.array([1, "a", None], dtype=object), allow_pickle=True)
    truncated = tmp_path / "truncated.npy"
    np.save(truncated, np.zeros((8, 4, 4, 3), "float32"))
    truncated.write_bytes(truncated.read_bytes()[:70])
    cases = {
        garbage: "not a NumPy .npy file (no .npy header)",
        objects: "holds Python objects (refused",
        truncated: "a damaged or truncated .npy file",
    }
    for data, reason in cases.items():
        out = tmp_path / "o.keras"
        assert main(["rewrite", str(model), "-o", str(out), "--data", str(data)]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith(f"error: {model.as_posix()}: --data {data}: {reason}"), line
        assert "pickle" not in line and not out.exists()


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--data", "x.npy"], "--data distils the new Dense with Keras and TensorFlow"),
        (["--data", "x.npy", "--init", "calibrate"], "--init calibrate trains the new Dense"),
        (["--verify-data", "x.npy"], "--verify-data runs both models with Keras"),
    ],
)
def test_a_core_install_says_what_needs_keras_and_how_to_install_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    reason: str,
) -> None:
    """Issue 23 point 10: in a core install (Keras and TensorFlow cannot be imported) the
    error names what the user asked for and the extra that brings Keras (pyproject's)."""
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    keras_extra = " ".join(extras["optional-dependencies"]["keras"])
    assert "keras" in keras_extra and "tensorflow" in keras_extra
    for name in ("keras", "tensorflow"):
        monkeypatch.setitem(sys.modules, name, None)  # `import keras` raises ImportError
    monkeypatch.chdir(tmp_path)
    model = write_keras(tmp_path / "m.keras", keras3_cnn())
    np.save(tmp_path / "x.npy", np.zeros((8, 32, 32, 3), "float32"))
    assert main(["rewrite", str(model), "-o", "o.keras", *args]) == 2
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    assert line.startswith(f"error: {model.as_posix()}: {reason}")
    assert "keras and tensorflow are not installed: in a kerasfix checkout, " in line
    assert "pip install '.[keras]'" in line and "calibrate and --verify-data" not in line
    assert out == "" and not (tmp_path / "o.keras").exists()


def test_rewrite_help_calls_output_required_not_a_default() -> None:
    from click.testing import CliRunner

    from kerasfix.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["rewrite", "--help"]).output.split())
    assert "-o, --output PATH Output file, required unless --dry-run;" in text
    assert "(default)" not in text.split("--pooling")[0]
