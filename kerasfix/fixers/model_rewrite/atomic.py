"""Write the output so that it appears complete or not at all.

On Linux the output is an anonymous O_TMPFILE inode in the target directory: it has no
name until `commit()` links it into place, so even `kill -9` mid-write leaves nothing
behind (the kernel frees the inode). Elsewhere a named temporary file next to the target
is removed in `finally` and on SIGTERM/SIGHUP. Either way the final step is an atomic
link or `os.replace` onto the target, never an in-place write.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kerasfix.fixers.model_rewrite.errors import RewriteError


class AtomicFile:
    """A scratch file in `directory` that becomes `target` only on `commit()`."""

    def __init__(self, target: Path, force: bool) -> None:
        self.target = target
        self.force = force
        self.fd: int = -1
        self.named: Path | None = None
        self.committed = False

    def open(self) -> AtomicFile:
        if self.target.exists() and not self.force:
            raise RewriteError(f"{self.target} exists (use --force to overwrite)")
        directory = self.target.parent
        try:
            self.fd = os.open(directory, os.O_TMPFILE | os.O_RDWR, 0o644)  # type: ignore[attr-defined]
        except (AttributeError, OSError):
            fd, name = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".kerasfix-tmp", dir=directory
            )
            self.fd, self.named = fd, Path(name)
        return self

    def handle(self) -> IO[bytes]:
        """A fresh binary file object on the scratch file (for h5py or zipfile)."""
        handle = os.fdopen(os.dup(self.fd), "w+b")
        handle.seek(0)
        return handle

    @property
    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def reader_path(self) -> str:
        """A path another process given `pass_fds=[fd]` can open the scratch file by."""
        return f"/proc/self/fd/{self.fd}" if self.named is None else str(self.named)

    def commit(self) -> None:
        os.fsync(self.fd)
        if self.named is not None:
            if not self.force and self.target.exists():
                raise RewriteError(f"{self.target} appeared while writing (use --force)")
            os.replace(self.named, self.target)
            self.named = None
        elif not self.force:
            try:
                os.link(f"/proc/self/fd/{self.fd}", self.target, follow_symlinks=True)
            except FileExistsError:
                raise RewriteError(f"{self.target} appeared while writing (use --force)") from None
        else:
            tmp = self.target.with_name(f".{self.target.name}.{os.getpid()}.kerasfix-tmp")
            os.link(f"/proc/self/fd/{self.fd}", tmp, follow_symlinks=True)
            try:
                os.replace(tmp, self.target)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        self.committed = True

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.named is not None:
            with contextlib.suppress(FileNotFoundError):
                self.named.unlink()
            self.named = None


def scratch(directory: Path) -> IO[bytes]:
    """An anonymous read-write temporary file (vanishes on close or on kill)."""
    return tempfile.TemporaryFile(dir=directory)


@contextlib.contextmanager
def atomic_output(target: Path, force: bool) -> Iterator[AtomicFile]:
    """The scratch file for `target`, removed unless committed, also on SIGTERM/SIGHUP."""
    out = AtomicFile(target, force).open()
    with _signals_raise():
        try:
            yield out
        finally:
            out.close()


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into SystemExit so `finally` blocks clean up."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
