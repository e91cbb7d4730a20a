"""heldout13's misses (bench/realworld FINDINGS 16a), reduced to minimal files:

- a spectrogram loop whose undecided `if` ends one branch with `continue` and a guard
  `if processed_count == 0: return None, None` (Hashbrownsss app1.py:332): a branch that
  continues or returns no longer ends the other branches' run, so the model built when the
  function's result is not None is analysed;
- `np.zeros(shape=(n, 80, 80))` filled in a loop, scaled by `np.amax(X)`, split by
  `train_test_split(X, y, indices)` with one-hot `y` of run-time width, then
  `np.expand_dims(X_train, axis=3)` (shreytheshreyas ship classification);
- a hyperparameter grid that builds one model per iteration (Sushmithameduri bird sounds,
  cells 24 and 36): the finding kept is the costliest variant, said so in the message, not
  the first one met;
- scikit-learn's image datasets: `fetch_lfw_people(resize=.4)` is 50x37 faces (its
  default 125x94 cut, scaled as scikit-learn scales it; zmx6999 LFWFaceRecognization
  cnn.py:18), `fetch_olivetti_faces()` 64x64, `load_digits()` 8x8.

Numbers checked with Keras 3: 128 -> 64 -> 32 -> 16 after three same convs and 2x2 pools,
16*16*128*128 + 128 = 4,194,432; 80 - 3*2 = 74, 74*74*128*512 + 512 = 358,875,648;
channels first (1, 50, 37) -> same 5x5 conv, same 2x2 pool twice -> (64, 13, 10),
8320*1024 + 1024 = 8,520,704; 31*31*8*40 + 40 = 307,560; 6*6*16*10 + 10 = 5,770.
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.source.one_file import findings_of

GUARDED_LOOP = """
import os
import numpy as np
import streamlit as st
from tensorflow.keras import layers
from tensorflow.keras.models import Sequential


def generate(dataset_path):
    image_paths = []
    processed_count = 0
    for root, dirs, files in os.walk(dataset_path):
        if root == dataset_path:
            if not dirs:
                label = "unknown_class"
            else:
                continue
        for file in files:
            saved = st.cache_data(file)
            if saved:
                image_paths.append(saved)
                processed_count += 1
    if processed_count == 0:
        return None, None
    return np.array(image_paths), None


if st.sidebar.button("Train"):
    paths, labels = generate("data")
    if paths is not None and len(paths) > 0:
        model = Sequential([
            layers.Rescaling(1.0 / 255, input_shape=(128, 128, 3)),
            layers.Conv2D(32, (3, 3), padding="same"), layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), padding="same"), layers.MaxPooling2D((2, 2)),
            layers.Conv2D(128, (3, 3), padding="same"), layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(128),
        ])
"""

FILLED_ARRAY = """
import json
import numpy as np
import tensorflow as tf
from sklearn.model_selection import train_test_split
from tensorflow.keras.layers import Conv2D, Dense, Flatten, Input
from tensorflow.keras.models import Model

dataset = json.load(open("shipsnet.json"))
input_data = np.array(dataset["data"]).astype("uint8")
X = np.zeros(shape=(input_data.shape[0], 80, 80))
for i in range(0, input_data.shape[0]):
    X[i, :, :] = input_data[i, :].reshape(3, 80, 80)[0]
X = X / np.amax(X)
y = tf.keras.utils.to_categorical(np.array(dataset["labels"]))
indices = np.arange(4000)
X_train, X_test, y_train, y_test, train_idxs, test_idxs = train_test_split(X, y, indices)
X_train = np.expand_dims(X_train, axis=3)
i = Input(shape=X_train[0].shape)
x = Conv2D(32, (3, 3))(i)
x = Conv2D(64, (3, 3))(x)
x = Conv2D(128, (3, 3))(x)
x = Dense(512)(Flatten()(x))
model = Model(i, x)
"""


def test_a_branch_that_continues_or_returns_leaves_the_others_running(tmp_path: Path) -> None:
    assert findings_of(tmp_path, GUARDED_LOOP) == [("KF001", 36, 4_194_432)]


def test_an_array_filled_in_a_loop_keeps_its_sample_shape(tmp_path: Path) -> None:
    assert findings_of(tmp_path, FILLED_ARRAY) == [("KF001", 23, 358_875_648)]


LFW_FACES = """
from sklearn import datasets, model_selection
from keras import utils, models, layers

lfw_people = datasets.fetch_lfw_people(min_faces_per_person=70, resize=.4)
n_samples, h, w = lfw_people.images.shape
x = lfw_people.images.reshape(n_samples, 1, h, w) / 255.0
y = utils.to_categorical(lfw_people.target, 7)
x_train, x_test, y_train, y_test = model_selection.train_test_split(x, y, test_size=.1)
model = models.Sequential()
model.add(layers.Conv2D(32, (5, 5), padding="same", data_format="channels_first",
                        input_shape=(1, h, w)))
model.add(layers.MaxPooling2D((2, 2), padding="same", data_format="channels_first"))
model.add(layers.Conv2D(64, (5, 5), padding="same", data_format="channels_first"))
model.add(layers.MaxPooling2D((2, 2), padding="same", data_format="channels_first"))
model.add(layers.Flatten())
model.add(layers.Dense(1024))
"""

OLIVETTI_AND_DIGITS = """
from sklearn.datasets import fetch_olivetti_faces, load_digits
from tensorflow.keras import layers, models

faces = fetch_olivetti_faces()
X = faces.data.reshape(-1, 64, 64, 1)
face_model = models.Sequential([
    layers.Input(shape=X.shape[1:]),
    layers.Conv2D(8, 3), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(40),
])
digits, labels = load_digits(return_X_y=True)
digit_model = models.Sequential([
    layers.Input(shape=digits.reshape(-1, 8, 8, 1).shape[1:]),
    layers.Conv2D(16, 3), layers.Flatten(), layers.Dense(10),
])
"""


def test_lfw_faces_are_sized_as_scikit_learn_cuts_them(tmp_path: Path) -> None:
    assert findings_of(tmp_path, LFW_FACES) == [("KF001", 16, 8_520_704)]


def test_olivetti_faces_and_digits_are_sized(tmp_path: Path) -> None:
    assert findings_of(tmp_path, OLIVETTI_AND_DIGITS) == [
        ("KF001", 9, 307_560),
        ("KF001", 14, 5_770),
    ]


GRID = """
from tensorflow.keras import layers, models

for filters in [8, 32]:
    for units in [16, 32]:
        model = models.Sequential([
            layers.Input((20, 20, 1)),
            layers.Conv2D(filters, 3),
            layers.Flatten(),
            layers.Dense(units),
        ])
"""

TWO_CALLS = """
from tensorflow.keras import layers, models

def build(filters):
    return models.Sequential([
        layers.Input((20, 20, 1)), layers.Conv2D(filters, 3), layers.Flatten(), layers.Dense(4)
    ])

small = build(8)
large = build(32)
"""


def test_a_grid_reports_its_costliest_variant(tmp_path: Path) -> None:
    """Keras: 18x18x32 -> Dense(32) = 10368*32 + 32 = 331,808 (the first variant, 18x18x8
    -> Dense(16), would be 41,488)."""
    (path := tmp_path / "grid.py").write_text(GRID)
    findings = lint_paths([path], Settings()).findings
    assert [(f.line, f.data.params_flatten) for f in findings] == [(9, 331_808)]
    assert findings[0].message.endswith("(the largest of the models a loop builds here)")


def test_a_builder_called_twice_outside_a_loop_keeps_the_first_model(tmp_path: Path) -> None:
    """Two models, not variants of one: the first call's (18x18x8 -> Dense(4) = 10,372)."""
    assert findings_of(tmp_path, TWO_CALLS) == [("KF001", 6, 10_372)]
