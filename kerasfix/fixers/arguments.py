"""The arguments a `Flatten(...)` call keeps when it becomes a global pooling layer.

`Flatten(data_format=None, **base_layer_kwargs)` and `GlobalAveragePooling2D(data_format=None,
keepdims=False, **base_layer_kwargs)` share `data_format` (first positional) and the base
`Layer` keywords; anything else has no meaning for the pooling layer and is dropped. The
pooling must run over the map's real layout, so a channels-first map gets
`data_format="channels_first"` even where `Flatten` had none.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

KEPT_KEYWORDS = frozenset(
    {
        "name",
        "data_format",
        "dtype",
        "trainable",
        "autocast",
        "input_shape",
        "batch_input_shape",
        "batch_size",
        "input_dim",
        "dim_ordering",
    }
)
CHANNELS_FIRST = "channels_first"


def rewrite_arguments(
    args: Sequence[cst.Arg], channels_first: bool, quote: str = '"', keras1: bool = False
) -> tuple[list[cst.Arg], list[str]]:
    """The new argument list, and the keywords (or positions) that were dropped.

    `keras1`: the file speaks Keras 1 (`dim_ordering=`), whose pooling layers take
    `dim_ordering="th"` rather than `data_format="channels_first"`.
    """
    kept: list[cst.Arg] = []
    dropped: list[str] = []
    has_format = False
    for index, arg in enumerate(args):
        keyword = arg.keyword.value if arg.keyword is not None else None
        if arg.star:  # *args / **kwargs: not ours to judge
            kept.append(arg)
        elif (keyword is None and index == 0) or keyword in ("data_format", "dim_ordering"):
            has_format = True
            kept.append(_with_format(arg, channels_first, quote))
        elif keyword in KEPT_KEYWORDS:
            kept.append(arg)
        else:
            dropped.append(keyword or f"positional argument {index + 1}")
    if kept and len(kept) != len(args):
        kept[-1] = kept[-1].with_changes(comma=args[-1].comma)
    if channels_first and not has_format:
        kept = _append(kept, _format_arg(quote, keras1))
    return kept, dropped


def _with_format(arg: cst.Arg, channels_first: bool, quote: str) -> cst.Arg:
    """Keep the user's data_format unless the map is channels-first and it says otherwise."""
    if not channels_first:
        return arg
    value = arg.value
    wanted = (
        "th" if arg.keyword is not None and arg.keyword.value == "dim_ordering" else CHANNELS_FIRST
    )
    if isinstance(value, cst.SimpleString) and value.evaluated_value != wanted:
        return arg.with_changes(value=_string(wanted, value.quote))
    return arg


def _format_arg(quote: str, keras1: bool = False) -> cst.Arg:
    keyword, value = ("dim_ordering", "th") if keras1 else ("data_format", CHANNELS_FIRST)
    return cst.Arg(
        keyword=cst.Name(keyword),
        value=_string(value, quote),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def _string(text: str, quote: str) -> cst.SimpleString:
    return cst.SimpleString(f"{quote}{text}{quote}")


def _append(args: list[cst.Arg], new: cst.Arg) -> list[cst.Arg]:
    """Add `new` last, keeping a trailing comma (and its line break) where there was one."""
    if not args:
        return [new]
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        separator = args[-2].comma if len(args) > 1 else _SPACE_COMMA
        return [*args[:-1], last.with_changes(comma=separator), new.with_changes(comma=last.comma)]
    return [*args[:-1], last.with_changes(comma=_SPACE_COMMA), new]


_SPACE_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
