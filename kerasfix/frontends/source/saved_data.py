"""Data a file saves and loads back: the sample shape survives the round trip.

A notebook builds its data, `pickle.dump(X, open("X.pickle", "wb"))` after
`X = np.array(X).reshape(-1, 50, 50, 1)`, and a later cell trains on
`X = pickle.load(open("X.pickle", "rb"))`: the loaded samples have the shape the file gave
them. A file that only loads what another script or notebook wrote reads data at run time
(the file on disk may come from any version of the writer): its size stays unknown (KF002),
as the labelled parts decide (bench/realworld FINDINGS 26).
"""

from __future__ import annotations

from typing import Any

from kerasfix.frontends.source.array_constructors import canonical_qualname
from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.file_handles import named_file
from kerasfix.frontends.source.sample_arrays import sample_of

# Calls that write one array or object to a file: where the file and the value are.
SAVERS = {"numpy.save": (0, 1), "joblib.dump": (1, 0), "pickle.dump": (1, 0)}
LOADERS = frozenset({"numpy.load", "joblib.load", "pickle.load"})
# File name -> (sample shape, line) of the data one file saves.
Saves = dict[str, tuple[tuple[int, ...], int]]


def saved(qualname: str, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, Any] | None:
    """(file name, samples) a save call writes, when both are known."""
    positions = SAVERS.get(canonical_qualname(qualname))
    if positions is None:
        return None
    where, what = positions
    name = named_file(args[where] if len(args) > where else kwargs.get("file"))
    value = args[what] if len(args) > what else kwargs.get("arr", kwargs.get("value"))
    sample = sample_of(value)
    if name is None or sample is None:
        return None
    return name, sample


def loaded_file(qualname: str, args: list[Any], kwargs: dict[str, Any]) -> str | None:
    """The file name a load call reads, when known."""
    if canonical_qualname(qualname) not in LOADERS:
        return None
    return named_file(args[0] if args else kwargs.get("file"))


def samples(sample: tuple[int, ...], loader: str, line: int, saved_at: str) -> DataValue:
    return DataValue(sample, f"{loader}() (line {line}) of what {saved_at} saves")
