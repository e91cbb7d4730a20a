"""What a command needs beyond the core install, and the one way to say how to install it."""

from __future__ import annotations

import importlib.util
import sys


def install_hint(extra: str) -> str:
    """How to add `extra`: kerasfix is not on PyPI, so from a checkout or a pinned git URL."""
    return (
        f"in a kerasfix checkout, pip install '.[{extra}]' (kerasfix is not on PyPI; or "
        f"pip install 'kerasfix[{extra}] @ git+<repository URL>@<commit>')"
    )


def missing(*modules: str) -> list[str]:
    """The top-level modules that cannot be imported here, found without importing them
    (importing TensorFlow to ask would cost seconds)."""
    absent = []
    for name in modules:
        if name in sys.modules:
            if sys.modules[name] is None:  # import blocked
                absent.append(name)
        elif importlib.util.find_spec(name) is None:
            absent.append(name)
    return absent
