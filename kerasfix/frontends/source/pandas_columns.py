"""Columns a file picks from a pandas DataFrame: how many, so `.values` has a known width.

A table read at run time has unknown rows and columns, but `df[["Open", "Close"]]`,
`df.iloc[:, 1:2]` and `df["Close"]` fix how many columns the code goes on with, and
time-series code windows `.values` of them into the samples a model is fitted on. The
selections stay unknown in every other respect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.values import ListValue, Unknown


@dataclass(frozen=True, eq=False)
class ColumnIndexer(Unknown):
    """`df.iloc` (by position) or `df.loc` (by label) of a run-time table."""

    by_label: bool = False


@dataclass(frozen=True, eq=False)
class ColumnSelection(Unknown):
    """Columns the code picked: `count` of them, or one column as a Series (None)."""

    count: int | None = None


def indexer(value: Unknown, attr: str) -> ColumnIndexer | None:
    """`df.iloc` / `df.loc` of a plain unknown (a table read at run time), else None."""
    if type(value) is Unknown and attr in ("iloc", "loc"):
        return ColumnIndexer(value.reason, by_label=attr == "loc")
    return None


def selected(value: Unknown, index: Any) -> ColumnSelection | None:
    """The columns `value[index]` picks, or None when they are not known."""
    if isinstance(value, ColumnIndexer):
        if not isinstance(index, tuple) or len(index) != 2:
            return None
        columns = index[1]
        if value.by_label:
            return _by_label(value, columns)
        if isinstance(columns, int) and not isinstance(columns, bool):
            return ColumnSelection(value.reason)
        if isinstance(columns, slice) and _counted(columns) is not None:
            return ColumnSelection(value.reason, count=_counted(columns))
        return None
    if type(value) is Unknown:
        return _by_label(value, index)
    return None


def as_array(value: ColumnSelection) -> DataValue:
    """`.values` / `.to_numpy()` of the selection: samples of its width (a Series: one
    number each)."""
    sample = () if value.count is None else (value.count,)
    return DataValue(sample, f"{_described(value)} of a DataFrame")


def _by_label(value: Unknown, columns: Any) -> ColumnSelection | None:
    if isinstance(columns, str):
        return ColumnSelection(value.reason)
    names = columns.items if isinstance(columns, ListValue) else None
    if names and all(isinstance(name, str) for name in names):
        return ColumnSelection(value.reason, count=len(names))
    return None


def _counted(columns: slice) -> int | None:
    """The number of columns `start:stop` picks, when it does not depend on the table's
    width: literal non-negative bounds, no step."""
    start, stop = columns.start if columns.start is not None else 0, columns.stop
    literal = all(isinstance(b, int) and not isinstance(b, bool) and b >= 0 for b in (start, stop))
    if not literal or columns.step is not None or stop <= start:
        return None
    return stop - start


def _described(value: ColumnSelection) -> str:
    return "one column" if value.count is None else f"{value.count} columns"
