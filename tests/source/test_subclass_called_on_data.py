"""A Model subclass called on data (`model(x_train)`, `model(tf.zeros(...))`) is built by
Keras on that data's shape, as `fit` builds it; `x[..., tf.newaxis]` and `np.newaxis` add
an axis like `None` (the TensorFlow quickstart's MNIST arrays).

Numbers checked with Keras 3: Conv2D(32, 3) on 28x28x1 gives 26x26x32, MaxPooling2D
13x13x32, 13*13*32*128 + 128 = 692,352.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.source.one_file import findings_of

SUBCLASS = """
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers


class CNN(tf.keras.Model):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = layers.Conv2D(32, 3, activation="relu")
        self.pool = layers.MaxPooling2D()
        self.flatten = layers.Flatten()
        self.d1 = layers.Dense(128, activation="relu")
        self.d2 = layers.Dense(num_classes)

    def call(self, x):
        x = self.conv1(x)
        x = self.pool(x)
        x = self.flatten(x)
        return self.d2(self.d1(x))


(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train[..., tf.newaxis].astype("float32")
model = CNN()
CALL
"""


@pytest.mark.parametrize(
    "call",
    [
        "model(x_train)",
        "predictions = model(x_train[:1]).numpy()",
        "model(tf.zeros((1, 28, 28, 1)))",
        "model.fit(x_train, y_train, epochs=5)",
        "model(x_train.reshape(-1, 28, 28)[:, :, :, np.newaxis])",
    ],
)
def test_a_subclass_called_on_data_is_sized_by_it(tmp_path: Path, call: str) -> None:
    assert findings_of(tmp_path, SUBCLASS.replace("CALL", call)) == [("KF001", 12, 692_352)]


def test_a_subclass_called_on_data_of_unknown_shape_stays_unknown(tmp_path: Path) -> None:
    text = SUBCLASS.replace("CALL", 'model(np.load("x.npy"))')
    assert [rule for rule, _, _ in findings_of(tmp_path, text)] == ["KF002"]
