"""A `Sequential` subclass is a layer list: `self.add(...)` in its `__init__`, or the layers
given to `super().__init__(...)`, build it; `fit`, `summary` and calls are the Sequential's
(heldout27's `class LeNet(Sequential)`, a TensorFlow 2 tutorial pattern).

Numbers checked with Keras 3: LeNet on 28x28x1 (two 5x5 convs, two poolings) ends at
4x4x16, 256*120 + 120 = 30,840; Conv2D(32, 3) on 32x32x3 feeding Dense(64) is 1,843,264;
Conv2D(8, 3) on MNIST's 28x28x1 feeding Dense(10) is 54,090; 8x8x4 into Dense(10), 2,570.
"""

from __future__ import annotations

from pathlib import Path

from tests.source.one_file import findings_of

LENET = """
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Conv2D, MaxPooling2D, Flatten, Dense


class LeNet(Sequential):
    def __init__(self, input_shape, nb_classes):
        super().__init__()
        self.add(Conv2D(6, kernel_size=(5, 5), activation="relu", input_shape=input_shape))
        self.add(MaxPooling2D())
        self.add(Conv2D(16, kernel_size=(5, 5), activation="relu"))
        self.add(MaxPooling2D())
        self.add(Flatten())
        self.add(Dense(120, activation="relu"))
        self.add(Dense(nb_classes, activation="softmax"))


model = LeNet((28, 28, 1), 10)
model.compile(optimizer="adam", loss="categorical_crossentropy")
"""


def test_layers_added_in_init_build_the_subclass(tmp_path: Path) -> None:
    assert findings_of(tmp_path, LENET) == [("KF001", 13, 30_840)]


def test_a_subclass_never_instantiated_is_explored(tmp_path: Path) -> None:
    text = LENET.split("model = ")[0]
    assert findings_of(tmp_path, text) == [("KF002", 13, None)]


def test_layers_given_to_super_init_and_a_project_base_class(tmp_path: Path) -> None:
    text = """
from tensorflow import keras


class Base(keras.Sequential):
    def __init__(self, n):
        super(Base, self).__init__([
            keras.layers.Conv2D(32, 3, input_shape=(32, 32, 3)),
            keras.layers.Flatten(),
        ], name="base")
        self.add(keras.layers.Dense(n))


class Child(Base):
    def head(self):
        return self.layers[-1]


m = Child(64)
m.summary()
"""
    assert findings_of(tmp_path, text) == [("KF001", 9, 1_843_264)]


def test_fit_sizes_a_subclass_without_an_input_shape(tmp_path: Path) -> None:
    text = """
from keras.datasets import mnist
from keras.models import Sequential
from keras.layers import Conv2D, Flatten, Dense


class Net(Sequential):
    def __init__(self, classes):
        super().__init__()
        self.add(Conv2D(8, 3))
        self.add(Flatten())
        self.add(Dense(classes))


(x_train, y_train), _ = mnist.load_data()
net = Net(10)
net.fit(x_train.reshape(-1, 28, 28, 1), y_train)
"""
    assert findings_of(tmp_path, text) == [("KF001", 11, 54_090)]


def test_a_subclass_with_its_own_call_is_not_a_layer_list(tmp_path: Path) -> None:
    text = """
import tensorflow as tf


class Odd(tf.keras.Sequential):
    def __init__(self):
        super().__init__()
        self.conv = tf.keras.layers.Conv2D(4, 1)
        self.flat = tf.keras.layers.Flatten()
        self.dense = tf.keras.layers.Dense(10)

    def call(self, x):
        return self.dense(self.flat(self.conv(x)))


model = Odd()
model.build((None, 8, 8, 4))
"""
    assert findings_of(tmp_path, text) == [("KF001", 9, 2_570)]
