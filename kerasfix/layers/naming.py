"""The names Keras gives layers nobody named: the class in snake_case (`Conv2D` -> `conv2d`),
then `_1`, `_2`... for later ones. One spelling for every part that needs it: the names
`inspect` shows, a saved model's weight paths, the rewrite's new layers, the source
analysis's `layer.name == "..."`."""

from __future__ import annotations

import re


def to_snake_case(name: str) -> str:
    """Keras's `to_snake_case` (keras.src.utils.naming): `Conv2D` -> `conv2d`,
    `GlobalAveragePooling2D` -> `global_average_pooling2d`, `InputLayer` -> `input_layer`."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
