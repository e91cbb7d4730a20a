"""Shared shape arithmetic: one conv/pool length formula and config value coercion.

Every convolution, pooling and backbone output size goes through `conv_output_length`, so
the padding rules live in one place and match Keras's `compute_conv_output_shape`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Dim, Shape, ShapeError

PADDINGS = ("valid", "same", "causal", "full")


def as_int(value: object) -> int | None:
    """`value` if it is a real int (not bool, not Unknown), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_float(value: object) -> float | None:
    """`value` as a float if it is a plain number (not bool), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def is_unknown(value: object) -> bool:
    """True for the frontends' `Unknown` sentinel."""
    return type(value).__name__ == "Unknown"


def normalize_tuple(value: object, n: int, name: str = "value") -> tuple[int | None, ...]:
    """An int or a length-n sequence as n ints; unknown entries become None.

    Mirrors `keras.src.utils.argument_validation.standardize_tuple`: a bare int is repeated.
    """
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ShapeError(f"{name} must have {n} entries, got {len(value)}")
        return tuple(as_int(v) for v in value)
    single = as_int(value)
    if single is None and value is not None and not is_unknown(value):
        raise ShapeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    return (single,) * n


def padding_of(config: dict[str, Any], default: str = "valid") -> str | None:
    """The padding mode in lower case, or None when unknown."""
    value = config.get("padding", default)
    if value is None:
        return default
    if not isinstance(value, str):
        return None
    value = value.lower()
    if value not in PADDINGS:
        raise ShapeError(f"unknown padding {value!r}")
    return value


def channels_first(config: dict[str, Any]) -> bool | None:
    """True for channels_first, False for channels_last (also for None/missing), None if unknown."""
    value = config.get("data_format")
    if value is None:
        return False
    if is_unknown(value) or not isinstance(value, str):
        return None
    value = value.lower()
    if value not in ("channels_first", "channels_last"):
        raise ShapeError(f"unknown data_format {value!r}")
    return value == "channels_first"


def conv_output_length(
    length: Dim,
    kernel: int | None,
    padding: str | None,
    stride: int | None,
    dilation: int | None = 1,
) -> Dim:
    """Output length of a convolution or pooling window along one axis (None = unknown).

    Raises ShapeError where Keras would produce a non-positive size.
    """
    if length is None or kernel is None or padding is None or stride is None or dilation is None:
        return None
    if stride <= 0 or kernel <= 0 or dilation <= 0:
        raise ShapeError("kernel size, strides and dilation must be positive")
    effective = (kernel - 1) * dilation + 1
    if padding in ("same", "causal"):
        out = (length + stride - 1) // stride
    elif padding == "valid":
        out = (length - effective) // stride + 1
    elif padding == "full":
        out = (length + effective - 2) // stride + 1
    else:
        raise ShapeError(f"unknown padding {padding!r}")
    if out <= 0:
        raise ShapeError(
            f"window {effective} with stride {stride} and padding {padding!r} does not fit length "
            f"{length}"
        )
    return out


def deconv_output_length(
    length: Dim,
    kernel: int | None,
    padding: str | None,
    stride: int | None,
    dilation: int | None = 1,
    output_padding: int | None = None,
) -> Dim:
    """Output length of a transposed convolution (Keras `compute_conv_transpose_output_shape`)."""
    if length is None or kernel is None or padding is None or stride is None or dilation is None:
        return None
    if padding not in ("same", "valid"):
        raise ShapeError(f"padding {padding!r} is not supported by transposed convolutions")
    kernel = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(kernel, stride) - kernel if output_padding is None else output_padding
        out = (length - 1) * stride + kernel + extra
    elif output_padding is None:
        out = length * stride
    else:
        out = (length - 1) * stride + kernel % 2 + output_padding
    if out <= 0:
        raise ShapeError("transposed convolution output size is not positive")
    return out


def check_rank(shape: Shape | None, rank: int | Sequence[int], layer: str) -> Shape | None:
    """`shape` if it has the expected rank (incl. batch), else raise; None passes through."""
    if shape is None:
        return None
    ranks = (rank,) if isinstance(rank, int) else tuple(rank)
    if len(shape) not in ranks:
        expected = " or ".join(str(r) for r in ranks)
        raise ShapeError(f"{layer} expects inputs of rank {expected}, got shape {shape}")
    return shape


def product(dims: Sequence[Dim]) -> int | None:
    """Product of dims, None if any is unknown."""
    if any(d is None for d in dims):
        return None
    return math.prod(d for d in dims if d is not None)


def mul_optional(*terms: int | None) -> int | None:
    """Product of counts, None if any is unknown."""
    if any(t is None for t in terms):
        return None
    return math.prod(t for t in terms if t is not None)


def flag(config: dict[str, Any], key: str, default: bool) -> bool | None:
    """A boolean config value with Keras's default; None when unknown."""
    value = config.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    return None


def first(input_shapes: Sequence[Shape | None]) -> Shape | None:
    """The single input's shape (None when absent)."""
    return input_shapes[0] if input_shapes else None


def zero_params(config: dict[str, Any], input_shapes: Sequence[Shape | None]) -> int | None:
    """Parameter function for weightless layers."""
    return 0


def identity_shape(config: dict[str, Any], input_shapes: Sequence[Shape | None]) -> Shape | None:
    """Output shape equal to the first input's shape."""
    return first(input_shapes)


def split_spatial(
    shape: Shape | None, rank: int, cf: bool | None, layer: str
) -> tuple[Dim, tuple[Dim, ...], Dim] | None:
    """(batch, spatial dims, channels) of an N-d feature map; None when shape or format unknown.

    Raises ShapeError on a rank mismatch, as Keras's input spec would.
    """
    if shape is None:
        return None
    check_rank(shape, rank + 2, layer)
    if cf is None:
        return None
    if cf:
        return shape[0], tuple(shape[2:]), shape[1]
    return shape[0], tuple(shape[1:-1]), shape[-1]


def join_spatial(batch: Dim, spatial: Sequence[Dim], channels: Dim, cf: bool) -> Shape:
    """Inverse of `split_spatial`."""
    if cf:
        return (batch, channels, *spatial)
    return (batch, *spatial, channels)


_SPATIAL_FAMILY = re.compile(
    r"^(?:Conv|SeparableConv|DepthwiseConv|MaxPooling|AveragePooling|ZeroPadding|Cropping"
    r"|UpSampling|SpatialDropout)([123])D(?:Transpose)?$"
)
_CONV_LSTM = re.compile(r"^ConvLSTM([123])D$")


def expected_input_rank(class_name: str) -> int | None:
    """The input rank (batch included) a layer accepts, where it accepts exactly one: a
    Sequential whose first layer is a Conv2D takes 4-d input even when no size is declared,
    so its channels can still be followed."""
    if match := _SPATIAL_FAMILY.match(class_name):
        return int(match.group(1)) + 2
    if match := _CONV_LSTM.match(class_name):
        return int(match.group(1)) + 3
    if class_name in ("Resizing", "CenterCrop"):
        return 4
    return None
