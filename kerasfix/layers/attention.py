"""MultiHeadAttention: four EinsumDense projections whose sizes the config and the inputs fix.

Keras builds query/key/value projections of shape (input_dim, num_heads, key_dim or
value_dim), each with a (num_heads, dim) bias, and an output projection of shape
(num_heads, value_dim, *output_shape) with an `output_shape` bias; `output_shape` defaults to
the query's last axis. The inputs are (query, value[, key]); key defaults to value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape
from kerasfix.layers.arithmetic import as_int, flag
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]


def _output_tail(config: Config, query: Shape) -> tuple[int | None, ...]:
    """The output's trailing axes: `output_shape` (an int or a tuple), else the query's."""
    value = config.get("output_shape")
    if value is None:
        return (query[-1],)
    if isinstance(value, list | tuple):
        return tuple(as_int(v) for v in value)
    return (as_int(value),)


def _attention_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    query = input_shapes[0] if input_shapes else None
    if query is None:
        return None
    return (*query[:-1], *_output_tail(config, query))


def _attention_params(config: Config, input_shapes: Shapes) -> int | None:
    if not input_shapes or any(shape is None for shape in input_shapes):
        return None
    query, value = input_shapes[0], input_shapes[1] if len(input_shapes) > 1 else input_shapes[0]
    key = input_shapes[2] if len(input_shapes) > 2 else value
    assert query is not None and value is not None and key is not None
    heads, key_dim = as_int(config.get("num_heads")), as_int(config.get("key_dim"))
    value_dim = as_int(config.get("value_dim")) if config.get("value_dim") is not None else key_dim
    bias = flag(config, "use_bias", True)
    out = _output_tail(config, query)
    sizes = (heads, key_dim, value_dim, query[-1], key[-1], value[-1], *out)
    if bias is None or any(not isinstance(s, int) for s in sizes):
        return None
    assert heads is not None and key_dim is not None and value_dim is not None
    width = math.prod(out)  # type: ignore[arg-type]
    total = 0
    for fan_in, dim in ((query[-1], key_dim), (key[-1], key_dim), (value[-1], value_dim)):
        total += fan_in * heads * dim + (heads * dim if bias else 0)  # type: ignore[operator]
    return total + heads * value_dim * width + (width if bias else 0)


register(
    LayerSpec(
        "MultiHeadAttention",
        _attention_shape,
        _attention_params,
        Role.OTHER,
        ("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape"),
    )
)
