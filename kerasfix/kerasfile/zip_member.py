"""A member stored uncompressed in a `.keras` zip, read in place: h5py opens the weights
through a window on the archive instead of a copy (what Keras writes: no compression)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

WEIGHTS_MEMBER = "model.weights.h5"


def weights_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    """The archive's HDF5 weights member, None when it has none (weights-less or npz)."""
    return next((i for i in archive.infolist() if i.filename == WEIGHTS_MEMBER), None)


def data_offset(path: Path, member: zipfile.ZipInfo) -> int:
    """Where a stored member's bytes start: after its local header, name and extra field."""
    with path.open("rb") as raw:
        raw.seek(member.header_offset)
        header = raw.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise ValueError("bad local header")
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    return member.header_offset + 30 + name_len + extra_len


class MemberWindow(io.RawIOBase):
    """A read-only view of `size` bytes of a file starting at `offset` (for h5py)."""

    def __init__(self, raw: io.BufferedReader, offset: int, size: int) -> None:
        self._raw, self._offset, self._size, self._pos = raw, offset, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        count = max(0, min(len(view), self._size - self._pos))
        if count == 0:
            return 0
        self._raw.seek(self._offset + self._pos)
        got = self._raw.readinto(view[:count]) or 0
        self._pos += got
        return got
