"""A model's own layers taken back by name, index or a loop over `model.layers`, and their
`.output` feeding a new head (the cloudml cascade notebook: a head per fruit on the layer
named 'bottleneck' of the coarse model).

Numbers checked with Keras 3: Conv2D(16, 3, padding="same") on 100x100x3 then
MaxPooling2D(2): 50x50x16; 50*50*16*64 + 64 = 2,560,064; Dense(10) on it, 400,010.
Keras names an unnamed MaxPooling2D `max_pooling2d` or `max_pooling2d_<n>`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.source.one_file import findings_of

MODEL = """
from keras.models import Sequential, Model
from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense


def conv_net(shape=(128, 128, 3)):
    model = Sequential()
    model.add(Conv2D(16, (3, 3), padding="same", input_shape=shape))
    model.add(MaxPooling2D((2, 2), name="bottleneck"))
    model.add(Flatten())
    model.add(Dense(10))
    return model


model = conv_net(shape=(100, 100, 3))
PICK
x = Flatten()(b.output)
head = Model(model.input, Dense(64)(x))
"""
COARSE = ("KF001", 10, 400_010)


@pytest.mark.parametrize(
    "pick",
    [
        'b = model.get_layer("bottleneck")',
        'b = model.get_layer(name="bottleneck")',
        "b = model.layers[1]",
        "b = model.layers[-3]",
        "for layer in model.layers:\n"
        "    layer.trainable = False\n"
        "    if layer.name == 'bottleneck':\n"
        "        b = layer",
    ],
)
def test_a_head_on_a_sequentials_layer(tmp_path: Path, pick: str) -> None:
    head_line = 17 + pick.count("\n")
    expected = [COARSE, ("KF001", head_line, 2_560_064)]
    assert findings_of(tmp_path, MODEL.replace("PICK", pick)) == expected


def test_a_head_on_a_functional_models_layer(tmp_path: Path) -> None:
    text = """
from keras import layers, Model

inputs = layers.Input((100, 100, 3))
x = layers.Conv2D(16, 3, padding="same")(inputs)
x = layers.MaxPooling2D(name="bottleneck")(x)
coarse = Model(inputs, layers.Dense(10)(layers.GlobalAveragePooling2D()(x)))
tap = coarse.get_layer("bottleneck").output
head = Model(coarse.input, layers.Dense(64)(layers.Flatten()(tap)))
"""
    assert findings_of(tmp_path, text) == [("KF001", 9, 2_560_064)]


def test_a_name_keras_may_give_the_layer_stays_undecided(tmp_path: Path) -> None:
    """`max_pooling2d` may be the unnamed pooling's name, so the loop picks no layer for
    sure: the head's input is not known, and nothing is claimed about it."""
    pick = (
        "b = None\n"
        "for layer in model.layers:\n"
        "    if layer.name == 'max_pooling2d':\n"
        "        b = layer"
    )
    text = MODEL.replace('name="bottleneck"', "").replace("PICK", pick)
    assert findings_of(tmp_path, text) == [COARSE]
