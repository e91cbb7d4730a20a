"""Wrappers: TimeDistributed and Bidirectional, delegating to the wrapped layer's spec.

The wrapped layer arrives as `{"class_name": ..., "config": ...}` (Keras `get_config()`),
possibly in legacy spelling, so it is normalized before the registry lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape, ShapeError
from kerasfix.layers.arithmetic import first
from kerasfix.layers.legacy import normalize
from kerasfix.layers.spec import LayerSpec, Role, lookup, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]


def inner_layer(config: Config, key: str = "layer") -> tuple[LayerSpec, Config] | None:
    """The wrapped layer's spec and normalized config, or None if it is not known."""
    inner = config.get(key)
    if not isinstance(inner, dict) or not isinstance(inner.get("class_name"), str):
        return None
    inner_config = inner.get("config") or {}
    if not isinstance(inner_config, dict):
        return None
    name, normalized = normalize(inner["class_name"], inner_config)
    spec = lookup(name)
    return None if spec is None else (spec, normalized)


def _step_shape(shape: Shape | None) -> Shape | None:
    if shape is None:
        return None
    if len(shape) < 3:
        raise ShapeError(f"TimeDistributed expects inputs of rank >= 3, got {shape}")
    return (shape[0], *shape[2:])


def _time_distributed_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    shape = first(input_shapes)
    found = inner_layer(config)
    if found is None or shape is None:
        return None
    spec, inner_config = found
    out = spec.output_shape(inner_config, [_step_shape(shape)])
    if out is None:
        return None
    return (shape[0], shape[1], *out[1:])


def _time_distributed_params(config: Config, input_shapes: Shapes) -> int | None:
    found = inner_layer(config)
    if found is None:
        return None
    spec, inner_config = found
    return spec.params(inner_config, [_step_shape(first(input_shapes))])


def _time_distributed_role(config: Config) -> Role:
    found = inner_layer(config)
    if found is None:
        return Role.OTHER
    spec, inner_config = found
    role = spec.role_for(inner_config)
    return role if role in (Role.SPATIAL, Role.PRESERVING) else Role.OTHER


def _merge_mode(config: Config) -> str | None:
    return config.get("merge_mode", "concat")


def _bidirectional_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    found = inner_layer(config)
    if found is None:
        return None
    spec, inner_config = found
    forward = spec.output_shape(inner_config, input_shapes)
    mode = _merge_mode(config)
    if forward is None:
        return None
    if mode == "concat":
        backward_found = inner_layer(config, "backward_layer")
        backward = (
            backward_found[0].output_shape(backward_found[1], input_shapes)
            if backward_found
            else forward
        )
        if backward is None:
            return None
        last = None if forward[-1] is None or backward[-1] is None else forward[-1] + backward[-1]
        return (*forward[:-1], last)
    if mode in ("sum", "mul", "ave", None):
        # merge_mode=None returns [forward, backward]; the node carries the forward tensor.
        return forward
    if isinstance(mode, str):
        raise ShapeError(f"unknown merge_mode {mode!r}")
    return None


def _bidirectional_params(config: Config, input_shapes: Shapes) -> int | None:
    found = inner_layer(config)
    if found is None:
        return None
    forward = found[0].params(found[1], input_shapes)
    backward_found = inner_layer(config, "backward_layer")
    backward = (
        backward_found[0].params(backward_found[1], input_shapes) if backward_found else forward
    )
    return None if forward is None or backward is None else forward + backward


def _bidirectional_role(config: Config) -> Role:
    found = inner_layer(config)
    return Role.OTHER if found is None else found[0].role_for(found[1])


register(
    LayerSpec(
        "TimeDistributed",
        _time_distributed_shape,
        _time_distributed_params,
        Role.OTHER,
        ("layer",),
        role_fn=_time_distributed_role,
    )
)
register(
    LayerSpec(
        "Bidirectional",
        _bidirectional_shape,
        _bidirectional_params,
        Role.OTHER,
        ("layer", "merge_mode", "weights", "backward_layer"),
        role_fn=_bidirectional_role,
    )
)
