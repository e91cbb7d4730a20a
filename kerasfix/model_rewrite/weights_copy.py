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

from kerasfix.kerasfile.layout import Key, LayerEntry, trainable_var, var_names, walk
from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.source import Tensor, WeightSource, datasets

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
    copy_attrs(src, dst)
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


def copy_attrs(src: Any, dst: Any, skip: tuple[str, ...] = ()) -> None:
    """Every attribute of `src` on `dst`. Keras writes non-ASCII layer names into strings
    HDF5 labels ASCII (`name="卷积"` in a legacy `.h5`); h5py reads them back as text but
    will not write them to an ASCII string, so those are written as UTF-8 strings."""
    import h5py

    for key, value in src.attrs.items():
        if key in skip:
            continue
        try:
            dst.attrs[key] = value
        except UnicodeEncodeError:
            dst.attrs.create(key, value, dtype=h5py.string_dtype("utf-8"))


def _account(stats: WriteStats, array: Any, nbytes: int, progress: Progress | None = None) -> None:
    stats.bytes_written += int(array.size) * array.dtype.itemsize
    stats.values += int(array.size)
    stats.dtypes = (stats.dtypes or set()) | {str(array.dtype)}
    if progress and nbytes:
        progress(nbytes)


def _put(group: Any, name: str, array: Any, stats: WriteStats, like: Any = None) -> None:
    """A replaced tensor; with the attributes of the dataset it replaces (Keras marks a
    bfloat16 tensor by a `dtype` attribute)."""
    dataset = group.create_dataset(name, data=array)
    if like is not None:
        copy_attrs(like, dataset)
    _account(stats, np.asarray(array), 0)
    stats.tensors_replaced += 1


def write_keras_weights(
    dst: Any,
    old_config: dict[str, Any],
    new_config: dict[str, Any],
    source: WeightSource,
    replace: dict[Key, list[Any]],
    progress: Progress | None = None,
) -> WriteStats:
    """Fill an open, empty h5py file with the Keras 3 layout for `new_config`.

    The list of groups and datasets comes from the input file, never from a list of layer
    kinds: every dataset is copied to its new path (a layer's group moves when the
    rewrite renumbers it), so variables of sub-objects Keras stores below a layer (RNN
    cells, wrapped layers, attention projections, seed generators) travel with it.
    Optimizer state is dropped on purpose; `check_complete` then proves nothing else was.
    """
    stats = WriteStats()
    moves = _group_moves(old_config, new_config)
    names = {e.group: e.key[-1] for e in walk(new_config)}
    replaced = {
        path: array
        for e in walk(old_config)
        if e.key in replace
        for (_, path), array in zip(
            layer_tensors(source, e.key), _checked(e, source, replace[e.key]), strict=True
        )
    }
    handle = source.handle

    def visit(path: str, obj: Any) -> None:
        if _dropped(path):
            return
        target = _moved(path, moves)
        if not hasattr(obj, "shape"):
            group = dst.require_group(target)
            copy_attrs(obj, group)
            if target.endswith("/vars") and target.removesuffix("/vars") in names:
                group.attrs["name"] = names[target.removesuffix("/vars")]
            return
        parent, _, leaf = target.rpartition("/")
        group = dst.require_group(parent) if parent else dst
        if path in replaced:
            _put(group, leaf, replaced[path], stats, obj)
        else:
            copy_dataset(obj, group, leaf, stats, progress)

    copy_attrs(handle, dst)
    handle.visititems(visit)
    check_complete(handle, dst, lambda p: None if _dropped(p) else _moved(p, moves), replaced)
    return stats


def _group_moves(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    """Old layer group -> new layer group, for every layer whose group path changes."""
    before, after = list(walk(old)), list(walk(new))
    if [e.key[:-1] for e in before] != [e.key[:-1] for e in after]:
        raise RewriteError("the new config does not hold the same layers as the input's")
    return {a.group: b.group for a, b in zip(before, after, strict=True) if a.group != b.group}


def _moved(path: str, moves: dict[str, str]) -> str:
    """`path` with its deepest moved layer-group prefix replaced (a moved group's new path
    is complete, so one replacement is enough)."""
    parts = path.split("/")
    for i in range(len(parts), 0, -1):
        prefix = "/".join(parts[:i])
        if prefix in moves:
            rest = "/".join(parts[i:])
            return f"{moves[prefix]}/{rest}" if rest else moves[prefix]
    return path


def _dropped(path: str) -> bool:
    """Optimizer state: its slots for the resized layers no longer fit (the report says)."""
    return path == "optimizer" or path.startswith("optimizer/")


def _checked(entry: LayerEntry, source: WeightSource, arrays: list[Any]) -> list[Any]:
    _check_count(entry, source, len(arrays))
    return arrays


def check_complete(
    src: Any, dst: Any, expected_path: Callable[[str], str | None], replaced: Any
) -> None:
    """Every input dataset is in the output (same shape and dtype unless it was replaced),
    and the output holds nothing else; RewriteError otherwise, so nothing is written."""
    expected: dict[str, Any] = {}
    for path in datasets(src):
        target = expected_path(path)
        if target is not None:
            expected[target] = None if path in replaced else src[path]
    written = set(datasets(dst))
    missing = sorted(set(expected) - written)
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise RewriteError(f"the new weights file would lose variable {missing[0]}{more}")
    extra = sorted(written - set(expected))
    if extra:
        raise RewriteError(f"the new weights file holds unexpected variable {extra[0]}")
    for path, original in expected.items():
        if original is not None and (
            dst[path].shape != original.shape or dst[path].dtype != original.dtype
        ):
            raise RewriteError(f"variable {path} changed shape or dtype while copying")


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
    _refuse_bfloat16(source)
    stats = WriteStats()
    root = dst.create_group("model_weights")
    dst.attrs["model_config"] = json.dumps(config)
    if source.fmt == "h5":
        copy_attrs(source.handle, dst, skip=("model_config",))
        src_root = source.handle["model_weights"]
        copy_attrs(src_root, root)
        names = [_text(n) for n in src_root.attrs.get("layer_names", [])]
        root.attrs["layer_names"] = (
            np.array([renamed.get(n, n).encode() for n in names], dtype="S")
            if names
            else np.array([], dtype="S")
        )
        by_path = {
            path: array
            for key, arrays in replace.items()
            for (_, path), array in zip(layer_tensors(source, key), arrays, strict=True)
        }
        for name in src_root:
            _copy_tree(src_root[name], root, renamed.get(name, name), by_path, stats, progress)
        check_complete(source.handle, dst, lambda p: _legacy_target(p, renamed), by_path)
        return stats
    if source.subtensors:
        key = next(iter(source.subtensors))
        raise RewriteError(
            f"layer '{'/'.join(key)}' keeps variables in sub-objects, which have no legacy "
            ".h5 names here: write a .keras output"
        )
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
    kept = [p for p in datasets(source.handle) if not _dropped(p)]
    written = datasets(dst)
    if len(written) != len(kept):
        raise RewriteError(
            f"the new weights file would hold {len(written)} variables, the input has "
            f"{len(kept)}: refusing to write a model that lost weights"
        )
    return stats


def _refuse_bfloat16(source: WeightSource) -> None:
    """Keras 3 writes a bfloat16 model as legacy `.h5` but cannot load it back ("No cast
    function available"): say so before writing a file nobody can load."""
    from kerasfix.model_rewrite.fold import is_bfloat16

    for key, tensors in source.tensors.items():
        for _, path in tensors:
            if is_bfloat16(source.dataset(path).dtype):
                raise RewriteError(
                    f"layer '{'/'.join(key)}' holds bfloat16 weights, which Keras 3 cannot "
                    "load from a legacy .h5: save the model as .keras and rewrite that"
                )


def _legacy_target(path: str, renamed: dict[str, str]) -> str | None:
    """Where a legacy `.h5` dataset goes: model weights stay (a renamed Flatten's group
    follows its layer), the optimizer's are dropped; anything else must survive as is."""
    parts = path.split("/")
    if parts[0] == "optimizer_weights":
        return None
    if parts[0] == "model_weights" and len(parts) > 1:
        parts[1] = renamed.get(parts[1], parts[1])
    return "/".join(parts)


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
            _put(parent, name, by_path[path], stats, src)
        else:
            copy_dataset(src, parent, name, stats, progress)
        return
    group = parent.create_group(name)
    copy_attrs(src, group)
    for child in src:
        _copy_tree(src[child], group, child, by_path, stats, progress)


def layer_tensors(source: WeightSource, key: Key) -> list[Tensor]:
    """A layer's stored tensors: its own, or (a `.keras` TimeDistributed) its wrapped
    layer's, stored below it."""
    own = source.tensors.get(key, [])
    return own or [("", path) for path in source.subtensors.get(key, [])]


def _check_count(entry: LayerEntry, source: WeightSource, count: int) -> None:
    have = len(layer_tensors(source, entry.key))
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
