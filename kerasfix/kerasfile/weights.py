"""Weight sizes and dtypes from HDF5 metadata: dataset shapes are read, never their data.

This is what `kerasfix inspect` reports as weight bytes at the stored dtype, and what the
legacy `.h5` frontend cross-checks the config's parameter counts against.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kerasfix.kerasfile.zip_member import MemberWindow, data_offset, weights_member
from kerasfix.limits import MAX_WEIGHT_TENSORS


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
        if count > MAX_WEIGHT_TENSORS:
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
            member = weights_member(archive)
            if member is None or member.compress_type != zipfile.ZIP_STORED:
                return None
            offset = data_offset(path, member)
        with path.open("rb") as raw:
            window = MemberWindow(raw, offset, member.file_size)
            with h5py.File(window, "r") as handle:
                group = handle.get("layers")
                return stats(group if group is not None else handle)
    except (OSError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile):
        return None
