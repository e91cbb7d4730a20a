"""File names the code writes and reads: `open("X.pickle", "wb")` and literal paths.

Kept apart from the Keras knowledge so the plain-Python evaluator can bind a `with open(...)
as f` handle (a save or load names its file through it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kerasfix.frontends.source.values import Unknown


@dataclass(frozen=True, eq=False)
class FileHandle(Unknown):
    """`open("X.pickle", "wb")`: unknown as a value, but the file it names is known."""

    name: str = ""


def file_name(path: str) -> str:
    """`data/x_train.npy` (or a Windows path) -> `x_train.npy`."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def opened(args: list[Any]) -> Any:
    """What `open(...)` returns: a handle naming a literal path, else unknown."""
    path = args[0] if args else None
    if isinstance(path, str) and path:
        return FileHandle(f"the file {path!r}, opened at run time", name=file_name(path))
    return Unknown("open() of a path not known statically")


def named_file(value: Any) -> str | None:
    """The file name a save or load is given: a literal path or an `open` handle."""
    if isinstance(value, FileHandle):
        return value.name
    if isinstance(value, str) and value:
        return file_name(value)
    return None
