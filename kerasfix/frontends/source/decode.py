"""Bytes of a source file to text, with the checks that keep bad input to one line."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

from kerasfix.frontends.base import InputError
from kerasfix.limits import max_source_bytes


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """At most `limit` bytes (default: KERASFIX_MAX_SOURCE_BYTES) of `path`, else InputError."""
    if limit is None:
        limit = max_source_bytes()
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise InputError(
            f"{path}: larger than {limit / (1024 * 1024):g} MiB, not linted"
            " (KERASFIX_MAX_SOURCE_BYTES)"
        )
    return data


def decode_source(data: bytes, path: Path) -> str:
    """Decode like the interpreter would (BOM, PEP 263 cookie); reject binary files."""
    if b"\x00" in data:
        raise InputError(f"{path}: binary file (contains NUL bytes), not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise InputError(f"{path}: {exc.msg}") from None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(
            f"{path}: cannot decode as {encoding} ({exc.__class__.__name__})"
        ) from None
