"""kerasfix: lint and rewrite Keras models for Flatten -> Dense parameter blow-ups."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
