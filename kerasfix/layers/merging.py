"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Dim, Shape, ShapeError
from kerasfix.layers.arithmetic import as_int, zero_params
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]


def _broadcast(a: Sequence[Dim], b: Sequence[Dim]) -> tuple[Dim, ...]:
    """Keras's elementwise merge broadcasting (`_compute_elemwise_op_output_shape`)."""
    if len(a) < len(b):
        a, b = b, a
    out = list(a[: len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b) :], b, strict=False):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ShapeError(f"incompatible shapes for a merge: {tuple(a)} and {tuple(b)}")
    return tuple(out)


def _elementwise_fn(minimum: int, maximum: int | None = None):
    def shape_fn(config: Config, input_shapes: Shapes) -> Shape | None:
        if len(input_shapes) < minimum or (maximum is not None and len(input_shapes) > maximum):
            raise ShapeError(f"this merge takes {minimum}..{maximum or 'n'} inputs")
        if any(s is None for s in input_shapes):
            return None
        shapes = [s for s in input_shapes if s is not None]
        batches = {s[0] for s in shapes if s and s[0] is not None}
        batch = batches.pop() if len(batches) == 1 else None
        body: tuple[Dim, ...] = tuple(shapes[0][1:])
        for shape in shapes[1:]:
            body = _broadcast(body, shape[1:])
        return (batch, *body)

    return shape_fn


def _concat_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    if len(input_shapes) < 1:
        raise ShapeError("Concatenate needs inputs")
    if any(s is None for s in input_shapes):
        return None
    shapes = [s for s in input_shapes if s is not None]
    rank = len(shapes[0])
    if any(len(s) != rank for s in shapes):
        raise ShapeError("Concatenate inputs must have the same rank")
    axis = as_int(config.get("axis", -1))
    if axis is None:
        return (None,) * rank
    if not -rank <= axis < rank:
        raise ShapeError(f"Concatenate axis {axis} out of range for rank {rank}")
    axis %= rank
    out: list[Dim] = []
    for i in range(rank):
        dims = [s[i] for s in shapes]
        if i == axis:
            out.append(None if None in dims else sum(d for d in dims if d is not None))
            continue
        known = {d for d in dims if d is not None}
        if len(known) > 1:
            raise ShapeError(f"Concatenate inputs disagree on axis {i}: {dims}")
        out.append(known.pop() if known else None)
    return tuple(out)


def _dot_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    if len(input_shapes) != 2:
        raise ShapeError("Dot takes exactly two inputs")
    a, b = input_shapes
    if a is None or b is None:
        return None
    axes = config.get("axes")
    if isinstance(axes, (list, tuple)):
        pair = [as_int(x) for x in axes]
    else:
        pair = [as_int(axes), as_int(axes)]
    if None in pair or len(pair) != 2:
        return None
    ax = [p % len(s) if p < 0 else p for p, s in zip(pair, (a, b), strict=False)]  # type: ignore[operator]
    if a[ax[0]] is not None and b[ax[1]] is not None and a[ax[0]] != b[ax[1]]:
        raise ShapeError(f"Dot axes have different sizes: {a[ax[0]]} and {b[ax[1]]}")
    left = [d for i, d in enumerate(a) if i != ax[0]]
    right = [d for i, d in enumerate(b) if i != ax[1]][1:]
    out = left + right
    if len(out) == 1:
        out.append(1)
    return tuple(out)


for _name, _low, _high in (
    ("Add", 1, None),
    ("Subtract", 2, 2),
    ("Multiply", 1, None),
    ("Average", 1, None),
    ("Maximum", 1, None),
    ("Minimum", 1, None),
):
    register(LayerSpec(_name, _elementwise_fn(_low, _high), zero_params, Role.MERGE, ()))
register(LayerSpec("Concatenate", _concat_shape, zero_params, Role.MERGE, ("axis",)))
register(LayerSpec("Dot", _dot_shape, zero_params, Role.OTHER, ("axes", "normalize")))
