"""scikit-learn's bundled image datasets, whose image size the library fixes
(`fetch_lfw_people(resize=0.4)` is 50x37 faces): read as loaded data of that shape."""

from __future__ import annotations

import ast
import math
from typing import Any

from kerasfix.frontends.source.data_values import DatasetBunch, DataValue
from kerasfix.frontends.source.value_ops import is_number
from kerasfix.frontends.source.values import Unknown

# scikit-learn's image datasets: the (rows, cols) of their `images` at default arguments.
IMAGE_DATASETS = {"fetch_lfw_people": (125, 94), "fetch_olivetti_faces": (64, 64),
                   "load_digits": (8, 8)}  # fmt: skip


def image_dataset(leaf: str, kwargs: dict[str, Any], expr: ast.Call) -> Any:
    """`fetch_lfw_people(resize=0.4)`: faces cut at scikit-learn's default slice (125x94)
    and scaled as it scales them (`int(resize * side)`), colour adding an axis;
    `fetch_olivetti_faces()` 64x64; `load_digits()` 8x8. `images` holds them, `data` the
    same flattened, `target` one label each."""
    rows, cols = IMAGE_DATASETS[leaf]
    channels: tuple[int, ...] = ()
    if leaf == "fetch_lfw_people":
        if "slice_" in kwargs:
            return Unknown("faces cut at a slice_ kerasfix does not read")
        resize = kwargs.get("resize", 0.5)
        if not is_number(resize) or resize <= 0:
            return Unknown("faces scaled by a factor known only at run time")
        rows, cols = int(resize * rows), int(resize * cols)
        color = kwargs.get("color", False)
        if not isinstance(color, bool):
            return Unknown("faces in colour or not, decided at run time")
        channels = (3,) if color else ()
    source = f"{leaf}() (line {expr.lineno})"
    images = DataValue((rows, cols, *channels), source)
    data = DataValue((math.prod((rows, cols, *channels)),), source)
    target = DataValue((), source)
    if kwargs.get("return_X_y") is True:
        return data, target
    return DatasetBunch((("images", images), ("data", data), ("target", target)))
