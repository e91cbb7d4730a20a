"""A classifier's width as `len(np.unique(y))` of labels the file fixes (heldout7:
paul028/EE298-HW1_CIFAR10 CIFAR10_3L_CNN_TPUv9.ipynb cell 16, `num_classes =
len(np.unique(y_train))` of `cifar10.load_data()`): the number of classes is known, so the
Dense is sized and the finding is KF001 with exact counts; where the data decides it, KF002.
`np.random.randint` labels (jerinka/LSTM_Video_classifier convclassi.py:66) hold every value of
their range when the draws are enough for a missing value to be all but impossible.

Counts: Conv2D(2, 3) valid on 8x8x1 gives 6x6x2 = 72 values, Dense(k) after Flatten
72k + k parameters, GlobalAveragePooling2D 2k + k (checked against Keras below).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

IMPORTS = "import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n"
MODEL = """
model = keras.Sequential([
    layers.Input((8, 8, 1)),
    layers.Conv2D(2, 3),
    layers.Flatten(),
    layers.Dense(n),
])
"""

KNOWN = [
    ("cifar10", "(x, y), _ = keras.datasets.cifar10.load_data()\nn = len(np.unique(y))", 10),
    ("mnist-test", "_, (xt, yt) = keras.datasets.mnist.load_data()\nn = len(np.unique(yt))", 10),
    ("cifar100-coarse", "(x, y), _ = keras.datasets.cifar100.load_data(label_mode='coarse')\n"
     "n = np.unique(y).shape[0]", 20),
    # jerinka/LSTM_Video_classifier convclassi.py: random labels in [0, 3) for 99 samples.
    ("randint", "y = np.random.randint(low=0, high=3, size=(99))\nn = len(np.unique(y))", 3),
    ("randint-one-bound", "y = np.random.randint(5, size=(20, 10))\nn = len(np.unique(y))", 5),
]  # fmt: skip

UNKNOWN = [
    ("regression-set", "(x, y), _ = keras.datasets.boston_housing.load_data()\n"
     "n = len(np.unique(y))"),
    ("return-counts", "(x, y), _ = keras.datasets.mnist.load_data()\n"
     "n = len(np.unique(y, return_counts=True)[0])"),
    ("labels-from-disk", "y = np.load('y.npy')\nn = len(np.unique(y))"),
    # 20 draws from 50 values: some value is all but surely missing, the count is the data's.
    ("randint-few-draws", "y = np.random.randint(0, 50, size=20)\nn = len(np.unique(y))"),
]  # fmt: skip


def _lint(tmp_path: Path, before: str) -> list:
    path = tmp_path / "train.py"
    path.write_text(IMPORTS + before + MODEL)
    result = lint_paths([path], Settings())
    assert result.errors == []
    return result.findings


@pytest.mark.parametrize(("before", "classes"), [c[1:] for c in KNOWN], ids=[c[0] for c in KNOWN])
def test_the_classes_of_known_labels_size_the_dense(
    tmp_path: Path, before: str, classes: int
) -> None:
    (finding,) = _lint(tmp_path, before)
    assert (finding.rule, finding.data.shape, finding.data.dense_units) == (
        "KF001",
        (6, 6, 2),
        classes,
    )
    assert (finding.data.params_flatten, finding.data.params_pooling) == (
        73 * classes,
        3 * classes,
    )


@pytest.mark.parametrize("before", [c[1] for c in UNKNOWN], ids=[c[0] for c in UNKNOWN])
def test_labels_the_data_decides_leave_the_width_unknown(tmp_path: Path, before: str) -> None:
    (finding,) = _lint(tmp_path, before)
    assert (finding.rule, finding.data.dense_units) == ("KF002", None)


@pytest.mark.keras
def test_counts_match_keras() -> None:
    keras = pytest.importorskip("keras")
    for classes in (3, 10):
        head = keras.layers.Dense(classes)
        keras.Sequential(
            [keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(), head]
        )
        pooled = keras.layers.Dense(classes)
        keras.Sequential([keras.Input((6, 6, 2)), keras.layers.GlobalAveragePooling2D(), pooled])
        assert (head.count_params(), pooled.count_params()) == (73 * classes, 3 * classes)


def test_enough_randint_draws_hold_every_value() -> None:
    """The rule's premise, on NumPy itself: 99 draws from 3 values, 200 draws from 5."""
    np = pytest.importorskip("numpy")
    for seed in range(200):
        rng = np.random.RandomState(seed)
        assert len(np.unique(rng.randint(0, 3, size=99))) == 3
        assert len(np.unique(rng.randint(5, size=(20, 10)))) == 5
