"""Models of the Python builtins and NumPy helpers that model-building code leans on.

Each returns a constant when its arguments are constants and `Unknown` otherwise, so
`input_shape = (IMG_SIZE, IMG_SIZE, len(CHANNELS))` resolves and `len(data)` does not.
"""

from __future__ import annotations

import itertools
import math
import string
from collections.abc import Callable
from typing import Any

from kerasfix.frontends.source.audio_features import FeatureFrames
from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.file_handles import opened
from kerasfix.frontends.source.label_values import np_unique
from kerasfix.frontends.source.scalar_math import SCALAR_FUNCTIONS
from kerasfix.frontends.source.value_ops import (
    concrete_items,
    expand_shape,
    is_plain,
    reshape_array,
)
from kerasfix.frontends.source.values import (
    ArrayValue,
    AttributeBag,
    ListValue,
    RangeValue,
    RunTimeNumber,
    Unknown,
)
from kerasfix.limits import MAX_UNROLL

# (interpreter, positional arguments, keyword arguments) -> value
Builtin = Callable[[Any, list[Any], dict[str, Any]], Any]


def _next(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`next(generator.flow(x))`, `next(iter(ds))`: one batch of a data source, as a loop
    over it binds; anything else is only known at run time."""
    if args and isinstance(args[0], DataValue) and args[0].batched:
        element = interp.element_of(args[0])
        if element is not None:
            return element
    return Unknown("the result of next()")


def _plain_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _len(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if args and isinstance(args[0], ListValue) and args[0].open_ended:
        return Unknown("the length of a list filled in a loop")
    if args:
        items = concrete_items(args[0])
        if items is not None:
            return len(items)
        if isinstance(args[0], ArrayValue) and args[0].shape:
            return args[0].shape[0]
    return Unknown("a len() of data")


def _convert(kind: type) -> Builtin:
    def convert(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if not args:
            return kind()
        value = args[0]
        if isinstance(value, int | float | str | bool):
            try:
                return kind(value)
            except (TypeError, ValueError, OverflowError):
                return Unknown(f"{kind.__name__}() of a value")
        if isinstance(value, Unknown):
            return value
        return Unknown(f"{kind.__name__}() of a value not known statically")

    return convert


def _tuple(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not args:
        return ()
    items = concrete_items(args[0])
    return tuple(items) if items is not None else Unknown("tuple() of a value")


def _dict(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`dict(img_size=64)`, `dict(base, lr=0.1)`, `dict([("a", 1)])`: a config by keywords."""
    result: dict[Any, Any] = {}
    if args:
        source = args[0]
        if isinstance(source, dict):
            result.update(source)
        else:
            for item in concrete_items(source) or [None]:
                pair = concrete_items(item)
                if pair is None or len(pair) != 2 or not is_plain(pair[0]):
                    return Unknown("dict() of a value not known statically")
                result[pair[0]] = pair[1]
    result.update(kwargs)
    return result


def _namespace(args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`SimpleNamespace(img_size=64)` / `argparse.Namespace(...)`: attributes as given."""
    if args:
        return Unknown("a namespace made from a value not known statically")
    return AttributeBag("an attribute the namespace is not given", dict(kwargs))


def _list(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not args:
        return ListValue([])
    items = concrete_items(args[0])
    if items is None:
        return Unknown("list() of a value")
    return ListValue(items, open_ended=isinstance(args[0], ListValue) and args[0].open_ended)


def _reduce(fn: Callable[..., Any], name: str) -> Builtin:
    def reduce(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        values = args
        if len(args) == 1:
            values = concrete_items(args[0]) or []
        if values and all(_plain_number(v) for v in values):
            return fn(values)
        return Unknown(f"{name}() of values not known statically")

    return reduce


def _abs(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return abs(args[0]) if args and _plain_number(args[0]) else Unknown("abs() of a value")


def _round(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if args and _plain_number(args[0]) and (len(args) == 1 or isinstance(args[1], int)):
        return round(*args[:2])
    return Unknown("round() of a value")


def _enumerate(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    items = concrete_items(args[0]) if args else None
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    if items is None or not isinstance(start, int):
        return Unknown("enumerate() of a value")
    return tuple((i + start, item) for i, item in enumerate(items))


def _zip(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    lists = [concrete_items(a) for a in args]
    if any(items is None for items in lists):
        return Unknown("zip() of a value")
    return tuple(zip(*lists, strict=False))  # type: ignore[arg-type]


def _reversed(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    items = concrete_items(args[0]) if args else None
    return tuple(reversed(items)) if items is not None else Unknown("reversed() of a value")


def _range(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not args or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return Unknown("a range() over values not known statically")
    try:
        values = range(*args[:3])
    except (TypeError, ValueError):
        return Unknown("an invalid range()")
    if len(values) > MAX_UNROLL:
        return Unknown("a range() too long to follow")
    return RangeValue(values)


def _none(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return None


def _unknown(name: str) -> Builtin:
    def unknown(interp: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return Unknown(f"the result of {name}()")

    return unknown


BUILTINS: dict[str, Builtin] = {
    "len": _len,
    "int": _convert(int),
    "float": _convert(float),
    "str": _convert(str),
    "bool": _convert(bool),
    "tuple": _tuple,
    "list": _list,
    "dict": _dict,
    "min": _reduce(min, "min"),
    "max": _reduce(max, "max"),
    "sum": _reduce(sum, "sum"),
    "abs": _abs,
    "round": _round,
    "enumerate": _enumerate,
    "zip": _zip,
    "reversed": _reversed,
    "print": _none,
    **{name: _unknown(name) for name in ("super", "isinstance", "getattr", "input")},
    "open": lambda interp, args, kwargs: opened(args),
    "iter": lambda interp, args, kwargs: args[0] if args else Unknown("iter()"),
    "next": _next,
}


class BuiltinRef:
    """A Python builtin the interpreter models (range, len, int, ...), as a callable value."""

    def __init__(self, name: str, fn: Builtin) -> None:
        self.name = name
        self.fn = fn


# What a name means when the file does not define it: the builtins modelled above, range,
# and the constants.
# The standard library's constant strings (`characters = string.digits + string.ascii_uppercase`
# then `Dense(len(characters) + 1)`: a captcha model's classes).
STDLIB_CONSTANTS: dict[str, Any] = {
    f"string.{name}": getattr(string, name)
    for name in (
        "ascii_letters",
        "ascii_lowercase",
        "ascii_uppercase",
        "digits",
        "hexdigits",
        "octdigits",
        "punctuation",
        "printable",
        "whitespace",
    )
}

BUILTIN_NAMES: dict[str, Any] = {
    **{name: BuiltinRef(name, fn) for name, fn in BUILTINS.items()},
    "range": BuiltinRef("range", _range),
    "True": True,
    "False": False,
    "None": None,
}


def _expand_dims(args: list[Any], kwargs: dict[str, Any]) -> Any:
    array = args[0] if args else None
    axis = args[1] if len(args) > 1 else kwargs.get("axis")
    if not isinstance(array, ArrayValue) or not isinstance(axis, int):
        return Unknown("np.expand_dims() of a value not known statically")
    shape = expand_shape(array.shape, axis)
    return (
        ArrayValue(shape) if shape is not None else Unknown("np.expand_dims() with an invalid axis")
    )


def _np_reshape(args: list[Any], kwargs: dict[str, Any]) -> Any:
    array = args[0] if args else None
    target = args[1] if len(args) > 1 else kwargs.get("newshape", kwargs.get("shape"))
    if not isinstance(array, ArrayValue):
        return Unknown("np.reshape() of a value not known statically")
    return reshape_array(array, target)


def _np_array(args: list[Any], kwargs: dict[str, Any]) -> Any:
    if args and isinstance(args[0], ArrayValue):
        return args[0]
    if args and _length_1d(args[0]) == 0:
        return ArrayValue((0,))  # `result = np.array([])`
    return Unknown("an array built at run time")


def _hstack(args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`np.hstack((result, mfccs))` of 1-D arrays: a clip's features side by side."""
    parts = concrete_items(args[0]) if args and not kwargs else None
    lengths = [_length_1d(part) for part in parts or [None]]
    if any(length is None for length in lengths):
        return Unknown("np.hstack() of arrays not known statically")
    return ArrayValue((sum(lengths),))  # type: ignore[arg-type]


def _length_1d(value: Any) -> int | None:
    if isinstance(value, ArrayValue) and len(value.shape) == 1:
        return value.shape[0]
    if isinstance(value, ListValue) and not value.items and not value.open_ended:
        return 0  # `result = np.array([])`, grown by hstack
    return None


def _np_statistic(name: str) -> Callable[[list[Any], dict[str, Any]], Any]:
    def statistic(args: list[Any], kwargs: dict[str, Any]) -> Any:
        """`np.mean(x)` (no axis, or every axis): one number, known only at run time; the
        array normalised by it keeps its shape (`(x - mean) / std`)."""
        array = args[0] if args else None
        axis = args[1] if len(args) > 1 else kwargs.get("axis")
        if isinstance(array, DataValue) and not array.batched and axis is None:
            return RunTimeNumber(f"np.{name}() of loaded data, known at run time")
        per_feature = axis == 0 and not isinstance(axis, bool) and not kwargs.get("keepdims")
        if isinstance(array, DataValue) and not array.batched and per_feature:
            return ArrayValue(array.sample)  # over the samples (or frames): one of each
        if isinstance(array, FeatureFrames) and axis == 1 and not kwargs.get("keepdims"):
            return ArrayValue((array.rows,))  # over a feature matrix's frames
        if isinstance(array, ArrayValue) and array.shape and not kwargs.get("keepdims"):
            axes = axis if isinstance(axis, tuple) else (axis,)
            every = {a % len(array.shape) for a in axes if isinstance(a, int)} == set(
                range(len(array.shape))
            )
            if axis is None or every:
                return RunTimeNumber(f"np.{name}() of an array, known at run time")
        return Unknown(f"np.{name}() of a value not known statically")

    return statistic


NUMPY_FUNCTIONS: dict[str, Callable[[list[Any], dict[str, Any]], Any]] = {
    **{
        name: _np_statistic(name)
        for name in ("mean", "std", "var", "max", "min", "median", "amax", "amin", "ptp")
    },
    "expand_dims": _expand_dims,
    "reshape": _np_reshape,
    "array": _np_array,
    "asarray": _np_array,
    "float32": _np_array,
    "unique": np_unique,
    "hstack": _hstack,
}


def _product(args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`itertools.product(sizes, depths)` of lists the file spells out: every combination,
    as a `for` over it unrolls (the search grids of hyperparameter scripts)."""
    lists = [concrete_items(a) for a in args]
    if kwargs or any(items is None for items in lists):
        return Unknown("itertools.product() of values not known statically")
    if math.prod(len(items) for items in lists) > MAX_UNROLL:  # type: ignore[arg-type]
        return Unknown("an itertools.product() too long to follow")
    return tuple(itertools.product(*lists))  # type: ignore[arg-type]


# Library functions by their full name (`itertools.product`, however imported).
LIBRARY_FUNCTIONS: dict[str, Callable[[list[Any], dict[str, Any]], Any]] = {
    "itertools.product": _product,
    "types.SimpleNamespace": _namespace,
    "argparse.Namespace": _namespace,
    **SCALAR_FUNCTIONS,
}
