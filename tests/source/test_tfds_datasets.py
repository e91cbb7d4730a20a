"""TensorFlow Datasets' catalogue images of one fixed shape: `ds_info.features["image"].shape`
and `as_supervised` pairs batched into `fit` size the model; datasets of images of several
sizes stay unknown."""

from __future__ import annotations

from pathlib import Path

from tests.source.test_realworld_patterns import _lint_text

HEAD = """
import tensorflow as tf
import tensorflow_datasets as tfds
from tensorflow.keras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from tensorflow.keras.models import Model, Sequential
"""


def _summary(findings: list) -> list:  # type: ignore[type-arg]
    return [(f.rule, f.data.shape, f.data.dense_units) for f in findings]


def test_the_info_of_a_catalogue_dataset_sizes_an_input(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "def load(name):\n"
        "    (train, test), info = tfds.load(name, split=['train', 'test'], with_info=True)\n"
        "    return train, test, info\n"
        "train, test, ds_info = load('omniglot')\n"
        "shape = ds_info.features['image'].shape\n"
        "classes = ds_info.features['label'].num_classes\n"
        "x = inputs = Input(shape=shape)\n"
        "x = MaxPooling2D(4)(Conv2D(8, 3)(x))\n"
        "model = Model(inputs, Dense(classes)(Flatten()(x)))\n",
    )
    # Keras: 105x105x3 -> 103 -> 25 (pool 4): 25x25x8 -> Dense(1623).
    assert _summary(findings) == [("KF001", (25, 25, 8), 1623)]


def test_supervised_pairs_batched_into_fit(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "ds = tfds.load('cifar10', split='train', as_supervised=True)\n"
        "ds = ds.shuffle(1000).batch(64).prefetch(tf.data.AUTOTUNE)\n"
        "model = Sequential([Conv2D(16, 3), MaxPooling2D(), Flatten(), Dense(10)])\n"
        "model.fit(ds, epochs=2)\n",
    )
    # Keras: 32x32x3 -> 30 -> 15: 15x15x16 -> Dense(10).
    assert _summary(findings) == [("KF001", (15, 15, 16), 10)]


def test_a_dataset_of_images_of_several_sizes_stays_unknown(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "ds = tfds.load('tf_flowers', split='train', as_supervised=True).batch(32)\n"
        "model = Sequential([Conv2D(16, 3), MaxPooling2D(), Flatten(), Dense(5)])\n"
        "model.fit(ds, epochs=2)\n",
    )
    assert [f.rule for f in findings] == ["KF002"]


def test_images_of_their_own_sizes_resized_by_a_mapped_lambda(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "ds = tfds.load('tf_flowers', split='train', as_supervised=True)\n"
        "ds = ds.map(lambda image, label: (tf.image.resize(image, (150, 150)) / 255.0, label))\n"
        "model = Sequential([Conv2D(16, 3), MaxPooling2D(), Flatten(), Dense(5)])\n"
        "model.fit(ds.batch(32), epochs=2)\n",
    )
    # Keras: 150x150x3 -> 148 -> 74: 74x74x16 -> Dense(5).
    assert _summary(findings) == [("KF001", (74, 74, 16), 5)]
