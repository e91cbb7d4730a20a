"""Read a file as text and write it back exactly as it came: encoding, BOM, mode, atomically.

Line endings need no handling of their own: text is decoded without newline translation,
and LibCST keeps each line's ending, so a CRLF file stays CRLF.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

from kerasfix.tempfiles import create_temporary, forget_temporary, remove_stale


class UnsafeToWrite(Exception):
    """The file cannot be rewritten faithfully; it is left untouched."""


@dataclass(frozen=True)
class Decoded:
    data: bytes
    text: str
    encoding: str  # as `tokenize.detect_encoding` names it; "utf-8-sig" keeps a BOM

    def encode(self, text: str) -> bytes:
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise UnsafeToWrite(f"the fix cannot be encoded as {self.encoding}") from exc


def decode_python(data: bytes) -> Decoded:
    """Decode like Python does (BOM, PEP 263 cookie), refusing what would not round-trip."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        raise UnsafeToWrite(f"cannot decode the file ({exc})") from exc
    decoded = Decoded(data, text, encoding)
    if decoded.encode(text) != data:
        raise UnsafeToWrite(f"decoding as {encoding} does not round-trip")
    return decoded


def decode_json(data: bytes) -> Decoded:
    """Notebooks are UTF-8 JSON, sometimes with a BOM."""
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return Decoded(data, data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        raise UnsafeToWrite("the notebook is not UTF-8") from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path`'s content in one step (temp file in the same directory + os.replace).

    A symlink is followed so the link survives; the file's permission bits are kept. A
    `kill -9` before the rename leaves the hidden temporary only until the reaper removes
    it (kerasfix/tempfiles.py), or, failing that, until the next write of the same file.
    """
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(target.stat().st_mode)
    remove_stale(target)  # temporaries a killed earlier --fix of this file left behind
    handle, temp = create_temporary(target)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        forget_temporary(temp)
