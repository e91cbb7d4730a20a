"""Write the new weights file tensor by tensor, copying every untouched tensor unchanged.

Datasets are copied in slabs of at most SLAB_BYTES, so memory never holds more than one
slab (plus the new, small Dense kernels): the model is never loaded as a whole. Two output
layouts: Keras 3 (`layers/.../vars/<i>`, paths recomputed from the new config) and legacy
`.h5` (`model_weights/<layer>/...`, verbatim when the input is legacy too).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from kerasfix.fixers.model_rewrite.errors import RewriteError
from kerasfix.fixers.model_rewrite.layout import Key, LayerEntry, trainable_var, var_names, walk
from kerasfix.fixers.model_rewrite.source import WeightSource

SLAB_BYTES = 32 << 20
Progress = Callable[[int], None]


@dataclass
class WriteStats:
    tensors_copied: int = 0
    tensors_replaced: int = 0
    bytes_written: int = 0
    values: int = 0
    dtypes: set[str] | None = None


def copy_dataset(
    src: Any, group: Any, name: str, stats: WriteStats, progress: Progress | None
) -> None:
    """Copy one dataset in slabs along its first axis, data bits unchanged."""
    dst = group.create_dataset(name, shape=src.shape, dtype=src.dtype)
    for key, value in src.attrs.items():
        dst.attrs[key] = value
    nbytes = int(src.size) * src.dtype.itemsize
    if src.shape == () or nbytes <= SLAB_BYTES or src.shape[0] <= 1:
        if src.size:
            dst[()] = src[()]
    else:
        row = max(1, nbytes // src.shape[0])
        step = max(1, SLAB_BYTES // row)
        for start in range(0, src.shape[0], step):
            stop = min(src.shape[0], start + step)
            dst[start:stop] = src[start:stop]
            if progress:
                progress((stop - start) * row)
        _account(stats, src, 0)
        stats.tensors_copied += 1
        return
    _account(stats, src, nbytes, progress)
    stats.tensors_copied += 1


def _account(stats: WriteStats, array: Any, nbytes: int, progress: Progress | None = None) -> None:
    stats.bytes_written += int(array.size) * array.dtype.itemsize
    stats.values += int(array.size)
    stats.dtypes = (stats.dtypes or set()) | {str(array.dtype)}
    if progress and nbytes:
        progress(nbytes)


def _put(group: Any, name: str, array: Any, stats: WriteStats) -> None:
    group.create_dataset(name, data=array)
    _account(stats, np.asarray(array), 0)
    stats.tensors_replaced += 1


def write_keras_weights(
    dst: Any,
    config: dict[str, Any],
    source: WeightSource,
    replace: dict[Key, list[Any]],
    progress: Progress | None = None,
) -> WriteStats:
    """Fill an open, empty h5py file with the Keras 3 layout for `config`."""
    stats = WriteStats()
    for entry in walk(config):
        group = dst.require_group(entry.keras_path)
        group.attrs["name"] = entry.key[-1]
        if entry.is_model:
            continue
        if entry.key in replace:
            _check_count(entry, source, len(replace[entry.key]))
            for i, array in enumerate(replace[entry.key]):
                _put(group, str(i), array, stats)
            continue
        for i, (_, path) in enumerate(source.tensors.get(entry.key, [])):
            copy_dataset(source.dataset(path), group, str(i), stats, progress)
    dst.require_group("vars").attrs["name"] = _model_name(config)
    return stats


def write_h5_weights(
    dst: Any,
    config: dict[str, Any],
    source: WeightSource,
    replace: dict[Key, list[Any]],
    renamed: dict[str, str],
    facts: dict[str, str],
    progress: Progress | None = None,
) -> WriteStats:
    """Fill an open, empty h5py file as a legacy full-model `.h5` (weights and config)."""
    stats = WriteStats()
    root = dst.create_group("model_weights")
    dst.attrs["model_config"] = json.dumps(config)
    if source.fmt == "h5":
        for key, value in source.handle.attrs.items():
            if key != "model_config":
                dst.attrs[key] = value
        src_root = source.handle["model_weights"]
        for key, value in src_root.attrs.items():
            root.attrs[key] = value
        names = [_text(n) for n in src_root.attrs.get("layer_names", [])]
        root.attrs["layer_names"] = (
            np.array([renamed.get(n, n).encode() for n in names], dtype="S")
            if names
            else np.array([], dtype="S")
        )
        by_path = {
            path: array
            for key, arrays in replace.items()
            for (_, path), array in zip(source.tensors[key], arrays, strict=True)
        }
        for name in src_root:
            _copy_tree(src_root[name], root, renamed.get(name, name), by_path, stats, progress)
        return stats
    dst.attrs["keras_version"] = facts.get("keras_version", "3")
    dst.attrs["backend"] = "tensorflow"
    root.attrs["keras_version"] = facts.get("keras_version", "3")
    root.attrs["backend"] = "tensorflow"
    entries = list(walk(config))
    top = [
        e
        for e in entries
        if len(e.key) == 1
        and not (config.get("class_name") == "Sequential" and e.class_name == "InputLayer")
    ]
    root.attrs["layer_names"] = np.array([e.key[0].encode() for e in top], dtype="S")
    for entry in top:
        group = root.create_group(entry.key[0])
        leaves = [e for e in entries if e.key[:1] == entry.key and not e.is_model]
        weights: list[tuple[bool, str, Any]] = []
        for leaf in leaves:
            arrays = _arrays(leaf, source, replace)
            for name, array in zip(var_names(leaf, len(arrays)), arrays, strict=True):
                full = "/".join((*leaf.key, name)) if entry.is_model else f"{leaf.key[0]}/{name}"
                weights.append((trainable_var(leaf, name), full, array))
        if entry.is_model:  # Keras lists a nested model's trainable weights first
            weights = [w for w in weights if w[0]] + [w for w in weights if not w[0]]
        group.attrs["weight_names"] = np.array([w[1].encode() for w in weights], dtype="S")
        for _, full, array in weights:
            parent, _, leafname = full.rpartition("/")
            target = group.require_group(parent)
            if isinstance(array, np.ndarray):
                _put(target, leafname, array, stats)
            else:
                copy_dataset(array, target, leafname, stats, progress)
    root.create_group("top_level_model_weights").attrs["weight_names"] = np.array([], dtype="S")
    return stats


def _arrays(entry: LayerEntry, source: WeightSource, replace: dict[Key, list[Any]]) -> list[Any]:
    if entry.key in replace:
        _check_count(entry, source, len(replace[entry.key]))
        return list(replace[entry.key])
    return [source.dataset(path) for _, path in source.tensors.get(entry.key, [])]


def _copy_tree(
    src: Any,
    parent: Any,
    name: str,
    by_path: dict[str, Any],
    stats: WriteStats,
    progress: Progress | None,
) -> None:
    import h5py

    if isinstance(src, h5py.Dataset):
        path = src.name.lstrip("/")
        if path in by_path:
            _put(parent, name, by_path[path], stats)
        else:
            copy_dataset(src, parent, name, stats, progress)
        return
    group = parent.create_group(name)
    for key, value in src.attrs.items():
        group.attrs[key] = value
    for child in src:
        _copy_tree(src[child], group, child, by_path, stats, progress)


def _check_count(entry: LayerEntry, source: WeightSource, count: int) -> None:
    have = len(source.tensors.get(entry.key, []))
    if have != count:
        raise RewriteError(
            f"layer '{'/'.join(entry.key)}' stores {have} tensors, the rewrite expected {count}"
        )


def _model_name(config: dict[str, Any]) -> str:
    inner = config.get("config")
    name = inner.get("name") if isinstance(inner, dict) else None
    return name if isinstance(name, str) else "model"


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
