"""Recurrent layers: SimpleRNN, LSTM, GRU (reset_after), ConvLSTM1D/2D/3D.

Bidirectional lives in wrappers.py because it wraps any of these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape
from kerasfix.layers.arithmetic import (
    as_int,
    channels_first,
    check_rank,
    first,
    flag,
    join_spatial,
    normalize_tuple,
    product,
)
from kerasfix.layers.conv import spatial_out
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]

RNN_POSITIONAL = ("units", "activation", "recurrent_activation")
SIMPLE_RNN_POSITIONAL = ("units", "activation", "use_bias")
CONV_LSTM_POSITIONAL = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "dilation_rate",
    "activation",
    "recurrent_activation",
    "use_bias",
)

GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _rnn_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    shape = check_rank(first(input_shapes), 3, "a recurrent layer")
    if shape is None:
        return None
    units = as_int(config.get("units"))
    sequences = flag(config, "return_sequences", False)
    if sequences is None:
        return None
    return (shape[0], shape[1], units) if sequences else (shape[0], units)


def _rnn_params_fn(kind: str):
    gates = GATES[kind]

    def params_fn(config: Config, input_shapes: Shapes) -> int | None:
        shape = check_rank(first(input_shapes), 3, kind)
        units = as_int(config.get("units"))
        use_bias = flag(config, "use_bias", True)
        if shape is None or shape[-1] is None or units is None or use_bias is None:
            return None
        weights = gates * units * (shape[-1] + units)
        if not use_bias:
            return weights
        bias = gates * units
        if kind == "GRU":
            reset_after = flag(config, "reset_after", True)
            if reset_after is None:
                return None
            bias *= 2 if reset_after else 1
        return weights + bias

    return params_fn


def _conv_lstm_parts(rank: int, config: Config, input_shapes: Shapes):
    shape = check_rank(first(input_shapes), rank + 3, f"ConvLSTM{rank}D")
    cf = channels_first(config)
    if shape is None or cf is None:
        return None
    batch, time = shape[0], shape[1]
    step = shape[2:]
    channels, spatial = (step[0], step[1:]) if cf else (step[-1], step[:-1])
    return batch, time, tuple(spatial), channels, cf


def _conv_lstm_shape_fn(rank: int):
    def shape_fn(config: Config, input_shapes: Shapes) -> Shape | None:
        parts = _conv_lstm_parts(rank, config, input_shapes)
        if parts is None:
            return None
        batch, time, spatial, _, cf = parts
        dims = spatial_out(config, rank, spatial)
        filters = as_int(config.get("filters"))
        sequences = flag(config, "return_sequences", False)
        if sequences is None:
            return None
        per_step = join_spatial(batch, dims, filters, cf)
        return (batch, time, *per_step[1:]) if sequences else per_step

    return shape_fn


def _conv_lstm_params_fn(rank: int):
    def params_fn(config: Config, input_shapes: Shapes) -> int | None:
        parts = _conv_lstm_parts(rank, config, input_shapes)
        if parts is None:
            return None
        channels = parts[3]
        kernel = product(normalize_tuple(config.get("kernel_size"), rank, "kernel_size"))
        filters = as_int(config.get("filters"))
        use_bias = flag(config, "use_bias", True)
        if channels is None or kernel is None or filters is None or use_bias is None:
            return None
        weights = kernel * 4 * filters * (channels + filters)
        return weights + (4 * filters if use_bias else 0)

    return params_fn


for _kind in GATES:
    register(
        LayerSpec(
            _kind,
            _rnn_shape,
            _rnn_params_fn(_kind),
            Role.OTHER,
            SIMPLE_RNN_POSITIONAL if _kind == "SimpleRNN" else RNN_POSITIONAL,
        )
    )
for _rank in (1, 2, 3):
    register(
        LayerSpec(
            f"ConvLSTM{_rank}D",
            _conv_lstm_shape_fn(_rank),
            _conv_lstm_params_fn(_rank),
            Role.SPATIAL,
            CONV_LSTM_POSITIONAL,
        )
    )


def time_before_channels(class_name: str, config: Config, channels_first: bool) -> bool:
    """Whether the layer's output is (batch, time, channels, *spatial): a channels_first
    ConvLSTM returning sequences. Its channel axis is 2, not 1, so pooling with
    `data_format="channels_first"` straight on it would keep the time steps, not the filters."""
    if not channels_first or not class_name.startswith("ConvLSTM"):
        return False
    return flag(config, "return_sequences", False) is True
