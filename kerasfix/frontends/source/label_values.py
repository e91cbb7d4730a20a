"""How many different values an array holds, where the file fixes it: a classifier's width
is often `len(np.unique(y_train))` of labels a Keras dataset loader
returns, and with that count known the Dense is sized.
"""

from __future__ import annotations

from typing import Any

from kerasfix.frontends.source import keras_names
from kerasfix.frontends.source.values import ArrayValue, Unknown


def dataset_classes(name: str, kwargs: dict[str, Any]) -> int | None:
    """The classes of a `keras.datasets` loader's labels (None for a regression set)."""
    if name == "cifar100" and "label_mode" in kwargs:
        return {"fine": 100, "coarse": 20}.get(kwargs["label_mode"])
    return keras_names.DATASET_CLASSES.get(name)


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
