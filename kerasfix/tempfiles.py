"""Temporary files beside a target: their names, a watcher that removes them if we are
killed, and the sweep of ones an earlier killed run left.

A `kill -9` between creating a temporary and renaming it into place cannot be caught by the
process itself, so every named temporary is first announced to a *reaper*: a small helper
process, in its own session, that reads announcements on a pipe and, when the pipe closes
(normal exit or `kill -9` alike), deletes every temporary still announced. Should the reaper
itself be gone too (killed with us, or unable to start), every temporary also carries its
writer's pid, and the next write of the same target removes the ones whose writer is dead.
Shared by `--fix` and `kerasfix rewrite`.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

SUFFIX = ".kerasfix-tmp"

# Runs in the reaper: "+HEX\n" announces a path (hex of its bytes), "-HEX\n" withdraws it.
_REAPER_CODE = """
import os, sys
pending = set()
for line in sys.stdin.buffer:
    line = line.strip()
    if line[:1] in (b"+", b"-"):
        path = bytes.fromhex(line[1:].decode("ascii"))
        (pending.add if line[:1] == b"+" else pending.discard)(path)
for path in pending:
    try:
        os.unlink(path)
    except OSError:
        pass
"""


def temp_prefix(target: Path) -> str:
    """`.NAME.PID.`: hidden, tied to the target, and to the process that writes it."""
    return f".{target.name}.{os.getpid()}."


def new_temporary(target: Path) -> Path:
    """A fresh temporary name beside `target`, announced to the reaper before it exists."""
    path = target.with_name(f"{temp_prefix(target)}{os.urandom(4).hex()}{SUFFIX}")
    _reaper().send(b"+", path)
    return path


def create_temporary(target: Path, mode: int = 0o600) -> tuple[int, Path]:
    """`new_temporary`, created exclusively; returns (read-write fd, path)."""
    path = new_temporary(target)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, mode), path
    except BaseException:
        forget_temporary(path)
        raise


def forget_temporary(path: Path) -> None:
    """The temporary was renamed or deleted: the reaper no longer needs to remove it."""
    _reaper().send(b"-", path)


def remove_stale(target: Path) -> None:
    """Delete temporaries that a killed earlier write of `target` left (dead pid only)."""
    for path in target.parent.glob(f".{glob.escape(target.name)}.*{SUFFIX}"):
        parts = path.name[len(target.name) + 2 :].split(".")
        if parts and parts[0].isdigit() and not _alive(int(parts[0])):
            with contextlib.suppress(OSError):
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Reaper:
    """The helper process of one writer process (started on first use, ended at exit)."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.process: subprocess.Popen[bytes] | None = None
        self.pipe: IO[bytes] | None = None
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _REAPER_CODE],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # survives a kill of our process group
            )
            self.pipe = self.process.stdin
        except OSError:
            self.process = None  # the pid-based sweep remains
        atexit.register(self.stop)

    def send(self, op: bytes, path: Path) -> None:
        if self.pipe is None:
            return
        try:
            self.pipe.write(op + os.fsencode(os.path.abspath(path)).hex().encode() + b"\n")
            self.pipe.flush()
        except (OSError, ValueError):
            self.pipe = None  # the reaper is gone: the sweep remains

    def stop(self) -> None:
        if self.process is None or os.getpid() != self.owner:
            return
        with contextlib.suppress(OSError, ValueError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.process = self.pipe = None


_current: _Reaper | None = None


def _reaper() -> _Reaper:
    """This process's reaper; a forked child starts its own."""
    global _current
    if _current is None or _current.owner != os.getpid():
        _current = _Reaper()
    return _current
