"""Windows cut from data at a loop index: `series[i - 60 : i, 0]`, `data[i : i + look_back]`.

Time-series code sizes its model by the windows it cuts from a run-time signal: the index
runs over a length known only at run time, but every window's length is the difference of
its bounds, which the code fixes (`prediction_days = 60`). Bounds are followed as a loop
index plus a constant; any other bound leaves the window unknown, as before.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.values import ArrayValue, Unknown


@dataclass(frozen=True, eq=False)
class LoopIndex(Unknown):
    """The variable of a loop over a run-time range: unknown, but the same number wherever
    the loop body reads it, so two bounds built from it can be subtracted."""


@dataclass(frozen=True, eq=False)
class ShiftedIndex(Unknown):
    """`index + offset` for a loop index: still unknown as a number."""

    index: LoopIndex | None = None
    offset: int = 0


@dataclass(frozen=True, eq=False)
class RunTimeArray(Unknown):
    """An array whose rank the code fixes (`train.reshape((n * 7, features))`) but none of
    its sizes: a window cut along its first axis from one column (`data[start:end, 0]`,
    bounds 21 apart) is still known."""

    rank: int = 0


# The values a shift or a window bound can be made of.
INDEXES = (LoopIndex, ShiftedIndex)


def shifted(op: ast.operator, left: Any, right: Any) -> ShiftedIndex | None:
    """`i + 60`, `60 + i`, `i - 60` (and shifts of shifts) of a loop index, else None."""
    if isinstance(op, ast.Add):
        pairs, sign = ((left, right), (right, left)), 1
    elif isinstance(op, ast.Sub):
        pairs, sign = ((left, right),), -1  # `60 - i` counts down: not a shift
    else:
        return None
    for value, other in pairs:
        anchor = _affine(value)
        if anchor is not None and isinstance(other, int) and not isinstance(other, bool):
            index, offset = anchor
            return ShiftedIndex(index.reason, index=index, offset=offset + sign * other)
    return None


def window(value: Any, index: Any) -> ArrayValue | None:
    """One window of samples (and the sample axes the index keeps), or None when `index`
    is not a window of a known length over data whose samples are known."""
    items = index if isinstance(index, tuple) else (index,)
    if not items or not isinstance(items[0], slice):
        return None
    if isinstance(value, RunTimeArray):
        return _column_window(value, items)
    length = _length(items[0])
    if length is None:
        return None
    if isinstance(value, DataValue) and not value.batched:
        sample = value.sample
    elif isinstance(value, ArrayValue) and value.shape:
        sample = value.shape[1:]
    else:
        return None
    rest = items[1:]
    if len(rest) > len(sample):
        return None
    kept: list[int] = []
    for axis, item in enumerate(rest):
        if isinstance(item, int) and not isinstance(item, bool):
            if not -sample[axis] <= item < sample[axis]:
                return None
        elif item == slice(None):
            kept.append(sample[axis])
        else:
            return None
    return ArrayValue((length, *kept, *sample[len(rest) :]))


def _column_window(value: RunTimeArray, items: tuple[Any, ...]) -> ArrayValue | None:
    """`data[in_start:in_end, 0]`: one column's window (every other axis indexed away), its
    length the bounds' difference (literal bounds too: a loop the file does not fix runs its
    body once, with the counters' first values)."""
    if len(items) != value.rank or not all(_plain_int(item) for item in items[1:]):
        return None
    part = items[0]
    if _plain_int(part.start) and _plain_int(part.stop) and part.step in (None, 1):
        length = part.stop - part.start if part.start >= 0 else None
    else:
        length = _length(part)
    return ArrayValue((length,)) if length is not None and length > 0 else None


def _plain_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _length(part: slice) -> int | None:
    if part.step not in (None, 1):
        return None
    lower, upper = _affine(part.start), _affine(part.stop)
    if lower is None or upper is None or lower[0] is not upper[0]:
        return None
    length = upper[1] - lower[1]
    return length if length > 0 else None


def _affine(value: Any) -> tuple[LoopIndex, int] | None:
    if isinstance(value, LoopIndex):
        return value, 0
    if isinstance(value, ShiftedIndex) and value.index is not None:
        return value.index, value.offset
    return None


def without_index(value: Unknown) -> Unknown:
    """`value` with no claim to be a loop index: what `i * 2`, `-i` or `i[0]` are. Only a
    shift keeps the index, so two bounds that look alike are never taken as one."""
    if isinstance(value, LoopIndex | ShiftedIndex):
        return Unknown(value.reason)
    return value
