"""Convolutions: Conv1D/2D/3D, SeparableConv, DepthwiseConv and transposed convolutions.

Output sizes go through the one shared `conv_output_length`; weight counts follow the
kernel shapes Keras builds (kernel + bias, grouped, depthwise x depth_multiplier).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape, ShapeError
from kerasfix.layers.arithmetic import (
    as_int,
    channels_first,
    conv_output_length,
    deconv_output_length,
    first,
    flag,
    join_spatial,
    normalize_tuple,
    padding_of,
    product,
    split_spatial,
)
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]

CONV_POSITIONAL = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "dilation_rate",
    "groups",
    "activation",
    "use_bias",
    "kernel_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "bias_constraint",
)
# Conv3DTranspose puts data_format before output_padding (unlike 1D/2D).
TRANSPOSE_3D_POSITIONAL = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "output_padding",
    "dilation_rate",
    "activation",
    "use_bias",
)
SEPARABLE_POSITIONAL = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "dilation_rate",
    "depth_multiplier",
    "activation",
    "use_bias",
)
DEPTHWISE_POSITIONAL = (
    "kernel_size",
    "strides",
    "padding",
    "depth_multiplier",
    "data_format",
    "dilation_rate",
    "activation",
    "use_bias",
)
TRANSPOSE_POSITIONAL = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "output_padding",
    "data_format",
    "dilation_rate",
    "activation",
    "use_bias",
)


def window(config: Config, rank: int) -> tuple[tuple[int | None, ...], ...]:
    """(kernel, strides, dilation) tuples with Keras defaults."""
    kernel = normalize_tuple(config.get("kernel_size"), rank, "kernel_size")
    strides = normalize_tuple(config.get("strides", 1) or 1, rank, "strides")
    dilation = normalize_tuple(config.get("dilation_rate", 1) or 1, rank, "dilation_rate")
    if any(s is not None and s > 1 for s in strides) and any(
        d is not None and d > 1 for d in dilation
    ):
        raise ShapeError("strides > 1 cannot be combined with dilation_rate > 1")
    return kernel, strides, dilation


def spatial_out(config: Config, rank: int, spatial: Sequence[int | None]) -> tuple[int | None, ...]:
    """Spatial output dims of a (non-transposed) convolution."""
    kernel, strides, dilation = window(config, rank)
    padding = padding_of(config)
    if padding == "causal" and rank != 1:
        raise ShapeError("causal padding is only supported for 1D convolutions")
    if padding == "full":
        raise ShapeError("padding 'full' is not supported by Keras 3 convolutions")
    return tuple(
        conv_output_length(spatial[i], kernel[i], padding, strides[i], dilation[i])
        for i in range(rank)
    )


def _conv_shape_fn(rank: int, kind: str):
    """Output-shape function for one conv kind ('conv', 'separable', 'depthwise', 'transpose')."""

    def shape_fn(config: Config, input_shapes: Shapes) -> Shape | None:
        cf = channels_first(config)
        parts = split_spatial(first(input_shapes), rank, cf, kind)
        if parts is None or cf is None:
            return None
        batch, spatial, channels = parts
        if kind == "transpose":
            kernel, strides, dilation = window(config, rank)
            padding = padding_of(config)
            out_pad_value = config.get("output_padding")
            out_pad = (
                (None,) * rank
                if out_pad_value is None
                else normalize_tuple(out_pad_value, rank, "output_padding")
            )
            if out_pad_value is not None and any(p is None for p in out_pad):
                dims: tuple[int | None, ...] = (None,) * rank
            else:
                dims = tuple(
                    deconv_output_length(
                        spatial[i], kernel[i], padding, strides[i], dilation[i], out_pad[i]
                    )
                    for i in range(rank)
                )
        else:
            dims = spatial_out(config, rank, spatial)
        if kind == "depthwise":
            multiplier = as_int(config.get("depth_multiplier", 1))
            out_channels = None if channels is None or multiplier is None else channels * multiplier
        else:
            out_channels = as_int(config.get("filters"))
        return join_spatial(batch, dims, out_channels, cf)

    return shape_fn


def _conv_params_fn(rank: int, kind: str):
    """Parameter function for one conv kind."""

    def params_fn(config: Config, input_shapes: Shapes) -> int | None:
        cf = channels_first(config)
        parts = split_spatial(first(input_shapes), rank, cf, kind)
        if parts is None:
            return None
        channels = parts[2]
        kernel = product(normalize_tuple(config.get("kernel_size"), rank, "kernel_size"))
        use_bias = flag(config, "use_bias", True)
        filters = as_int(config.get("filters"))
        if channels is None or kernel is None or use_bias is None:
            return None
        if kind == "depthwise":
            multiplier = as_int(config.get("depth_multiplier", 1))
            if multiplier is None:
                return None
            return kernel * channels * multiplier + (channels * multiplier if use_bias else 0)
        if filters is None:
            return None
        bias = filters if use_bias else 0
        if kind == "separable":
            multiplier = as_int(config.get("depth_multiplier", 1))
            if multiplier is None:
                return None
            return kernel * channels * multiplier + channels * multiplier * filters + bias
        if kind == "transpose":
            return kernel * channels * filters + bias
        groups = as_int(config.get("groups", 1) or 1)
        if groups is None:
            return None
        if channels % groups or filters % groups:
            raise ShapeError(
                f"groups={groups} must divide both the input channels ({channels}) and filters "
                f"({filters})"
            )
        return kernel * (channels // groups) * filters + bias

    return params_fn


def _register_all() -> None:
    for rank in (1, 2, 3):
        conv = f"Conv{rank}D"
        register(
            LayerSpec(
                conv,
                _conv_shape_fn(rank, "conv"),
                _conv_params_fn(rank, "conv"),
                Role.SPATIAL,
                CONV_POSITIONAL,
            ),
            f"Convolution{rank}D",
        )
        register(
            LayerSpec(
                f"{conv}Transpose",
                _conv_shape_fn(rank, "transpose"),
                _conv_params_fn(rank, "transpose"),
                Role.SPATIAL,
                TRANSPOSE_3D_POSITIONAL if rank == 3 else TRANSPOSE_POSITIONAL,
            ),
            f"Convolution{rank}DTranspose",
        )
    for rank in (1, 2):
        register(
            LayerSpec(
                f"SeparableConv{rank}D",
                _conv_shape_fn(rank, "separable"),
                _conv_params_fn(rank, "separable"),
                Role.SPATIAL,
                SEPARABLE_POSITIONAL,
            ),
            f"SeparableConvolution{rank}D",
        )
        register(
            LayerSpec(
                f"DepthwiseConv{rank}D",
                _conv_shape_fn(rank, "depthwise"),
                _conv_params_fn(rank, "depthwise"),
                Role.SPATIAL,
                DEPTHWISE_POSITIONAL,
            ),
            f"DepthwiseConvolution{rank}D",
        )


_register_all()
