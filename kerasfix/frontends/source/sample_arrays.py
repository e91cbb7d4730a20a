"""NumPy operations on arrays of samples whose shape the file fixes, while their number
stays a run-time fact (data_values.DataValue): joined (`np.concatenate`, `np.vstack`),
stacked, transposed, reshaped to a literal sample shape, or made by `np.zeros((n, 64, 64,
3))`. Windows cut from a signal and per-class image arrays are built this way before a
model's input is read off them (`X_train.shape[1:]`). A call these do not read gives None or
an unknown value."""

from __future__ import annotations

import ast
from typing import Any

from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.value_ops import is_number
from kerasfix.frontends.source.values import ArrayValue, ListValue, Unknown
from kerasfix.frontends.source.windows import RunTimeArray


def sample_of(value: Any) -> tuple[int, ...] | None:
    """One sample's shape of an array or loaded data (its first axis counts samples), when
    known."""
    if isinstance(value, DataValue) and not value.batched:
        return value.sample
    if isinstance(value, ArrayValue) and value.shape:
        return value.shape[1:]
    return None


def literal_sizes(dims: Any, minimum: int = 1) -> bool:
    """Every axis a literal size of at least `minimum` (`(200, 3)`): positive, as a sample
    shape must be, unless said (a pad width may be 0)."""
    return all(isinstance(d, int) and not isinstance(d, bool) and d >= minimum for d in dims)


def _shared_sample(values: Any) -> tuple[int, ...] | None:
    """The one sample shape every value has (None when one is unknown or two differ)."""
    samples = {sample_of(value) for value in values}
    return samples.pop() if len(samples) == 1 else None


def joined_samples(
    leaf: str, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
) -> DataValue | None:
    """`np.concatenate((a, b, c), axis=0)` of arrays whose samples share a shape: more
    samples of that shape (the per-class image arrays of a dataset joined into one). NumPy
    joins on the first axis only arrays whose other axes agree, so one part of known shape
    fixes the result's (`np.vstack([segments, np.dstack([x, y, z])])` growing a window
    array that starts as `np.empty((0, 90, 3))`)."""
    parts = args[0] if args else kwargs.get("arrays", kwargs.get("tup"))
    axis = args[1] if len(args) > 1 else kwargs.get("axis", 0)
    items = parts.items if isinstance(parts, ListValue) else parts
    if axis != 0 or not isinstance(items, list | tuple) or not items:
        return None
    samples = {sample for item in items if (sample := sample_of(item)) is not None}
    if len(samples) != 1:
        return None
    (sample,) = samples
    return DataValue(sample, f"np.{leaf}() of arrays (line {expr.lineno})")


def joined_arrays(values: list[Any]) -> DataValue | None:
    """Two branches' arrays whose samples share a shape (`segments` before and after a
    conditional `np.vstack`): samples of that shape, in a number the run decides."""
    sample = _shared_sample(values)
    if sample is None:
        return None
    source = next((v.source for v in values if isinstance(v, DataValue)), None)
    return DataValue(sample, source or "arrays of one sample shape")


def stacked(args: list[Any], kwargs: dict[str, Any]) -> DataValue | None:
    """`np.stack((a, b, c), axis=1)` of equally many samples of one shape: a new axis of
    length 3 after the samples' axis (axis 0 stacks datasets, not samples: not read)."""
    parts = args[0] if args else kwargs.get("arrays")
    axis = args[1] if len(args) > 1 else kwargs.get("axis", 0)
    items = parts.items if isinstance(parts, ListValue) else parts
    if not isinstance(items, list | tuple) or not items or not isinstance(axis, int):
        return None
    sample = _shared_sample(items)
    if sample is None:
        return None
    rank = len(sample) + 1
    position = axis if axis >= 0 else rank + 1 + axis
    if not 1 <= position <= rank:
        return None
    shape = list(sample)
    shape.insert(position - 1, len(items))
    source = next((i.source for i in items if isinstance(i, DataValue)), "np.stack()")
    return DataValue(tuple(shape), source)


def transposed(data: DataValue, axes: Any) -> Any:
    """`x.transpose([0, 2, 3, 1])`: the samples' axes reordered, the samples' axis kept
    first (channels moved last, as real code does before a Conv2D)."""
    if isinstance(axes, ListValue):
        axes = tuple(axes.items)
    rank = len(data.sample) + 1
    if not isinstance(axes, tuple) or sorted(axes) != list(range(rank)) or axes[0] != 0:
        return Unknown("a transpose of loaded data")
    return DataValue(tuple(data.sample[a - 1] for a in axes[1:]), data.source)


def reshaped_samples(target: Any, expr: ast.Call) -> Any:
    """`x.reshape(-1, 200, 3)` / `x.reshape(len(x), 90, 3, 1)` of an array known only at
    run time: samples of the literal shape after the first axis (which counts them)."""
    if isinstance(target, ListValue):
        target = tuple(target.items)
    if not isinstance(target, tuple) or len(target) < 2:
        return Unknown("a reshape of an array known only at run time")
    count, sample = target[0], target[1:]
    literal_count = isinstance(count, int) and not isinstance(count, bool) and count > 0
    counted = count == -1 or isinstance(count, Unknown) or literal_count  # `(1600, 5, 512, 1)`
    if not (counted and literal_sizes(sample)):
        return RunTimeArray("a reshape of an array known only at run time", rank=len(target))
    return DataValue(sample, f"a reshape to {_shape_text(sample)} (line {expr.lineno})")


def _shape_text(sample: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, ("n", *sample))) + ")"


# NumPy constructors whose shape is their first argument (or `shape=`).
_SHAPED_CONSTRUCTORS = frozenset({"zeros", "ones", "empty", "full"})


def unknown_count_array(
    leaf: str, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
) -> DataValue | None:
    """`np.zeros((len(files), 64, 64, 3))`: as many samples as the run finds, each of the
    literal shape after the first axis (a literal first axis is an ArrayValue instead)."""
    if leaf not in _SHAPED_CONSTRUCTORS:
        return None
    dims = args[0] if args else kwargs.get("shape")
    if isinstance(dims, ListValue):
        dims = tuple(dims.items)
    if not isinstance(dims, tuple) or len(dims) < 2 or is_number(dims[0]):
        return None
    sample = dims[1:]
    if not literal_sizes(sample):
        return None
    return DataValue(sample, f"np.{leaf}() of {len(sample)}-axis samples (line {expr.lineno})")
