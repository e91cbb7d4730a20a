"""Reshaping: Flatten, Reshape, Permute, RepeatVector, ZeroPadding, Cropping, UpSampling."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape, ShapeError
from kerasfix.layers.arithmetic import (
    as_int,
    channels_first,
    check_rank,
    first,
    join_spatial,
    normalize_tuple,
    product,
    split_spatial,
    zero_params,
)
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]


def _flatten_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    shape = first(input_shapes)
    if shape is None:
        return None
    body = shape[1:]
    return (shape[0], 1 if not body else product(body))


def _reshape_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    shape = first(input_shapes)
    target = config.get("target_shape")
    if isinstance(target, int) and not isinstance(target, bool):
        target = (target,)
    if not isinstance(target, (list, tuple)):
        return None
    dims = [as_int(d) for d in target]
    if sum(1 for d in dims if d == -1) > 1:
        raise ShapeError("Reshape target_shape may contain at most one -1")
    batch = shape[0] if shape is not None else None
    if -1 not in dims:
        if shape is not None and None not in dims:
            total = product(shape[1:])
            if total is not None and total != math.prod(dims):  # type: ignore[arg-type]
                raise ShapeError(f"cannot reshape {shape[1:]} into {tuple(dims)}")
        return (batch, *dims)
    known = [d for d in dims if d != -1]
    total = product(shape[1:]) if shape is not None else None
    if total is None or None in known:
        return (batch, *(None if d == -1 else d for d in dims))
    rest = math.prod(known)  # type: ignore[arg-type]
    if rest == 0 or total % rest:
        raise ShapeError(f"cannot reshape {shape[1:] if shape else shape} into {tuple(dims)}")
    return (batch, *(total // rest if d == -1 else d for d in dims))


def _permute_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    shape = first(input_shapes)
    dims = config.get("dims")
    if shape is None or not isinstance(dims, (list, tuple)):
        return None
    order = [as_int(d) for d in dims]
    if None in order:
        return (shape[0], *(None for _ in order))
    if sorted(order) != list(range(1, len(shape))):  # type: ignore[type-var]
        raise ShapeError(f"Permute dims {tuple(order)} do not match input rank {len(shape)}")
    return (shape[0], *(shape[d] for d in order))  # type: ignore[index]


def _repeat_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    shape = check_rank(first(input_shapes), 2, "RepeatVector")
    if shape is None:
        return None
    return (shape[0], as_int(config.get("n")), shape[1])


def _pairs(
    value: object, rank: int, default: int, name: str
) -> list[tuple[int | None, int | None]]:
    """Padding/cropping as one (before, after) pair per spatial axis, Keras-style."""
    if value is None:
        value = default
    if isinstance(value, (list, tuple)):
        if rank == 1:
            if len(value) != 2:
                raise ShapeError(f"{name} must be an int or a pair of ints")
            return [(as_int(value[0]), as_int(value[1]))]
        if len(value) != rank:
            raise ShapeError(f"{name} must have {rank} entries")
        pairs = []
        for item in value:
            if isinstance(item, (list, tuple)):
                if len(item) != 2:
                    raise ShapeError(f"{name} entries must be pairs")
                pairs.append((as_int(item[0]), as_int(item[1])))
            else:
                pairs.append((as_int(item), as_int(item)))
        return pairs
    single = as_int(value)
    return [(single, single)] * rank


def _pad_shape_fn(rank: int, sign: int, default: int, key: str, layer: str):
    """ZeroPadding (sign +1) and Cropping (sign -1)."""

    def shape_fn(config: Config, input_shapes: Shapes) -> Shape | None:
        shape = first(input_shapes)
        # Keras 3's ZeroPadding1D takes a data_format; Cropping1D does not (always axis 1).
        cf = False if rank == 1 and sign < 0 else channels_first(config)
        parts = split_spatial(shape, rank, cf, layer)
        if parts is None or cf is None:
            return None
        batch, spatial, channels = parts
        pairs = _pairs(config.get(key), rank, default, key)
        dims: list[int | None] = []
        for length, (before, after) in zip(spatial, pairs, strict=False):
            if length is None or before is None or after is None:
                dims.append(None)
                continue
            size = length + sign * (before + after)
            if size <= 0:
                raise ShapeError(f"{layer} leaves a non-positive size along an axis of {length}")
            dims.append(size)
        return join_spatial(batch, dims, channels, cf)

    return shape_fn


def _upsampling_shape_fn(rank: int):
    def shape_fn(config: Config, input_shapes: Shapes) -> Shape | None:
        shape = first(input_shapes)
        cf = False if rank == 1 else channels_first(config)
        parts = split_spatial(shape, rank, cf, f"UpSampling{rank}D")
        if parts is None or cf is None:
            return None
        batch, spatial, channels = parts
        size = normalize_tuple(config.get("size", 2) or 2, rank, "size")
        dims = tuple(
            None if length is None or factor is None else length * factor
            for length, factor in zip(spatial, size, strict=False)
        )
        return join_spatial(batch, dims, channels, cf)

    return shape_fn


register(LayerSpec("Flatten", _flatten_shape, zero_params, Role.OTHER, ("data_format",)))
register(LayerSpec("Reshape", _reshape_shape, zero_params, Role.OTHER, ("target_shape",)))
register(LayerSpec("Permute", _permute_shape, zero_params, Role.OTHER, ("dims",)))
register(LayerSpec("RepeatVector", _repeat_shape, zero_params, Role.OTHER, ("n",)))
for _rank in (1, 2, 3):
    _fmt: tuple[str, ...] = () if _rank == 1 else ("data_format",)
    register(
        LayerSpec(
            f"ZeroPadding{_rank}D",
            _pad_shape_fn(_rank, 1, 1, "padding", f"ZeroPadding{_rank}D"),
            zero_params,
            Role.SPATIAL,
            ("padding", "data_format"),  # ZeroPadding1D too (Keras 3), unlike Cropping1D
        )
    )
    register(
        LayerSpec(
            f"Cropping{_rank}D",
            _pad_shape_fn(_rank, -1, 0 if _rank == 2 else 1, "cropping", f"Cropping{_rank}D"),
            zero_params,
            Role.SPATIAL,
            ("cropping", *_fmt),
        )
    )
    register(
        LayerSpec(
            f"UpSampling{_rank}D",
            _upsampling_shape_fn(_rank),
            zero_params,
            Role.SPATIAL,
            ("size", *_fmt, *(("interpolation",) if _rank == 2 else ())),
        )
    )
