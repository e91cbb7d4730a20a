"""Operations on abstract values: operators, indexing, and the methods of lists, tuples,
dicts and arrays, as Python and NumPy define them.

Each takes values already evaluated and returns a value (a constant when its operands are
constants, `Unknown` otherwise), so the evaluator only decides what to evaluate. Work is
bounded: results too large to matter (`10**10**10`, `"a" * 10**9`) are never computed.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from kerasfix.frontends.source.audio_features import (
    FeatureFrames,
    frames_short,
    trimmed_frames,
)
from kerasfix.frontends.source.data_values import DataValue, OneHotLabels
from kerasfix.frontends.source.model_layers import ModelLayers
from kerasfix.frontends.source.pandas_columns import ColumnSelection, as_array, indexer, selected
from kerasfix.frontends.source.values import (
    ArrayValue,
    AttributeBag,
    BackboneLastLayer,
    BoundMethod,
    ListValue,
    LoadedModel,
    RangeValue,
    Ref,
    RunTimeNumber,
    TensorValue,
    Unknown,
    WholeLayers,
)
from kerasfix.frontends.source.windows import (
    INDEXES,
    RunTimeArray,
    shifted,
    window,
    without_index,
)
from kerasfix.limits import MAX_ITEMS, MAX_UNROLL

BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(value: Any) -> bool:
    """A number, known or not: an array combined with it elementwise keeps its shape."""
    return is_number(value) or isinstance(value, RunTimeNumber)


def is_plain(value: Any) -> bool:
    """A Python constant (possibly a tuple of constants): safe to compute with and hash."""
    if value is None or isinstance(value, int | float | str | bool | complex | bytes):
        return True
    if isinstance(value, tuple):
        return all(is_plain(v) for v in value)
    return False


def same(a: Any, b: Any) -> bool:
    """Whether two branches computed the same value (so a join keeps it)."""
    if a is b:
        return True
    if is_plain(a) and is_plain(b):
        try:
            return type(a) is type(b) and bool(a == b)
        except Exception:
            return False
    return False


def truth(value: Any) -> bool | None:
    """`bool(value)` when the file decides it, else None."""
    if is_plain(value):
        try:
            return bool(value)
        except Exception:
            return None
    if isinstance(value, ListValue):
        return bool(value.items)
    if isinstance(value, LoadedModel):
        return True
    return None


def concrete_items(value: Any) -> list[Any] | None:
    """The items a `for` loop or unpacking would see, when they are known."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, ListValue):
        return list(value.items)
    if isinstance(value, RangeValue):
        return list(value.values)
    if isinstance(value, WholeLayers):
        return [value.backbone]
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, str) and len(value) <= MAX_UNROLL:
        return list(value)
    return None


def arithmetic(op: ast.operator, left: Any, right: Any) -> Any:
    """`left op right` on constants, lists and arrays (tensors are the caller's)."""
    if isinstance(op, ast.Sub) and (short := frames_short(left, right)) is not None:
        return short  # `max_pad_len - mfcc.shape[1]`: what pads the matrix to that many frames
    if isinstance(left, ArrayValue) and _scalar(right):
        return left
    if isinstance(right, ArrayValue) and _scalar(left):
        return right
    if isinstance(left, INDEXES) or isinstance(right, INDEXES):
        return shifted(op, left, right) or unknown_from(left, right, "an arithmetic result")
    if _scalar(left) and _scalar(right) and RunTimeNumber in (type(left), type(right)):
        return RunTimeNumber("a number computed at run time")
    if isinstance(left, ListValue) and isinstance(right, ListValue) and isinstance(op, ast.Add):
        if len(left.items) + len(right.items) > MAX_ITEMS:
            return Unknown("a list too large to follow")
        open_ended = left.open_ended or right.open_ended
        return ListValue([*left.items, *right.items], open_ended=open_ended)
    if isinstance(left, ListValue) and isinstance(right, int) and isinstance(op, ast.Mult):
        return ListValue(left.items * max(0, min(right, MAX_UNROLL)), open_ended=left.open_ended)
    fn = BINOPS.get(type(op))
    if fn is None or not is_plain(left) or not is_plain(right):
        return unknown_from(left, right, "an arithmetic result")
    if too_costly(op, left, right):
        return Unknown("a value too large to follow")
    try:
        result = fn(left, right)
    except Exception:
        return Unknown("an arithmetic error")
    if isinstance(result, int | float) and abs(result) > 10**15:
        return Unknown("a number too large to matter")
    if isinstance(result, str | tuple) and len(result) > MAX_ITEMS:
        return Unknown("a value too large to follow")
    return result


def too_costly(op: ast.operator, left: Any, right: Any) -> bool:
    """True when computing `left op right` would take unbounded time or memory.

    `10**10**10`, `1 << 10**9` and `"a" * 10**9` are cheap to write and ruinous to evaluate;
    their results are never a layer size we could use anyway.
    """
    if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int):
        return abs(left) > 1 and right * max(abs(left).bit_length(), 1) > 256
    if isinstance(op, ast.LShift) and isinstance(right, int):
        return right > 256
    if isinstance(op, ast.Mult):
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | tuple | list) and isinstance(count, int):
                return len(seq) * count > MAX_ITEMS
    return False


def unary(op: ast.unaryop, operand: Any) -> Any:
    if isinstance(op, ast.Not):
        return (not operand) if is_plain(operand) else Unknown("a negation")
    if is_number(operand):
        if isinstance(op, ast.USub):
            return -operand
        if isinstance(op, ast.UAdd):
            return operand
        if isinstance(op, ast.Invert) and isinstance(operand, int):
            return ~operand
    return without_index(operand) if isinstance(operand, Unknown) else Unknown("a unary operation")


def unknown_from(left: Any, right: Any, what: str) -> Unknown:
    """The operand's own reason when one is unknown (it says more), else `what`."""
    for value in (left, right):
        if isinstance(value, Unknown):
            return without_index(value)
    return Unknown(what)


def subscript(value: Any, index: Any) -> Any:
    """`value[index]` for sequences, dicts and arrays."""
    if isinstance(value, FeatureFrames) and (trimmed := trimmed_frames(value, index)):
        return trimmed
    if isinstance(value, ListValue):
        open_ended = value.open_ended
        value = tuple(value.items)
        if isinstance(index, slice):
            return ListValue(list(_slice(value, index) or ()), open_ended=open_ended)
    if isinstance(value, tuple | str):
        if isinstance(index, int) and not isinstance(index, bool):
            return value[index] if -len(value) <= index < len(value) else Unknown("an index")
        if isinstance(index, slice):
            result = _slice(value, index)
            return result if result is not None else Unknown("a slice")
    if isinstance(value, dict) and is_plain(index) and index in value:
        return value[index]
    if (
        isinstance(value, ArrayValue | DataValue | RunTimeArray)
        and (cut := window(value, index)) is not None
    ):
        return cut
    if isinstance(value, ArrayValue):
        return _index_array(value, index)
    if isinstance(value, DataValue):
        return value.subscript(index)
    if isinstance(value, WholeLayers):
        if index == -1 and not isinstance(index, bool):
            return BackboneLastLayer(value.backbone)
        name = value.backbone.layer.class_name
        return Unknown(f"part of {name}'s layer list, which kerasfix sees only whole")
    if isinstance(value, ModelLayers | OneHotLabels):
        return value.subscript(index)
    if isinstance(value, Unknown) and (columns := selected(value, index)) is not None:
        return columns
    if isinstance(value, Unknown):
        return without_index(value)
    if isinstance(value, Ref):
        return Unknown(f"{value.qualname}[...] is only known at run time")
    return Unknown("an indexed value")


def set_subscript(receiver: Any, key: Any, value: Any) -> None:
    """`receiver[key] = value` on a dict or list the file built."""
    if isinstance(receiver, dict) and is_plain(key):
        receiver[key] = value
    elif isinstance(receiver, ListValue) and isinstance(key, int):
        items = receiver.items
        if -len(items) <= key < len(items):
            items[key] = value


def attribute(value: Any, attr: str) -> Any:
    """An attribute of a list, tuple, dict, array or attribute bag."""
    if isinstance(value, ListValue):
        if attr in ("append", "extend", "insert", "pop", "copy"):
            return BoundMethod(value, attr)
        return Unknown(f"list attribute '{attr}'")
    if isinstance(value, ArrayValue):
        if attr == "shape":
            return value.shape
        if attr in ("astype", "reshape", "copy", "numpy"):  # `numpy`: an eager tensor's array
            return BoundMethod(value, attr)
        if attr == "T":
            return ArrayValue(tuple(reversed(value.shape)))
        if attr == "ndim":
            return len(value.shape)
        return Unknown(f"array attribute '{attr}'")
    if isinstance(value, tuple) and attr in ("index", "count", "as_list"):
        return BoundMethod(value, attr)  # `as_list`: a tensor's shape is held as a tuple
    if isinstance(value, dict) and attr in ("get", "items", "keys", "values"):
        return BoundMethod(value, attr)
    if isinstance(value, AttributeBag) and attr in value.attrs:
        return value.attrs[attr]
    if isinstance(value, ModelLayers | OneHotLabels):
        return value.attribute(attr)
    if isinstance(value, FeatureFrames) and attr == "T":
        return value.transposed()
    if isinstance(value, FeatureFrames) and attr == "shape":
        return value.shape
    if isinstance(value, ColumnSelection) and attr == "values":
        return as_array(value)
    if isinstance(value, ColumnSelection) and attr == "to_numpy":
        return BoundMethod(value, attr)
    if isinstance(value, Unknown) and (columns := indexer(value, attr)) is not None:
        return columns
    if isinstance(value, Unknown) and attr == "reshape" and not isinstance(value, RunTimeNumber):
        return BoundMethod(value, attr)  # a run-time array reshaped to a literal sample shape
    if isinstance(value, Unknown):
        return without_index(value)
    if isinstance(value, BackboneLastLayer):
        own = value.backbone.own_node
        if attr == "output" and own is not None:
            return TensorValue(own)
        return Unknown(f"attribute '{attr}' of {value.backbone.layer.class_name}'s last layer")
    return Unknown(f"attribute '{attr}'")


def call_method(receiver: Any, name: str, args: list[Any]) -> Any:
    """A method of a list, array, dict or tuple (`layers.append(...)`, `x.reshape(...)`)."""
    if isinstance(receiver, ListValue):
        return _list_method(receiver, name, args)
    if isinstance(receiver, ArrayValue):
        if name == "reshape":
            target = args[0] if len(args) == 1 else tuple(args)
            return reshape_array(receiver, target)
        return receiver
    if isinstance(receiver, dict):
        if name == "get" and args and is_plain(args[0]):
            return receiver.get(args[0], args[1] if len(args) > 1 else None)
        return Unknown(f"dict.{name}()")
    if isinstance(receiver, tuple) and name == "as_list" and not args:
        return ListValue(list(receiver))  # `x.shape.as_list()`: TensorShape's list of dims
    if isinstance(receiver, tuple) and name in ("index", "count") and args:
        try:
            return getattr(receiver, name)(args[0])
        except ValueError:
            return Unknown("tuple.index()")
    return Unknown(f"method {name}()")


def expand_shape(shape: tuple[Any, ...], axis: int) -> tuple[Any, ...] | None:
    """`shape` with a new axis of size 1 at `axis` (NumPy's `expand_dims`), or None when
    `axis` is outside the new shape."""
    position = axis if axis >= 0 else len(shape) + 1 + axis
    return (*shape[:position], 1, *shape[position:]) if 0 <= position <= len(shape) else None


def reshape_array(array: ArrayValue, target: Any) -> Any:
    if isinstance(target, ListValue):
        target = tuple(target.items)
    if isinstance(target, int):
        target = (target,)
    if not isinstance(target, tuple) or not all(isinstance(t, int) for t in target):
        return Unknown("a reshape whose target is not known statically")
    total = 1
    for dim in array.shape:
        total *= dim
    known = 1
    for dim in target:
        if dim != -1:
            known *= dim
    if target.count(-1) == 1 and known:
        target = tuple(total // known if d == -1 else d for d in target)
    return ArrayValue(target)


def _slice(value: tuple[Any, ...] | str, index: slice) -> Any:
    parts = (index.start, index.stop, index.step)
    if not all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
        return None
    return value[index]


def _index_array(array: ArrayValue, index: Any) -> Any:
    """`x[..., None]`, `x[:, :, :, np.newaxis]`: shapes that add an axis; `x[:70]` and
    `np.eye(10)[labels]` (samples taken, one-hot rows picked): shapes that keep the others."""
    samples = _take_samples(array.shape, index)
    if samples is not None:
        return ArrayValue(samples)
    if isinstance(index, int) and not isinstance(index, bool) and array.shape:
        if -array.shape[0] <= index < array.shape[0]:
            return ArrayValue(array.shape[1:])  # `x_train[0]`: one sample
        return Unknown("an index outside the array")
    items = index if isinstance(index, tuple) else (index,)
    if not all(i is None or i is Ellipsis or isinstance(i, slice) for i in items):
        return Unknown("an indexed array")
    if any(isinstance(i, slice) and not _literal_slice(i) for i in items):
        return Unknown("a sliced array")
    shape = list(array.shape)
    if Ellipsis in items:
        pos = items.index(Ellipsis)
        before, after = items[:pos], items[pos + 1 :]
        explicit = sum(1 for i in before + after if i is not None)
        middle = len(shape) - explicit
        if middle < 0:
            return Unknown("an indexed array")
        expanded = [*before, *([slice(None)] * middle), *after]
    else:
        expanded = list(items) + [slice(None)] * (len(shape) - sum(i is not None for i in items))
    result, dim = [], 0
    for item in expanded:
        if item is None:
            result.append(1)
        else:
            if dim >= len(shape):
                return Unknown("an indexed array")
            size = shape[dim]  # `mfcc[:, :32]`: a literal slice keeps what it covers
            result.append(len(range(*item.indices(size))) if isinstance(item, slice) else size)
            dim += 1
    return ArrayValue(tuple(result))


def _literal_slice(part: slice) -> bool:
    bounds = (part.start, part.stop, part.step)
    literal = all(b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds)
    return literal and part.step != 0


def _take_samples(shape: tuple[int, ...], index: Any) -> tuple[int, ...] | None:
    """The shape after `x[a:b]` (literal bounds) or `x[indices]` (an array of them)."""
    if isinstance(index, ArrayValue) and shape:
        return (*index.shape, *shape[1:])
    if not isinstance(index, slice) or not shape:
        return None
    bounds = (index.start, index.stop, index.step)
    if not all(b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds):
        return None
    if index.step == 0:
        return None
    return (len(range(*index.indices(shape[0]))), *shape[1:])


def _list_method(receiver: ListValue, name: str, args: list[Any]) -> Any:
    if name == "append" and args:
        receiver.items.append(args[0])
    elif name == "extend" and args:
        if isinstance(args[0], ListValue):
            receiver.items.extend(args[0].items)
        elif isinstance(args[0], tuple):
            receiver.items.extend(args[0])
        else:
            receiver.items.append(Unknown("items added by extend() are not known statically"))
    elif name == "insert" and len(args) == 2 and isinstance(args[0], int):
        receiver.items.insert(args[0], args[1])
    elif name == "pop" and receiver.items:
        return receiver.items.pop()
    elif name == "copy":
        return ListValue(list(receiver.items), open_ended=receiver.open_ended)
    return None
