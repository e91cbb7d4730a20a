"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization. Their weights depend only on the normalized axes' sizes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape, ShapeError
from kerasfix.layers.arithmetic import as_int, first, flag, identity_shape, product, zero_params
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]


def axes_of(value: object, rank: int, default: int = -1) -> list[int] | None:
    """Normalized non-negative axes for an `axis` config (int or list); None if unknown."""
    if value is None:
        value = default
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    axes = [as_int(a) for a in items]
    if any(a is None for a in axes):
        return None
    out = []
    for a in axes:
        assert a is not None
        if not -rank <= a < rank:
            raise ShapeError(f"axis {a} out of range for rank {rank}")
        out.append(a % rank)
    return out


def _axis_size(config: Config, input_shapes: Shapes) -> int | None:
    shape = first(input_shapes)
    if shape is None:
        return None
    axes = axes_of(config.get("axis", -1), len(shape))
    if axes is None:
        return None
    return product([shape[a] for a in axes])


def _batch_norm_params(config: Config, input_shapes: Shapes) -> int | None:
    size = _axis_size(config, input_shapes)
    center, scale = flag(config, "center", True), flag(config, "scale", True)
    if size is None or center is None or scale is None:
        return None
    return size * (2 + int(center) + int(scale))


def _layer_norm_params(config: Config, input_shapes: Shapes) -> int | None:
    size = _axis_size(config, input_shapes)
    center, scale = flag(config, "center", True), flag(config, "scale", True)
    rms = flag(config, "rms_scaling", False)
    if size is None or center is None or scale is None or rms is None:
        return None
    return size * (int(scale or rms) + int(center and not rms))


def _group_norm_params(config: Config, input_shapes: Shapes) -> int | None:
    size = _axis_size(config, input_shapes)
    center, scale = flag(config, "center", True), flag(config, "scale", True)
    groups = as_int(config.get("groups", 32))
    if size is None or center is None or scale is None or groups is None:
        return None
    if groups <= 0 or size % groups or groups > size:
        raise ShapeError(f"groups={groups} must divide the {size} channels")
    return size * (int(center) + int(scale))


register(
    LayerSpec(
        "BatchNormalization",
        identity_shape,
        _batch_norm_params,
        Role.PRESERVING,
        ("axis", "momentum", "epsilon", "center", "scale"),
    )
)
register(
    LayerSpec(
        "LayerNormalization",
        identity_shape,
        _layer_norm_params,
        Role.PRESERVING,
        ("axis", "epsilon", "center", "scale"),
    )
)
register(
    LayerSpec(
        "GroupNormalization",
        identity_shape,
        _group_norm_params,
        Role.PRESERVING,
        ("groups", "axis", "epsilon", "center", "scale"),
    )
)
register(LayerSpec("UnitNormalization", identity_shape, zero_params, Role.PRESERVING, ("axis",)))
# Keras 0.x/1.x local response normalisation (keras.layers.normalization.LRN2D): no weights.
register(
    LayerSpec("LRN2D", identity_shape, zero_params, Role.PRESERVING, ("alpha", "k", "beta", "n"))
)
