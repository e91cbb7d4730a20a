"""Recognise files that are not models before parsing them, to say what they are instead."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kerasfix.frontends.base import InputError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"
EMPTY_ZIP = b"PK\x05\x06"
LFS_POINTER = b"version https://git-lfs.github.com/spec/"


def head(path: Path, size: int = 1024) -> bytes:
    """The first bytes of a file; InputError for empty or unreadable files."""
    try:
        with path.open("rb") as handle:
            data = handle.read(size)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if not data:
        raise InputError("empty file, not a model")
    if data.startswith(LFS_POINTER):
        raise InputError("a Git LFS pointer file, not the model itself (run `git lfs pull`)")
    return data


def is_hdf5(path: Path, data: bytes) -> bool:
    """HDF5 files carry their signature at offset 0 or after a 512*2^n byte user block."""
    if data.startswith(HDF5_SIGNATURE):
        return True
    try:
        with path.open("rb") as handle:
            offset = 512
            while offset < 1 << 20:
                handle.seek(offset)
                if handle.read(8) == HDF5_SIGNATURE:
                    return True
                offset *= 2
    except OSError:
        return False
    return False


def parse_json(data: bytes, what: str) -> Any:
    """JSON bytes as Python values; InputError (never a traceback) when malformed."""
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{what} is not UTF-8 text") from None
    except RecursionError:
        raise InputError(f"{what} is nested too deeply") from None
    except ValueError as exc:
        raise InputError(f"{what} is not valid JSON ({exc})") from None
