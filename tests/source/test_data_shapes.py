"""Issue 25 s3: a Sequential with no declared input, sized by the data its first
fit/predict/`model(x)`/build call gets, where the file fixes that data's shape."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

HEAD = """
model = keras.Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)])
model.compile("adam", "mse")
"""
IMPORTS = """
import os
import cv2
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.preprocessing.image import ImageDataGenerator, img_to_array, load_img
"""

# (id, code before the model, the call that feeds it, one sample's shape, the call named)
SIZED = [
    ("mnist-reshape", "(x, y), _ = keras.datasets.mnist.load_data()\n"
     "x = x.reshape(-1, 28, 28, 1) / 255.0", "model.fit(x, y)", (28, 28, 1), "model.fit(x, ...)"),
    ("fashion-expand-dims", "(x, y), (xt, yt) = keras.datasets.fashion_mnist.load_data()\n"
     "xt = np.expand_dims(xt, -1)", "model.predict(xt)", (28, 28, 1), "model.predict(xt)"),
    ("cifar10-call", "(x, y), (xt, yt) = keras.datasets.cifar10.load_data()",
     "model(xt)", (32, 32, 3), "model(xt)"),
    ("cifar100-astype", "(x, y), _ = keras.datasets.cifar100.load_data()\n"
     "x = x.astype('float32') / 255", "model.fit(x, y)", (32, 32, 3), "model.fit(x, ...)"),
    ("np-zeros", "x = np.zeros((8, 64, 64, 3))", "model.fit(x, np.zeros((8, 2)))",
     (64, 64, 3), "model.fit(x, ...)"),
    ("np-random-rand", "x = np.random.rand(8, 40, 40, 1)", "model.predict(x)", (40, 40, 1),
     "model.predict(x)"),
    ("image-dataset", "ds = keras.utils.image_dataset_from_directory('d', image_size=(60, 60), "
     "color_mode='grayscale')\nds = ds.cache().prefetch(2)", "model.fit(ds, epochs=2)",
     (60, 60, 1), "image_dataset_from_directory(image_size=(60, 60)) (line"),
    ("flow-from-directory", "gen = ImageDataGenerator(rescale=1 / 255)\n"
     "train = gen.flow_from_directory('d', target_size=(50, 50), class_mode='binary')",
     "model.fit(train)", (50, 50, 3), "flow_from_directory(target_size=(50, 50))"),
    ("cv2-loop", "images = []\nfor name in os.listdir('d'):\n"
     "    img = cv2.imread(os.path.join('d', name))\n"
     "    img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)\n"
     "    images.append(cv2.resize(img, (36, 24)))\nx = np.array(images) / 255.0",
     "model.fit(x, y)", (24, 36, 3), "np.array() of a list"),
    ("cv2-gray-reshape", "data = []\nfor name in os.listdir('d'):\n"
     "    data.append(cv2.resize(cv2.imread(name, 0), (30, 30)))\n"
     "x = np.array(data).reshape(-1, 30, 30, 1)", "model.fit(x, y)", (30, 30, 1),
     "model.fit(x, ...)"),
    ("load-img-loop", "x = []\nfor name in os.listdir('d'):\n"
     "    x.append(img_to_array(load_img(name, target_size=(44, 44))))\nx = np.asarray(x)",
     "model.fit(x, y)", (44, 44, 3), "model.fit(x, ...)"),
    ("build", "", "model.build((None, 20, 20, 3))", (20, 20, 3), "model.build((None, 20, 20, 3))"),
    # TseboMoisi/.../cifard.py: a loader normalising by the mean and std over every axis.
    ("loader-mean-std", "def load():\n    (x, y), _ = keras.datasets.cifar10.load_data()\n"
     "    x = x.astype('float32')\n    mean = np.mean(x, axis=(0, 1, 2, 3))\n"
     "    std = np.std(x)\n    return (x - mean) / (std + 1e-7), y\nx, y = load()",
     "model.fit(x, y)", (32, 32, 3), "model.fit(x, ...)"),
    # Rango-Zhang-Hang/...: a loaded array reshaped with a literal count of samples.
    ("reshape-literal-count", "x = np.load('csi.npy').reshape(1600, 5, 512, 1)",
     "model.fit(x, y)", (5, 512, 1), "a reshape to (n, 5, 512, 1)"),
    # iampritam123/...: a DataFrame column cut into rows (`reshape((n, window))`).
    ("series-cut-into-rows", "import pandas as pd\ns = pd.read_csv('v.csv')['v']\n"
     "n = int(np.floor(len(s) / 64))\nx = s.values.reshape((n, 8, 8, 1))",
     "model.fit(x, y)", (8, 8, 1), "model.fit(x, ...)"),
    # Batches resized by a mapped function (the case once listed as not fixed by the file).
    ("dataset-mapped", "ds = keras.utils.image_dataset_from_directory('d', image_size=(60, 60))\n"
     "ds = ds.map(lambda a, b: (tf.image.resize(a, (30, 30)), b))", "model.fit(ds)", (30, 30, 3),
     "mapped by <lambda>() (line 10)"),
]  # fmt: skip

# The same shape of code where the data's shape is not fixed: the size stays unknown (KF002).
UNSIZED = [
    ("channels-first-generator", "keras.backend.set_image_data_format('channels_first')\n"
     "train = ImageDataGenerator().flow_from_directory('d', target_size=(50, 50))",
     "model.fit(train)"),
    ("imread-unchanged", "x = np.array([cv2.resize(cv2.imread('a.png', cv2.IMREAD_UNCHANGED), "
     "(30, 30))])", "model.fit(x, y)"),
    ("branches-disagree", "if os.environ.get('BIG'):\n    x = np.zeros((8, 64, 64, 3))\nelse:\n"
     "    x = np.zeros((8, 32, 32, 3))", "model.fit(x, y)"),
    ("times-a-loaded-array", "x = np.zeros((8, 32, 32, 3)) * np.load('scale.npy')",
     "model.fit(x, y)"),
]  # fmt: skip


def _lint(tmp_path: Path, before: str, call: str) -> list:  # type: ignore[type-arg]
    path = tmp_path / "script.py"
    path.write_text(f"{IMPORTS}{before}\n{HEAD}{call}\n", encoding="utf-8")
    result = lint_paths([path], Settings())
    assert result.errors == []
    return [f for f in result.findings if f.rule in ("KF001", "KF002")]


def _flatten_params(sample: tuple[int, ...]) -> int:
    """Conv2D(4, 3) valid padding, then Dense(2): the count kerasfix states."""
    rows, cols = sample[0] - 2, sample[1] - 2
    return rows * cols * 4 * 2 + 2


@pytest.mark.parametrize(("before", "call", "sample", "named"),
                         [pytest.param(*case[1:], id=case[0]) for case in SIZED])  # fmt: skip
def test_first_call_sizes_the_model(
    tmp_path: Path, before: str, call: str, sample: tuple[int, ...], named: str
) -> None:
    (finding,) = _lint(tmp_path, before, call)
    assert finding.rule == "KF001", finding.message
    assert finding.data.params_flatten == _flatten_params(sample)
    assert "the input size is fixed by " in finding.message
    assert named in finding.message


@pytest.mark.parametrize(("before", "call"),
                         [pytest.param(*case[1:], id=case[0]) for case in UNSIZED])  # fmt: skip
def test_data_not_fixed_by_the_file_stays_unknown(tmp_path: Path, before: str, call: str) -> None:
    (finding,) = _lint(tmp_path, before, call)
    assert finding.rule == "KF002", finding.message
    assert "fixed by" not in finding.message


@pytest.mark.keras
def test_counts_match_keras() -> None:
    """Keras builds the same head on each sample shape: the Dense count kerasfix states."""
    keras = pytest.importorskip("keras")
    for _, _, _, sample, _ in SIZED:
        dense = keras.layers.Dense(2)
        keras.Sequential(
            [keras.Input(sample), keras.layers.Conv2D(4, 3), keras.layers.Flatten(), dense]
        )
        assert dense.count_params() == _flatten_params(sample), sample
        assert math.prod(dense.kernel.shape) + 2 == _flatten_params(sample)


def test_pad_sequences_fixes_the_sequence_length_and_one_sample_gives_the_input_shape(
    tmp_path: Path,
) -> None:
    """heldout11: jelly-lemon/deep_learning_study CNN_IMDB_study.py:33, `Input(shape=
    x_train[0].shape)` after `pad_sequences(x_train, maxlen=250)`: Embedding, Conv1D(8, 3),
    MaxPool1D(2): 124 steps x 8; Dense(16): 992*16 + 16 = 15,888 (Keras)."""
    code = (
        "from tensorflow.keras.datasets import imdb\n"
        "from tensorflow.keras.layers import Conv1D, Dense, Embedding, Flatten, Input, MaxPool1D\n"
        "from tensorflow.keras.preprocessing import sequence\n\n"
        "(x_train, y_train), _ = imdb.load_data(num_words=10000)\n"
        "x_train = sequence.pad_sequences(x_train, maxlen=250)\n"
        "inputs = Input(shape=x_train[0].shape)\n"
        "x = MaxPool1D(2)(Conv1D(8, 3)(Embedding(10000, 10)(inputs)))\n"
        "out = Dense(16)(Flatten()(x))\n"
    )
    path = tmp_path / "imdb_cnn.py"
    path.write_text(code)
    result = lint_paths([path], Settings())
    (finding,) = result.findings
    assert (finding.rule, finding.data.shape, finding.data.params_flatten) == (
        "KF001",
        (124, 8),
        15_888,
    )
