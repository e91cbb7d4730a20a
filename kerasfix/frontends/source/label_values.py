"""How many different values an array holds, where the file fixes it: a classifier's width
is often `len(np.unique(y_train))` of labels a Keras dataset loader returns or
`np.random.randint` draws, and with that count known the Dense is sized. (The loaders'
classes are Keras knowledge: keras_names.py, which this evaluator-side module does not import.)
"""

from __future__ import annotations

import math
from typing import Any

from kerasfix.frontends.source.values import ArrayValue, Unknown

# A randint draw counts as holding every value of its range when the chance that some value
# is missing (a union bound: k * (1 - 1/k) ** n) is below this.
MISSING_VALUE_CHANCE = 1e-9


def randint_distinct(args: list[Any], kwargs: dict[str, Any], samples: int) -> int | None:
    """`np.random.randint(low, high, size)` draws from `high - low` values (`[0, low)` without
    `high`); with enough samples every value is drawn, all but certainly."""
    low = args[0] if args else kwargs.get("low")
    high = args[1] if len(args) > 1 else kwargs.get("high")
    if high is None:
        low, high = 0, low
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        return None
    values = high - low
    if values < 1 or samples < 1:
        return None
    missing = values * (1 - 1 / values) ** samples if values > 1 else 0.0
    return values if missing < MISSING_VALUE_CHANCE else None


def np_unique(args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`np.unique(y)`: the sorted distinct values, as many as the array holds."""
    array = args[0] if args else kwargs.get("ar")
    if (
        len(args) <= 1
        and set(kwargs) <= {"ar"}
        and isinstance(array, ArrayValue)
        and array.distinct is not None
    ):
        return ArrayValue((array.distinct,))
    return Unknown("np.unique() of data, known only at run time")


def with_distinct(
    array: ArrayValue, qualname: str, args: list[Any], kwargs: dict[str, Any]
) -> ArrayValue:
    """A constructor's array with its count of values, where the call fixes it."""
    if qualname.rsplit(".", 1)[-1] != "randint":
        return array
    distinct = randint_distinct(args, kwargs, math.prod(array.shape))
    return ArrayValue(array.shape, distinct) if distinct is not None else array
