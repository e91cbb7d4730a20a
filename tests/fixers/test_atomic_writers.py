"""Both atomic writers, on every path they can take, leave nothing behind (issue 11, point 1).

The model writer has three paths (an unnamed O_TMPFILE inode linked into place; the same
inode copied to a named temporary where /proc links are refused, e.g. EXDEV; a named
temporary from the start where O_TMPFILE is missing). The class switches force each one, so
the test does not depend on what the machine allows. A `kill -9` is tested in a real child
process: whatever it leaves, the reaper removes within seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kerasfix.fixers.textfile import write_atomic
from kerasfix.model_rewrite.atomic import AtomicFile, atomic_output
from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.tempfiles import SUFFIX, remove_stale

REPO = Path(__file__).resolve().parents[2]
PATHS = {
    "unnamed-linked": (True, True),
    "unnamed-copied": (True, False),
    "named": (False, False),
}


@pytest.fixture(params=sorted(PATHS))
def writer_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    unnamed, linked = PATHS[request.param]
    monkeypatch.setattr(AtomicFile, "use_unnamed_inode", unnamed)
    monkeypatch.setattr(AtomicFile, "link_unnamed_inode", linked)
    return str(request.param)


def write_through(target: Path, data: bytes, force: bool = False) -> None:
    with atomic_output(target, force) as out:
        with out.handle() as handle:
            handle.write(data)
        out.commit()


@pytest.mark.parametrize("force", [False, True])
def test_commit_gives_exactly_the_bytes_and_nothing_else(
    tmp_path: Path, writer_path: str, force: bool
) -> None:
    target = tmp_path / "out.keras"
    if force:
        target.write_bytes(b"old")
    data = os.urandom(300_000)
    write_through(target, data, force)
    assert target.read_bytes() == data
    assert sorted(os.listdir(tmp_path)) == ["out.keras"]


def test_a_failure_before_commit_leaves_nothing(tmp_path: Path, writer_path: str) -> None:
    target = tmp_path / "out.keras"
    with pytest.raises(ZeroDivisionError), atomic_output(target, False) as out:
        with out.handle() as handle:
            handle.write(b"partial")
        raise ZeroDivisionError
    assert os.listdir(tmp_path) == []


def test_an_existing_output_is_refused_without_force(tmp_path: Path, writer_path: str) -> None:
    target = tmp_path / "out.keras"
    target.write_bytes(b"keep")
    with pytest.raises(RewriteError, match="exists"):
        write_through(target, b"new")
    assert os.listdir(tmp_path) == ["out.keras"] and target.read_bytes() == b"keep"


CHILD = """
import sys, time
from pathlib import Path
from kerasfix.model_rewrite.atomic import AtomicFile, atomic_output
from kerasfix.fixers.textfile import write_atomic
import kerasfix.fixers.textfile as textfile
mode, target = sys.argv[1], Path(sys.argv[2])
if mode == "fix":
    real = textfile.os.replace
    def stall(src, dst):  # killed between writing the temporary and the rename
        print("ready", flush=True)
        time.sleep(60)
    textfile.os.replace = stall
    write_atomic(target, b"fixed\\n")
else:
    unnamed, linked = {"unnamed-linked": (1, 1), "unnamed-copied": (1, 0), "named": (0, 0)}[mode]
    AtomicFile.use_unnamed_inode, AtomicFile.link_unnamed_inode = bool(unnamed), bool(linked)
    with atomic_output(target, True) as out:
        with out.handle() as handle:
            handle.write(b"x" * 1_000_000)
        if out.named is None:
            out.named = out._materialize()  # the instant between naming and renaming
        print("ready", flush=True)
        time.sleep(60)
"""


def kill_mid_write(mode: str, target: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(target)],
        stdout=subprocess.PIPE,
        env=env,
        cwd=target.parent,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    assert any(name.endswith(SUFFIX) for name in os.listdir(target.parent))  # it was there
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def wait_until_only(directory: Path, names: list[str]) -> list[str]:
    deadline = time.monotonic() + 20
    while sorted(os.listdir(directory)) != names and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(os.listdir(directory))


@pytest.mark.parametrize("mode", [*sorted(PATHS), "fix"])
def test_kill_9_with_a_named_temporary_leaves_nothing(tmp_path: Path, mode: str) -> None:
    target = tmp_path / "model.py"
    target.write_bytes(b"original\n")
    kill_mid_write(mode, target)
    assert wait_until_only(tmp_path, ["model.py"]) == ["model.py"]
    assert target.read_bytes() == b"original\n"


def test_write_atomic_keeps_mode_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    target.write_bytes(b"a\n")
    target.chmod(0o640)
    write_atomic(target, b"b\n")
    assert target.read_bytes() == b"b\n" and (target.stat().st_mode & 0o777) == 0o640
    assert os.listdir(tmp_path) == ["model.py"]


def test_the_sweep_removes_a_dead_writers_temporary(tmp_path: Path) -> None:
    """The second net, for when the reaper was killed too: the dead pid in the name."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    target = tmp_path / "out.keras"
    stray = tmp_path / f".out.keras.{dead.stdout.strip()}.abcd1234{SUFFIX}"
    alive = tmp_path / f".out.keras.{os.getpid()}.abcd1234{SUFFIX}"
    stray.write_bytes(b"left by a kill -9")
    alive.write_bytes(b"being written by a live process")
    remove_stale(target)
    assert sorted(os.listdir(tmp_path)) == [alive.name]
