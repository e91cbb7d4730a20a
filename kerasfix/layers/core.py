"""Core layers: InputLayer, Dense, EinsumDense, Embedding, Activation, Identity, Masking.

Lambda is deliberately absent: frontends mark it opaque because its function is arbitrary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape, ShapeError
from kerasfix.layers.arithmetic import (
    as_int,
    first,
    flag,
    identity_shape,
    mul_optional,
    zero_params,
)
from kerasfix.layers.legacy import declared_input_shape
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]


def _input_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    """An InputLayer's output is the shape it declares."""
    declared = declared_input_shape(config)
    if declared is None and input_shapes:
        return first(input_shapes)
    return declared


def _dense_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    shape = first(input_shapes)
    units = as_int(config.get("units"))
    if shape is None:
        return None
    if len(shape) < 2:
        raise ShapeError(f"Dense expects an input of rank >= 2, got {shape}")
    return (*shape[:-1], units)


def quantization_mode(config: Config) -> str | None:
    """The mode of a layer quantized by `model.quantize(...)` ("int8", "int4/128",
    "float8"), from its dtype policy; None for a float layer."""
    policy = config.get("dtype")
    if isinstance(policy, dict):
        inner = policy.get("config")
        mode = inner.get("mode") if isinstance(inner, dict) else None
        if isinstance(mode, str):
            return mode
        policy = inner.get("name") if isinstance(inner, dict) else None
    if isinstance(policy, str) and "_from_" in policy:  # "int8_from_float32"
        return policy.split("_from_", 1)[0]
    return None


def _dense_params(config: Config, input_shapes: Shapes) -> int | None:
    if quantization_mode(config) is not None:
        # Keras stores scales (and, for float8, amax histories) next to the quantized
        # kernel, laid out differently by mode and version: counted from the stored
        # weights, as for layers kerasfix cannot size, never guessed.
        return None
    shape = first(input_shapes)
    units = as_int(config.get("units"))
    use_bias = flag(config, "use_bias", True)
    if shape is None or units is None or use_bias is None:
        return None
    kernel = mul_optional(shape[-1], units)
    if kernel is None:
        return None
    return kernel + (units if use_bias else 0) + lora_params(config, shape[-1], units)


def lora_params(config: Config, fan_in: int | None, units: int) -> int:
    """LoRA kernels of `Dense(..., lora_rank=r)`: A (fan_in, r) and B (r, units); Keras
    counts them on top of the frozen kernel."""
    rank = as_int(config.get("lora_rank"))
    if not rank or fan_in is None:
        return 0
    return rank * (fan_in + units)


_EINSUM = re.compile(r"^([a-zA-Z.]+),([a-zA-Z.]+)->([a-zA-Z.]+)$")


def _einsum_parts(config: Config) -> tuple[str, str, str] | None:
    equation = config.get("equation")
    if not isinstance(equation, str):
        return None
    match = _EINSUM.match(equation.replace(" ", ""))
    if match is None:
        raise ShapeError(f"cannot parse EinsumDense equation {equation!r}")
    return match.group(1), match.group(2), match.group(3)


def _einsum_output_spec(config: Config) -> tuple[int | None, ...] | None:
    value = config.get("output_shape")
    if isinstance(value, (list, tuple)):
        return tuple(as_int(v) for v in value)
    single = as_int(value)
    return None if single is None and value is not None else (single,)


def _einsum_dims(
    config: Config, input_shapes: Shapes
) -> tuple[str, str, str, dict[str, int | None]] | None:
    """Letter -> size for an EinsumDense equation without ellipses."""
    parts = _einsum_parts(config)
    shape = first(input_shapes)
    out_spec = _einsum_output_spec(config)
    if parts is None or shape is None or out_spec is None:
        return None
    inp, kern, out = parts
    if "." in inp or "." in out or "." in kern:
        return None  # ellipsis equations: not worth the complexity
    if len(inp) != len(shape):
        raise ShapeError(f"EinsumDense equation {inp!r} does not match input rank {len(shape)}")
    sizes: dict[str, int | None] = dict(zip(inp, shape, strict=False))
    # output_shape excludes the batch axis (the first output letter).
    if len(out_spec) != len(out) - 1:
        raise ShapeError("EinsumDense output_shape does not match the equation")
    for letter, size in zip(out[1:], out_spec, strict=False):
        if letter not in sizes or sizes[letter] is None:
            sizes[letter] = size
    return inp, kern, out, sizes


def _einsum_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    """Keras keeps the declared `output_shape` as is (None stays None), batch from the input."""
    found = _einsum_dims(config, input_shapes)
    shape = first(input_shapes)
    out_spec = _einsum_output_spec(config)
    if found is None or shape is None or out_spec is None:
        return None
    return (shape[0], *out_spec)


def _einsum_params(config: Config, input_shapes: Shapes) -> int | None:
    found = _einsum_dims(config, input_shapes)
    if found is None:
        return None
    _, kern, out, sizes = found
    kernel = mul_optional(*(sizes.get(letter) for letter in kern))
    bias_axes = config.get("bias_axes")
    if bias_axes is None:
        return kernel
    if not isinstance(bias_axes, str):
        return None
    # Keras's bias spans from the first bias letter to the end of the output.
    first_index = min(out.index(letter) for letter in bias_axes)
    bias_dims = [sizes.get(letter) if letter in bias_axes else 1 for letter in out[first_index:]]
    bias = mul_optional(*bias_dims)
    return None if kernel is None or bias is None else kernel + bias


def _embedding_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    shape = first(input_shapes)
    if shape is None:
        return None
    return (*shape, as_int(config.get("output_dim")))


def _embedding_params(config: Config, input_shapes: Shapes) -> int | None:
    return mul_optional(as_int(config.get("input_dim")), as_int(config.get("output_dim")))


register(
    LayerSpec("InputLayer", _input_shape, zero_params, Role.OTHER, ("shape", "batch_size")),
    "Input",
)
register(
    LayerSpec(
        "Dense",
        _dense_shape,
        _dense_params,
        Role.OTHER,
        (
            "units",
            "activation",
            "use_bias",
            "kernel_initializer",
            "bias_initializer",
            "kernel_regularizer",
            "bias_regularizer",
            "activity_regularizer",
            "kernel_constraint",
            "bias_constraint",
        ),
    )
)
register(
    LayerSpec(
        "EinsumDense",
        _einsum_shape,
        _einsum_params,
        Role.OTHER,
        ("equation", "output_shape", "activation", "bias_axes"),
    )
)
register(
    LayerSpec(
        "Embedding",
        _embedding_shape,
        _embedding_params,
        Role.OTHER,
        (
            "input_dim",
            "output_dim",
            "embeddings_initializer",
            "embeddings_regularizer",
            "embeddings_constraint",
            "mask_zero",
        ),
    )
)
register(LayerSpec("Activation", identity_shape, zero_params, Role.PRESERVING, ("activation",)))
register(LayerSpec("Identity", identity_shape, zero_params, Role.PRESERVING, ()))
register(LayerSpec("Masking", identity_shape, zero_params, Role.PRESERVING, ("mask_value",)))
