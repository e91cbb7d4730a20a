"""The one error type of the rewrite: a one-line reason, exit code 2 at the CLI."""

from __future__ import annotations

from kerasfix.frontends.base import InputError


class RewriteError(InputError):
    """A model kerasfix will not rewrite, or a rewrite that failed its own checks."""


def describe_unexpected(exc: BaseException) -> str:
    """A failure no check foresaw, in one line: an OSError by the path it names and its cause
    (never the name of a hidden temporary file), anything else by its type and text."""
    from kerasfix.tempfiles import SUFFIX

    if isinstance(exc, OSError) and exc.strerror:
        name = exc.filename
        if name is None or str(name).endswith(SUFFIX) or str(name).startswith("/proc/self/fd/"):
            return exc.strerror
        return f"{name}: {exc.strerror}"
    return " ".join(f"{type(exc).__name__}: {exc}".split())
