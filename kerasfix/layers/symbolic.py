"""Sizes not known statically, followed as formulas of named input sizes (H, W, ...).

A model without a declared input size still has a Flatten size that is a formula of that
size: ConvLSTM2D(256, 3) over an HxW input flattens 256*(H-2)*(W-2) values. Only layers whose
output size is an exact formula of the input size are followed (convolutions, pooling,
ConvLSTM, shape-preserving layers); anything else gives up (None), so every formula is exact.
The floor/ceil rules are those of `arithmetic.conv_output_length`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kerasfix.graph.model import Shape
from kerasfix.layers.arithmetic import (
    as_int,
    channels_first,
    conv_output_length,
    normalize_tuple,
    padding_of,
)


@dataclass(frozen=True)
class Sym:
    """One size as a readable expression (`H-2`, `ceil(W/2)`) that can be evaluated."""

    text: str
    evaluate: Callable[[Mapping[str, int]], int] = field(compare=False, repr=False)
    names: frozenset[str]
    base: str | None = None  # for `base + offset` forms, which stay readable when shifted
    offset: int = 0

    @property
    def atomic(self) -> bool:
        return re.fullmatch(r"\w+|\w+\(.*\)", self.text) is not None


SymDim = int | Sym | None
SymShape = tuple[SymDim, ...]
NAME_ORDER = ("T", "D", "L", "H", "W")


def named(name: str) -> Sym:
    return Sym(name, lambda env: env[name], frozenset({name}), base=name)


def input_names(rank: int, hint: Sequence[str] | None = None) -> tuple[str, ...]:
    """Names for the spatial sizes of a channels-last input of this rank (batch included)."""
    spatial = rank - 2
    if hint is not None and len(hint) == spatial:
        return tuple(hint)
    return {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(spatial, ())


def shift(dim: Sym, delta: int) -> Sym:
    if delta == 0:
        return dim
    if dim.base is not None:
        offset = dim.offset + delta
        text = dim.base if offset == 0 else f"{dim.base}{offset:+d}"
        base = dim.base
        return Sym(text, lambda env: env[base] + offset, dim.names, base=base, offset=offset)
    return Sym(f"{dim.text}{delta:+d}", lambda env: dim.evaluate(env) + delta, dim.names)


def conv_length(
    length: SymDim, kernel: int | None, padding: str | None, stride: int | None, dilation: int = 1
) -> SymDim:
    """`arithmetic.conv_output_length` for a size that may be a formula."""
    if not isinstance(length, Sym):
        return conv_output_length(length, kernel, padding, stride, dilation)
    if kernel is None or stride is None or stride <= 0 or kernel <= 0 or dilation <= 0:
        return None
    effective = (kernel - 1) * dilation + 1
    inner = length.text if length.atomic else f"({length.text})"
    if padding in ("same", "causal"):
        if stride == 1:
            return length
        return Sym(
            f"ceil({inner}/{stride})",
            lambda env: -(-length.evaluate(env) // stride),
            length.names,
        )
    if padding == "valid":
        if stride == 1:
            return shift(length, 1 - effective)
        shifted = shift(length, -effective)
        numerator = shifted.text if shifted.atomic else f"({shifted.text})"
        return shift(
            Sym(
                f"floor({numerator}/{stride})",
                lambda env: shifted.evaluate(env) // stride,
                length.names,
            ),
            1,
        )
    return None


Config = dict[str, Any]
_CONV = re.compile(r"^(Conv|SeparableConv|DepthwiseConv)([123])D$")
_POOL = re.compile(r"^(MaxPooling|AveragePooling)([123])D$")
_CONV_LSTM = re.compile(r"^ConvLSTM([123])D$")


def output_shape(class_name: str, config: Config, parent: SymShape) -> SymShape | None:
    """The symbolic output of one layer on a symbolic input, for the families it follows."""
    if channels_first(config) is not False:  # formulas are named for channels-last maps
        return None
    if match := _CONV.match(class_name):
        rank = int(match.group(2))
        if len(parent) != rank + 2:
            return None
        channels = _conv_channels(match.group(1), config, parent[-1])
        return _windowed(config, parent, rank, "kernel_size", channels)
    if match := _POOL.match(class_name):
        rank = int(match.group(2))
        if len(parent) != rank + 2:
            return None
        return _windowed(config, parent, rank, "pool_size", parent[-1])
    if match := _CONV_LSTM.match(class_name):
        rank = int(match.group(1))
        if len(parent) != rank + 3 or config.get("return_sequences") not in (None, False):
            return None
        return _windowed(config, (parent[0], *parent[2:]), rank, "kernel_size", _filters(config))
    return None


def _filters(config: Config) -> int | None:
    return as_int(config.get("filters"))


def _conv_channels(kind: str, config: Config, channels: SymDim) -> SymDim:
    if kind == "DepthwiseConv":
        multiplier = as_int(config.get("depth_multiplier", 1))
        return channels * multiplier if isinstance(channels, int) and multiplier else None
    return _filters(config)


def _windowed(
    config: Config, parent: SymShape, rank: int, window_key: str, channels: SymDim
) -> SymShape | None:
    try:
        window_value = config.get(window_key, 2 if window_key == "pool_size" else None)
        window = normalize_tuple(window_value, rank, window_key)
        strides_value = config.get("strides")
        if strides_value is None:
            strides = window if window_key == "pool_size" else (1,) * rank
        else:
            strides = normalize_tuple(strides_value, rank, "strides")
        dilation = normalize_tuple(config.get("dilation_rate", 1), rank, "dilation_rate")
        padding = padding_of(config)
    except ValueError:
        return None
    dims = tuple(
        conv_length(parent[1 + i], window[i], padding, strides[i], dilation[i] or 1)
        for i in range(rank)
    )
    return (parent[0], *dims, channels)


def merge_known(known: Shape | None, symbolic: SymShape | None) -> SymShape | None:
    """Known sizes win over formulas; a rank mismatch means the formula is not this shape."""
    if symbolic is None or known is None or len(known) != len(symbolic):
        return None
    return tuple(k if k is not None else s for k, s in zip(known, symbolic, strict=True))


@dataclass(frozen=True)
class Formula:
    """`coefficient * factor * factor ... + constant`, with the factors formulas."""

    coefficient: int
    factors: tuple[Sym, ...]
    constant: int

    @property
    def text(self) -> str:
        parts = [str(self.coefficient)] if self.coefficient != 1 or not self.factors else []
        parts += [f.text if f.atomic else f"({f.text})" for f in self.factors]
        body = "*".join(parts)
        return f"{body} + {self.constant}" if self.constant else body

    @property
    def names(self) -> tuple[str, ...]:
        found = frozenset().union(*(f.names for f in self.factors))
        return tuple(sorted(found, key=lambda n: (*NAME_ORDER, n).index(n)))

    def evaluate(self, env: Mapping[str, int]) -> int | None:
        value = self.coefficient
        for factor in self.factors:
            size = factor.evaluate(env)
            if size <= 0:
                return None  # Keras would refuse to build at this size
            value *= size
        return value + self.constant


def dense_formula(spatial: Sequence[SymDim], channels: int, units: int, use_bias: bool):
    """The Dense parameter count after Flatten as a formula; None if a size is not followed."""
    coefficient = channels * units
    factors: list[Sym] = []
    for dim in spatial:
        if isinstance(dim, int):
            coefficient *= dim
        elif isinstance(dim, Sym):
            factors.append(dim)
        else:
            return None
    if not factors:
        return None
    return Formula(coefficient, tuple(factors), units if use_bias else 0)
