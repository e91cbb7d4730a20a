"""The input's weight tensors, located per layer without reading their data.

`.keras` weights are read in place inside the zip when stored uncompressed (what Keras
writes), or streamed to a temporary file otherwise. Every `.keras` layer group is checked
against the path the config predicts (its `name` attribute must match), so a file whose
layout kerasfix misunderstands is refused instead of silently mis-copied.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kerasfix.kerasfile.layout import Key, LayerEntry, walk
from kerasfix.kerasfile.zip_member import MemberWindow, data_offset, weights_member
from kerasfix.model_rewrite.errors import RewriteError

Tensor = tuple[str, str]  # (variable name or "", dataset path in the h5 file)


@dataclass
class WeightSource:
    """An open input weights file and where each layer's tensors are in it."""

    handle: Any  # h5py.File
    fmt: str  # "keras" | "h5"
    tensors: dict[Key, list[Tensor]] = field(default_factory=dict)
    # `.keras` only: datasets stored below a layer's sub-objects (an RNN's `cell/vars`,
    # Bidirectional's `forward_layer/...`, MultiHeadAttention's `query_dense/vars`...), in
    # file order; the legacy `.h5` lists them in the layer's own `weight_names`.
    subtensors: dict[Key, list[str]] = field(default_factory=dict)
    optimizer_tensors: int = 0

    def dataset(self, path: str) -> Any:
        return self.handle[path]


@contextlib.contextmanager
def open_source(path: Path, fmt: str, config: dict[str, Any]) -> Iterator[WeightSource]:
    """The weights of `path` (format from the frontend), located per layer key."""
    import h5py

    with contextlib.ExitStack() as stack:
        if fmt == "keras":
            handle = stack.enter_context(_keras_weights(path))
            source = WeightSource(handle, fmt)
            _locate_keras(source, config)
        elif fmt == "h5":
            handle = stack.enter_context(h5py.File(path, "r"))
            source = WeightSource(handle, fmt)
            _locate_h5(source, config)
        else:
            raise RewriteError(f"cannot rewrite a {fmt} model (only .keras and .h5 files)")
        yield source


@contextlib.contextmanager
def _keras_weights(path: Path) -> Iterator[Any]:
    import h5py

    with zipfile.ZipFile(path) as archive:
        member = weights_member(archive)
        if member is None:
            raise RewriteError("the archive has no model.weights.h5 (weights-less or npz store)")
        stored = member.compress_type == zipfile.ZIP_STORED
        offset = data_offset(path, member) if stored else 0
        if not stored:
            tmp = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the with below)
            with archive.open(member) as src:
                shutil.copyfileobj(src, tmp, 16 << 20)
            tmp.seek(0)
    if stored:
        with (
            path.open("rb") as raw,
            h5py.File(MemberWindow(raw, offset, member.file_size), "r") as h,
        ):
            yield h
    else:
        with tmp, h5py.File(tmp, "r") as h:
            yield h


def _locate_keras(source: WeightSource, config: dict[str, Any]) -> None:
    handle = source.handle
    for entry in walk(config):
        group = handle.get(entry.keras_path)
        if group is None:
            if entry.is_model:
                continue
            raise RewriteError(
                f"the weights file has no group {entry.keras_path} for layer "
                f"'{'/'.join(entry.key)}': its layout is not the one Keras 3 writes"
            )
        stored_name = _text(group.attrs.get("name"))
        if stored_name and stored_name != entry.key[-1]:
            raise RewriteError(
                f"weights group {entry.keras_path} belongs to '{stored_name}', not "
                f"'{entry.key[-1]}': unexpected layout, refusing to guess"
            )
        if entry.is_model:
            continue
        numbered = sorted((k for k in group if k.isdigit()), key=int)
        source.tensors[entry.key] = [("", f"{entry.keras_path}/{k}") for k in numbered]
        own = {path for _, path in source.tensors[entry.key]}
        below = [p for p in datasets(handle[entry.group]) if p not in own]
        if below:
            source.subtensors[entry.key] = below
    optimizer = handle.get("optimizer/vars")
    source.optimizer_tensors = len(optimizer) if optimizer is not None else 0


def datasets(group: Any) -> list[str]:
    """Full paths of every dataset below an h5py group, in the file's order."""
    import h5py

    found: list[str] = []
    group.visititems(
        lambda _, obj: found.append(obj.name.lstrip("/")) if isinstance(obj, h5py.Dataset) else None
    )
    return found


def _locate_h5(source: WeightSource, config: dict[str, Any]) -> None:
    root = source.handle.get("model_weights")
    if root is None:
        raise RewriteError("the .h5 file has no model_weights group")
    entries = list(walk(config))
    for entry in entries:
        if len(entry.key) != 1 or entry.key[0] not in root:
            continue
        group = root[entry.key[0]]
        names = [_text(n) for n in group.attrs.get("weight_names", [])]
        if not entry.is_model:
            source.tensors[entry.key] = [
                (_var(n), f"model_weights/{entry.key[0]}/{n}") for n in names
            ]
            continue
        inner = [e for e in entries if e.key[:1] == entry.key and not e.is_model]
        for name in names:
            owner = _owner(name, inner)
            if owner is None:
                raise RewriteError(f"cannot tell which layer weight '{name}' belongs to")
            source.tensors.setdefault(owner.key, []).append(
                (_var(name), f"model_weights/{entry.key[0]}/{name}")
            )
    optimizer = source.handle.get("optimizer_weights")
    if optimizer is not None:
        source.optimizer_tensors = len(optimizer.attrs.get("weight_names", []))


def _owner(name: str, inner: list[LayerEntry]) -> LayerEntry | None:
    """The layer a nested-model weight name like 'head/dense/kernel' (or 'dense/kernel:0')
    belongs to: the innermost layer whose name precedes the variable name."""
    parts = name.split("/")[:-1]
    best = None
    for entry in inner:
        if parts and entry.key[-1] == parts[-1]:
            path = entry.key[1:-1]
            if all(p in parts for p in path) and (best is None or len(entry.key) > len(best.key)):
                best = entry
    return best


def _var(name: str) -> str:
    return name.rsplit("/", 1)[-1].split(":", 1)[0]


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value) if value is not None else ""
