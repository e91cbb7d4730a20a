"""Write the output so that it appears complete or not at all.

On Linux the output is written to an anonymous O_TMPFILE inode in the target directory:
it has no name while it is written and verified, so even `kill -9` then leaves nothing
behind (the kernel frees the inode). Only at commit does it get a temporary name (a link,
or a fast in-kernel copy where linking /proc fds is refused, e.g. EXDEV in some sandboxes),
then one atomic link or `os.replace` onto the target. Where O_TMPFILE is missing, a named
temporary file is used from the start. Named temporaries are removed in `finally` and on
SIGTERM/SIGHUP; after `kill -9` the reaper process removes them (kerasfix/tempfiles.py), and
should it be gone too, the next rewrite of the same target sweeps them (dead pid in the name).
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.tempfiles import (
    create_temporary,
    forget_temporary,
    new_temporary,
    remove_stale,
)


class AtomicFile:
    """A scratch file in `directory` that becomes `target` only on `commit()`.

    The two class switches pick the writer's path; tests turn them off to force the
    fallbacks a machine without O_TMPFILE or without /proc links would take.
    """

    use_unnamed_inode = True  # O_TMPFILE while writing
    link_unnamed_inode = True  # name it by linking /proc/self/fd/N (else copy)

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
        remove_stale(self.target)
        try:
            if not self.use_unnamed_inode:
                raise OSError("O_TMPFILE not used")
            self.fd = os.open(directory, os.O_TMPFILE | os.O_RDWR, 0o644)  # type: ignore[attr-defined]
        except (AttributeError, OSError):
            with self.cannot_write():
                self.fd, self.named = create_temporary(self.target, 0o644)
        return self

    @contextlib.contextmanager
    def cannot_write(self) -> Iterator[None]:
        """An OSError as one line naming the user's output and its folder, never the hidden
        temporary's name nor Python's exception text."""
        try:
            yield
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise RewriteError(
                f"-o {self.target}: cannot write a file in {self.target.parent} ({why})"
            ) from None

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
        """Give the finished file its name: link the unnamed inode into place, or (where
        the kernel refuses that, e.g. in some sandboxes) copy it to a named temporary
        file first; the final step is always one atomic link/rename."""
        with self.cannot_write():
            os.fsync(self.fd)
            if self.named is None:
                self.named = self._materialize()
            self._put_in_place()

    def _put_in_place(self) -> None:
        assert self.named is not None
        if not self.force:
            try:
                os.link(self.named, self.target)
            except FileExistsError:
                raise RewriteError(f"{self.target} appeared while writing (use --force)") from None
            self.named.unlink()
        else:
            os.replace(self.named, self.target)
        forget_temporary(self.named)
        self.named = None
        self.committed = True

    def _materialize(self) -> Path:
        tmp = new_temporary(self.target)  # announced to the reaper before it exists
        if self.link_unnamed_inode:
            try:
                os.link(f"/proc/self/fd/{self.fd}", tmp, follow_symlinks=True)
                return tmp
            except OSError:
                pass
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except BaseException:
            forget_temporary(tmp)
            raise
        try:
            size, offset = self.size, 0
            while offset < size:
                sent = os.copy_file_range(self.fd, fd, size - offset, offset, offset)
                if sent <= 0:
                    raise OSError("copy_file_range made no progress")
                offset += sent
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            tmp.unlink()
            forget_temporary(tmp)
            raise
        os.close(fd)
        return tmp

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.named is not None:
            with contextlib.suppress(FileNotFoundError):
                self.named.unlink()
            forget_temporary(self.named)
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
