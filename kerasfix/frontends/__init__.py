"""Frontends turn a file into the shared layer graph.

Dispatch is by file name only, so discovering files never reads them. Every frontend
raises `InputError` with a one-line reason for input it cannot read.
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.frontends.base import InputError, Program

SOURCE_SUFFIXES = frozenset({".py", ".pyi"})
NOTEBOOK_SUFFIXES = frozenset({".ipynb"})
MODEL_SUFFIXES = frozenset({".keras", ".h5", ".hdf5"})
LINTABLE_SUFFIXES = SOURCE_SUFFIXES | NOTEBOOK_SUFFIXES | MODEL_SUFFIXES

__all__ = ["InputError", "Program", "is_model_path", "kind_of", "read"]


def is_savedmodel_dir(path: Path) -> bool:
    return path.is_dir() and (path / "saved_model.pb").is_file()


def is_model_path(path: Path) -> bool:
    return path.suffix.lower() in MODEL_SUFFIXES or is_savedmodel_dir(path)


def kind_of(path: Path) -> str | None:
    """'source', 'notebook' or 'model' by name; None for files kerasfix does not lint."""
    suffix = path.suffix.lower()
    if suffix in SOURCE_SUFFIXES:
        return "source"
    if suffix in NOTEBOOK_SUFFIXES:
        return "notebook"
    if is_model_path(path):
        return "model"
    return None


def read(path: Path, kind: str | None = None) -> Program:
    """Parse one file into a `Program` (its graph plus what suppressions need)."""
    kind = kind or kind_of(path)
    if kind == "source":
        from kerasfix.frontends.source import read_source

        return read_source(path)
    if kind == "notebook":
        from kerasfix.frontends.notebook import read_notebook

        return read_notebook(path)
    if kind == "model":
        from kerasfix.frontends.saved_model import read_model

        return read_model(path)
    raise InputError(f"{path}: not a Python file, notebook or Keras model")
