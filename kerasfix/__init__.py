"""kerasfix: lint and rewrite Keras models for Flatten -> Dense parameter blow-ups."""

from __future__ import annotations

from typing import Any

from kerasfix.version import __version__

__all__ = ["__version__", "check", "inspect", "rewrite"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import kerasfix` (and the CLI) stays light: the API loads on first use.
    if name == "check":
        from kerasfix.api import check

        return check
    if name == "inspect":
        from kerasfix.api import inspect

        return inspect
    if name == "rewrite":
        from kerasfix.model_rewrite.api import rewrite

        return rewrite
    raise AttributeError(f"module 'kerasfix' has no attribute {name!r}")


def load_ipython_extension(shell: Any) -> None:
    """`%load_ext kerasfix`: check cells as they run (kerasfix/ipython.py)."""
    from kerasfix.ipython import load_ipython_extension as load

    load(shell)


def unload_ipython_extension(shell: Any) -> None:
    from kerasfix.ipython import unload_ipython_extension as unload

    unload(shell)
