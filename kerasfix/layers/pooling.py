"""Pooling: Max/Average Pooling 1D/2D/3D and the global poolings (with keepdims)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape
from kerasfix.layers.arithmetic import (
    channels_first,
    conv_output_length,
    first,
    flag,
    join_spatial,
    normalize_tuple,
    padding_of,
    split_spatial,
    zero_params,
)
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]

POOL_POSITIONAL = ("pool_size", "strides", "padding", "data_format")
GLOBAL_POSITIONAL = ("data_format", "keepdims")


def _pool_shape_fn(rank: int):
    def shape_fn(config: Config, input_shapes: Shapes) -> Shape | None:
        cf = channels_first(config)
        parts = split_spatial(first(input_shapes), rank, cf, f"Pooling{rank}D")
        if parts is None or cf is None:
            return None
        batch, spatial, channels = parts
        pool_value = config.get("pool_size", 2)
        pool = normalize_tuple(2 if pool_value is None else pool_value, rank, "pool_size")
        strides_value = config.get("strides")
        strides = pool if strides_value is None else normalize_tuple(strides_value, rank, "strides")
        padding = padding_of(config)
        dims = tuple(
            conv_output_length(spatial[i], pool[i], padding, strides[i]) for i in range(rank)
        )
        return join_spatial(batch, dims, channels, cf)

    return shape_fn


def _global_shape_fn(rank: int):
    def shape_fn(config: Config, input_shapes: Shapes) -> Shape | None:
        cf = channels_first(config)
        parts = split_spatial(first(input_shapes), rank, cf, f"GlobalPooling{rank}D")
        if parts is None or cf is None:
            return None
        batch, _, channels = parts
        keepdims = flag(config, "keepdims", False)
        if keepdims is None:
            return None
        if keepdims:
            return join_spatial(batch, (1,) * rank, channels, cf)
        return (batch, channels)

    return shape_fn


def _register_all() -> None:
    for rank in (1, 2, 3):
        for kind, short in (("Max", "Max"), ("Average", "Avg")):
            register(
                LayerSpec(
                    f"{kind}Pooling{rank}D",
                    _pool_shape_fn(rank),
                    zero_params,
                    Role.SPATIAL,
                    POOL_POSITIONAL,
                ),
                f"{short}Pool{rank}D",
            )
            register(
                LayerSpec(
                    f"Global{kind}Pooling{rank}D",
                    _global_shape_fn(rank),
                    zero_params,
                    Role.OTHER,
                    GLOBAL_POSITIONAL,
                ),
                f"Global{short}Pool{rank}D",
            )


_register_all()
