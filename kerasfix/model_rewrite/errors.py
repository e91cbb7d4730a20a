"""The one error type of the rewrite: a one-line reason, exit code 2 at the CLI."""

from __future__ import annotations

from kerasfix.frontends.base import InputError


class RewriteError(InputError):
    """A model kerasfix will not rewrite, or a rewrite that failed its own checks."""
