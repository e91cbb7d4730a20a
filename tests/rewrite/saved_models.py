"""Save a module's tiny Keras models once, for the module's tests (issue 24 sections)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def save_models(
    factory: pytest.TempPathFactory,
    label: str,
    build: Callable[[Any], dict[str, Any]],
    suffixes: tuple[str, ...] = (".keras", ".h5"),
) -> Path:
    """A fresh folder holding every model `build(keras)` returns, saved by Keras as NAME+suffix."""
    keras = pytest.importorskip("keras")
    folder = factory.mktemp(label)
    for name, model in build(keras).items():
        for suffix in suffixes:
            model.save(folder / f"{name}{suffix}")
    return folder
