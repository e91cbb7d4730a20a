"""Bytes of a source file to text, with the checks that keep bad input to one line."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

from kerasfix.frontends.base import InputError, SkippedStatement
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


def decode_source_leniently(data: bytes, path: Path) -> tuple[str, SkippedStatement | None]:
    """Decode like `decode_source`, but a file whose bytes do not all decode (comments in a
    legacy encoding under a utf-8 cookie, seen in public code) is still read, with those bytes
    replaced, and the first bad byte is returned as an encoding error to report. Only for
    analysis: nothing is ever written back from this text (fixes use `decode_source`)."""
    try:
        return decode_source(data, path), None
    except InputError:
        bad, encoding = _first_undecodable_byte(data)
        if bad is None:
            raise  # binary, a bad cookie, an unknown codec: nothing to read around
    line = data.count(b"\n", 0, bad) + 1
    column = bad - (data.rfind(b"\n", 0, bad) + 1) + 1
    problem = SkippedStatement(
        line, column, f"bytes that are not {encoding} (replaced)", line, line, "encoding error"
    )
    return data.decode(encoding, errors="replace"), problem


def _first_undecodable_byte(data: bytes) -> tuple[int | None, str]:
    """Where the file stops decoding in its declared encoding, or None for other failures."""
    if b"\x00" in data:
        return None, ""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start, encoding
    except (SyntaxError, LookupError):
        return None, ""
    return None, encoding
