"""Keras 1 code with a functional `Input((3, h, w))` that Keras builds only channels_first
(heldout6: CRYP70N1C4/einstein cnn2.py, `Input(shape=(3, 80, 170))`): read channels_first,
saying so; where channels_last builds too, the reading stays as before.

Counts (channels_first): (3, 40, 60) -> two valid 3x3 convs of 8 -> (8, 36, 56) -> 2x2 pool
-> (8, 18, 28); Dense(10) after Flatten: 8*18*28*10 + 10 = 40,330 (test_counts_match_keras).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.source.test_realworld_patterns import _lint_text

CODE = """\
from keras.models import Model
from keras.layers import Input, Convolution2D, MaxPooling2D, Flatten, Dense

inputs = Input(shape=(3, 40, 60))
x = Convolution2D(8, 3, 3, activation='relu')(inputs)
{second}x = MaxPooling2D((2, 2))(x)
x = Flatten()(x)
model = Model(input=inputs, output=Dense(10)(x))
"""
SECOND = "x = Convolution2D(8, 3, 3, activation='relu')(x)\n"


def test_an_input_only_channels_first_builds_is_read_channels_first(tmp_path: Path) -> None:
    (finding,) = _lint_text(tmp_path, CODE.format(second=SECOND))
    assert (finding.rule, finding.line) == ("KF001", 8)
    assert (finding.data.shape, finding.data.params_flatten) == ((8, 18, 28), 40_330)
    assert "channels_first ordering is assumed" in finding.message
    assert "Input(3, 40, 60) that only channels_first builds" in finding.message


def test_where_channels_last_builds_too_the_reading_is_unchanged(tmp_path: Path) -> None:
    # One conv and a (1, 2) pool: (3, 40, 60) read channels_last (a 3x40 image of 60
    # channels) builds, so nothing says which ordering the code meant.
    code = CODE.format(second="").replace("MaxPooling2D((2, 2))", "MaxPooling2D((1, 2))")
    findings = _lint_text(tmp_path, code)
    assert findings
    for finding in findings:
        assert "channels_first" not in finding.message


def test_tf_keras_code_is_not_keras_1(tmp_path: Path) -> None:
    code = CODE.format(second=SECOND).replace("from keras.", "from tensorflow.keras.")
    code = code.replace("Convolution2D(8, 3, 3,", "Convolution2D(8, 3,")
    code = code.replace("Model(input=inputs, output=", "Model(inputs=inputs, outputs=")
    for finding in _lint_text(tmp_path, code):
        assert "channels_first" not in finding.message


@pytest.mark.keras
def test_counts_match_keras() -> None:
    from tests.keras_on_demand import keras

    layers = keras.layers
    inputs = keras.Input((3, 40, 60))
    x = layers.Conv2D(8, 3, data_format="channels_first")(inputs)
    x = layers.Conv2D(8, 3, data_format="channels_first")(x)
    x = layers.MaxPooling2D(2, data_format="channels_first")(x)
    dense = layers.Dense(10)
    keras.Model(inputs, dense(layers.Flatten()(x)))
    assert tuple(x.shape[1:]) == (8, 18, 28)
    assert dense.count_params() == 40_330
