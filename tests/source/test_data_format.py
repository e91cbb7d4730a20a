"""`set_image_data_format()` reaches exactly the layers whose constructor takes data_format.

The source frontend reads that set off the layer specs (`layers.registry.data_format_names`);
it used to match class names against a pattern, which missed CenterCrop (so a channels-first
crop was sized as channels-last) and caught layers Keras gives no data_format.
"""

from __future__ import annotations

from typing import Any

import pytest

from kerasfix.frontends.source import program_from_text
from kerasfix.graph.inference import infer
from kerasfix.graph.model import Shape

# (layer, positional arguments, input shape without batch, output shape under channels_first)
CASES: list[tuple[str, tuple[Any, ...], tuple[int, ...], Shape]] = [
    ("CenterCrop", (32, 16), (3, 64, 48), (None, 3, 32, 16)),
    ("Resizing", (20, 24), (3, 9, 9), (None, 3, 20, 24)),
    ("RandomCrop", (5, 6), (3, 9, 9), (None, 3, 5, 6)),
    ("ZeroPadding1D", (2,), (3, 10), (None, 3, 14)),
    ("Cropping1D", ((1, 2),), (10, 4), (None, 7, 4)),
    ("Conv2D", (8, 3), (3, 32, 32), (None, 8, 30, 30)),
]


def _output_shape(class_name: str, args: tuple[Any, ...], shape: tuple[int, ...]) -> Shape | None:
    text = (
        "from keras import Input, layers\n"
        "from keras import backend as K\n"
        "K.set_image_data_format('channels_first')\n"
        f"x = Input({shape!r})\n"
        f"y = layers.{class_name}{args!r}(x)\n"
    )
    graph = infer(program_from_text(text, "model.py", prefilter=False).graph)
    (node,) = [n for n in graph.nodes if n.layer.class_name == class_name]
    assert node.layer.config.get("data_format") == (
        None if class_name == "Cropping1D" else "channels_first"
    )
    return node.output_shape


@pytest.mark.parametrize(("class_name", "args", "shape", "expected"), CASES)
def test_file_data_format_reaches_the_layers_that_take_it(
    class_name: str, args: tuple[Any, ...], shape: tuple[int, ...], expected: Shape
) -> None:
    assert _output_shape(class_name, args, shape) == expected


@pytest.mark.keras
@pytest.mark.parametrize(("class_name", "args", "shape", "expected"), CASES)
def test_expected_shapes_are_keras_own(
    class_name: str, args: tuple[Any, ...], shape: tuple[int, ...], expected: Shape
) -> None:
    keras = pytest.importorskip("keras", reason="needs the keras extra: pip install -e '.[keras]'")
    previous = keras.config.image_data_format()
    keras.config.set_image_data_format("channels_first")
    try:
        layer = getattr(keras.layers, class_name)(*args)
        output = layer(keras.Input(shape))
    finally:
        keras.config.set_image_data_format(previous)
    assert tuple(output.shape) == expected
