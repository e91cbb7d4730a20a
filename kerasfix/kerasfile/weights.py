"""Weight sizes and dtypes from HDF5 metadata: dataset shapes are read, never their data.

This is what `kerasfix inspect` reports as weight bytes at the stored dtype, and what the
legacy `.h5` frontend cross-checks the config's parameter counts against.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_DATASETS = 1_000_000


@dataclass
class WeightInfo:
    """Totals over every stored weight tensor (optimizer state excluded)."""

    values: int = 0
    bytes: int = 0
    by_dtype: dict[str, int] = field(default_factory=dict)  # dtype name -> bytes
    per_layer: dict[str, int] = field(default_factory=dict)  # top-level layer -> values

    def dtype_text(self) -> str:
        return ", ".join(sorted(self.by_dtype)) or "unknown"


def stats(group: Any, per_layer: bool = False) -> WeightInfo:
    """Sum the datasets under an h5py group; `per_layer` also totals each child group."""
    import h5py

    info = WeightInfo()
    count = 0

    def visit(name: str, obj: Any) -> None:
        nonlocal count
        if not isinstance(obj, h5py.Dataset):
            return
        count += 1
        if count > MAX_DATASETS:
            raise ValueError("too many weight tensors")
        size = int(obj.size or 0)
        nbytes = size * obj.dtype.itemsize
        info.values += size
        info.bytes += nbytes
        info.by_dtype[str(obj.dtype)] = info.by_dtype.get(str(obj.dtype), 0) + nbytes
        if per_layer:
            top = name.split("/", 1)[0]
            info.per_layer[top] = info.per_layer.get(top, 0) + size

    group.visititems(visit)
    return info


def legacy_h5_weights(path: Path) -> WeightInfo | None:
    """Weights of a `model.save('x.h5')` file (group `model_weights`), or None."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            group = handle.get("model_weights")
            if group is None:
                return None
            return stats(group, per_layer=True)
    except (OSError, ValueError, KeyError, RuntimeError):
        return None


def keras_archive_weights(path: Path) -> WeightInfo | None:
    """Weights of a `.keras` archive, read in place when the member is stored uncompressed
    (what Keras writes); None when they cannot be read cheaply."""
    import h5py

    try:
        with zipfile.ZipFile(path) as archive:
            member = next((i for i in archive.infolist() if i.filename == "model.weights.h5"), None)
            if member is None or member.compress_type != zipfile.ZIP_STORED:
                return None
            offset = _data_offset(path, member)
        with path.open("rb") as raw:
            window = _Window(raw, offset, member.file_size)
            with h5py.File(window, "r") as handle:
                group = handle.get("layers")
                return stats(group if group is not None else handle)
    except (OSError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile):
        return None


def _data_offset(path: Path, member: zipfile.ZipInfo) -> int:
    """Where a stored member's bytes start: after its local header, name and extra field."""
    with path.open("rb") as raw:
        raw.seek(member.header_offset)
        header = raw.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise ValueError("bad local header")
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    return member.header_offset + 30 + name_len + extra_len


class _Window(io.RawIOBase):
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
