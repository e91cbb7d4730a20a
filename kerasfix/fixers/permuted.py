"""Two layers where `Flatten(...)` was one: `Permute(dims)` then the pooling.

A channels_first ConvLSTM returning sequences gives (batch, time, filters, *spatial); the
pooling that keeps the filters first swaps time and filters. One call cannot become two in
place, so the pair is written where the call's parent can hold two layers: a layer list
(`[..., Flatten(), ...]`), a statement `model.add(Flatten())`, or a call on a tensor
(`Flatten()(x)` becomes `Pooling(...)(Permute(dims)(x))`). Anywhere else the site is left
as written, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

PERMUTE = "Permute"


@dataclass(frozen=True)
class Pair:
    """The two calls that replace one held `Flatten(...)` call."""

    permute: cst.Call
    pooling: cst.Call


def permute_call(pooling_func: cst.BaseExpression, dims: tuple[int, ...]) -> cst.Call:
    """`<same spelling>.Permute((2, 1, 3, 4))`, written the way the pooling's class is."""
    if isinstance(pooling_func, cst.Attribute):
        func: cst.BaseExpression = pooling_func.with_changes(attr=cst.Name(PERMUTE))
    else:
        func = cst.Name(PERMUTE)
    order = cst.parse_expression(f"({', '.join(str(d) for d in dims)})")
    return cst.Call(func=func, args=[cst.Arg(value=order)])


def in_element(element: cst.Element, pair: Pair) -> cst.FlattenSentinel[cst.BaseElement]:
    """`[..., Flatten(), ...]` -> `[..., Permute(dims), Pooling(...), ...]`."""
    comma = element.comma
    first_comma = comma if isinstance(comma, cst.Comma) else _SPACE_COMMA
    return cst.FlattenSentinel(
        [
            element.with_changes(value=pair.permute, comma=first_comma),
            element.with_changes(value=pair.pooling),
        ]
    )


def in_applied_call(call: cst.Call, pair: Pair) -> cst.Call:
    """`Flatten()(x)` -> `Pooling()(Permute(dims)(x))`."""
    inner = cst.Call(func=pair.permute, args=call.args)
    return call.with_changes(func=pair.pooling, args=[cst.Arg(value=inner)])


def held_in_add(line: cst.SimpleStatementLine) -> cst.Call | None:
    """The argument of a statement `model.add(<call>)`, the only statement on its line."""
    if len(line.body) != 1 or not isinstance(line.body[0], cst.Expr):
        return None
    call = line.body[0].value
    if (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "add"
        and len(call.args) == 1
        and call.args[0].keyword is None
        and isinstance(call.args[0].value, cst.Call)
    ):
        return call.args[0].value
    return None


def in_add(line: cst.SimpleStatementLine, pair: Pair) -> cst.FlattenSentinel[cst.BaseStatement]:
    """`model.add(Flatten())` -> `model.add(Permute(dims))` and `model.add(Pooling(...))`."""
    expr = line.body[0]
    assert isinstance(expr, cst.Expr) and isinstance(expr.value, cst.Call)
    add = expr.value

    def with_layer(layer: cst.Call) -> cst.Expr:
        arg = add.args[0].with_changes(value=layer)
        return expr.with_changes(value=add.with_changes(args=[arg]))

    return cst.FlattenSentinel(
        [
            line.with_changes(body=[with_layer(pair.permute)]),
            line.with_changes(body=[with_layer(pair.pooling)], leading_lines=()),
        ]
    )


_SPACE_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
