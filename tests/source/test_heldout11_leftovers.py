"""Patterns of heldout11's last misses (bench/realworld FINDINGS 14a), each reduced to a
minimal file:

- an `input_shape` declared on a later layer, behind layers that keep their input's shape
  (`BatchNormalization` before an LSTM, sam-08 model_LSTM.ipynb; augmentation layers before
  the first Conv2D, Roditu eye_classifier.ipynb): that layer receives the model's input, so
  the declaration sizes the model;
- `from keras.layers import *` defines the functional merge helpers too (`concatenate`),
  and Keras 1's `merge([a, b], mode="concat", concat_axis=1)` is the Concatenate layer it
  became (xzenglab EPI-DLMH model.py);
- TensorFlow functions between layers that are layers in disguise (`tf.concat`,
  `tf.image.resize`, `tf.nn.max_pool2d`);
- a class the file constructs only with its flag off (`Network(False)`, whose `if learn:`
  builds and trains the model) is also run with the flag on (tyferlys liber7 main.py).

Numbers checked with Keras 3: 40*256*64 + 64 = 655,424; 32*32*64*512 + 512 = 33,554,944;
(148 + 98)*64*100 + 100 = 1,574,500; 28*28*16*10 + 10 = 125,450; 28*28*8*10 + 10 = 62,730;
7*7*64*128 + 128 = 401,536.
"""

from __future__ import annotations

from pathlib import Path

from tests.source.one_file import findings_of

LSTM_AFTER_NORMALISATION = """
import tensorflow as tf

model = tf.keras.models.Sequential([
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.LSTM(units=256, input_shape=(40, 1), return_sequences=True),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(8, activation="softmax"),
])
"""

AUGMENTATION_FIRST = """
from keras.models import Sequential
from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D, RandomContrast, RandomRotation

model = Sequential()
model.add(RandomContrast(0.2))
model.add(RandomRotation(0.1))
model.add(Conv2D(32, (3, 3), 1, activation="relu", input_shape=(128, 128, 3), padding="same"))
model.add(MaxPooling2D())
model.add(Conv2D(64, (3, 3), 1, activation="relu", padding="same"))
model.add(MaxPooling2D())
model.add(Flatten())
model.add(Dense(512, activation="relu"))
"""

CONV_FIRST = """
from keras.models import Sequential
from keras.layers import Conv2D, Dense, Flatten

model = Sequential([Conv2D(8, 3), Conv2D(4, 3, input_shape=(8, 8, 8)), Flatten(), Dense(2)])
"""

STAR_CONCATENATE = """
from keras.layers import *
from keras.models import *

enhancers = Input(shape=(3000,))
promoters = Input(shape=(2000,))
e = MaxPooling1D(20, 20)(Conv1D(64, 40)(Embedding(5, 4)(enhancers)))
p = MaxPooling1D(20, 20)(Conv1D(64, 40)(Embedding(5, 4)(promoters)))
merged = concatenate([e, p], axis=1)
model = Model([enhancers, promoters], Dense(100)(Flatten()(merged)))
"""

KERAS1_MERGE = """
from keras.layers import *
from keras.models import Model

a = Input(shape=(30, 30, 4))
b = Input(shape=(30, 30, 4))
x = Convolution2D(8, 3, 3)(a)
y = Convolution2D(8, 3, 3)(b)
joined = merge([x, y], mode="concat", concat_axis=-1)
summed = merge([x, y], mode="sum")
head = Dense(10)(Flatten()(joined))
summed_head = Dense(10)(Flatten()(summed))
"""

FLAG_OFF = """
from tensorflow import keras
from tensorflow.keras.datasets import mnist
from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D


class Network:
    def __init__(self, learn):
        if learn:
            (x_train, y_train), _ = mnist.load_data()
            self.model = keras.Sequential([
                Conv2D(32, (3, 3), padding="same", activation="relu", input_shape=(28, 28, 1)),
                MaxPooling2D((2, 2), strides=2),
                Conv2D(64, (3, 3), padding="same", activation="relu"),
                MaxPooling2D((2, 2), strides=2),
                Flatten(),
                Dense(128, activation="relu"),
                Dense(10, activation="softmax"),
            ])

    def predict(self):
        return keras.models.load_model("fashion_mnist_model.h5")


network = Network(False)
network.predict()
"""


def test_an_input_shape_behind_normalisation_sizes_the_model(tmp_path: Path) -> None:
    assert findings_of(tmp_path, LSTM_AFTER_NORMALISATION) == [("KF001", 7, 655_424)]


def test_an_input_shape_behind_augmentation_layers_sizes_the_model(tmp_path: Path) -> None:
    assert findings_of(tmp_path, AUGMENTATION_FIRST) == [("KF001", 12, 33_554_944)]


def test_an_input_shape_behind_a_convolution_does_not(tmp_path: Path) -> None:
    """The first Conv2D changes the shape, so the later layer's input is not the model's
    input: Keras ignores that declaration, and the size stays unknown."""
    assert findings_of(tmp_path, CONV_FIRST) == [("KF002", 5, None)]


def test_a_star_import_defines_concatenate(tmp_path: Path) -> None:
    assert findings_of(tmp_path, STAR_CONCATENATE) == [("KF001", 10, 1_574_500)]


def test_keras1_merge_is_the_layer_it_became(tmp_path: Path) -> None:
    assert findings_of(tmp_path, KERAS1_MERGE) == [
        ("KF001", 11, 125_450),
        ("KF001", 12, 62_730),
    ]


def test_a_class_made_only_with_its_flag_off_is_run_with_it_on(tmp_path: Path) -> None:
    assert findings_of(tmp_path, FLAG_OFF) == [("KF001", 16, 401_536)]


TENSORFLOW_FUNCTIONS = """
import tensorflow as tf
from tensorflow.keras import layers

inp = layers.Input((32, 32, 3))
x = layers.Conv2D(8, 3)(inp)
y = layers.Conv2D(8, 3)(inp)
joined = layers.Dense(10)(layers.Flatten()(tf.concat([x, y], axis=-1)))
resized = layers.Dense(10)(layers.Flatten()(tf.image.resize(x, (16, 16))))
"""


def test_tensorflow_functions_on_feature_maps(tmp_path: Path) -> None:
    """`tf.concat` is a Concatenate and `tf.image.resize` a Resizing layer (tf.keras wraps
    both as TFOpLambda layers: 30x30x16 and 16x16x8)."""
    assert findings_of(tmp_path, TENSORFLOW_FUNCTIONS) == [
        ("KF001", 8, 30 * 30 * 16 * 10 + 10),
        ("KF001", 9, 16 * 16 * 8 * 10 + 10),
    ]


PATCHGAN = """
from keras.layers import Conv2D, Dense, Flatten, Input
from keras.models import Model


def build_discriminator(input_shape, patchgan=True):
    inputs = Input(input_shape)
    x = Conv2D(16, 3, strides=2)(inputs)
    if patchgan:
        outputs = Conv2D(1, 3, padding="same")(x)
    else:
        x = Flatten()(x)
        outputs = Dense(1)(x)
    return Model(inputs, outputs)


d = build_discriminator((32, 32, 3), patchgan=FLAG)
"""


def test_a_flatten_in_the_else_of_a_flag_every_call_turns_on_is_run(tmp_path: Path) -> None:
    """The CycleGAN discriminator's flat head (`if patchgan: ... else: Flatten()`), called
    only with `patchgan=True`: its head is run with the flag off, sizes unknown (KF002, as
    the dev split labels it); called with the flag off, the call sizes it (Keras 3: 15x15x16
    -> Dense(1), 3,601)."""
    assert findings_of(tmp_path, PATCHGAN.replace("FLAG", "True")) == [("KF002", 12, None)]
    assert findings_of(tmp_path, PATCHGAN.replace("FLAG", "False")) == [("KF001", 12, 3_601)]
