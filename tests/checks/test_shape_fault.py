"""KF003 shape-fault: the faults it reports, and the code it must stay silent on (a false
error is worse than silence). Each reported fault is rebuilt in Keras by
tests/test_rule_examples.py (the page) and bench/shape_faults (the labelled set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix import catalogue
from kerasfix.checks.shape_fault import ShapeFaultFacts
from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

IMPORTS = "import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n"
MNIST = "(x, y), _ = keras.datasets.mnist.load_data()\n"
CONV = (
    "model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 3),\n"
    "    layers.GlobalAveragePooling2D(), layers.Dense(10, activation='softmax')])\n"
    "model.compile('adam', 'categorical_crossentropy')\n"
)

AUTOENCODER = (
    "i = keras.Input((8,))\nh = layers.Dense(6)(i)\nc = layers.Dense(2)(h)\n"
    "h2 = layers.Dense(6)(c)\nauto = keras.Model(i, layers.Dense(8)(h2))\n"
)

REPORTED = [
    ("rank-short", "m = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28)),\n"
     "    layers.GlobalAveragePooling2D()])\n", "build", "input_shape=(28, 28, 1)"),
    # tf.keras never read Keras 1 positionals: the third is the strides there.
    ("tf-keras-strides", "m = keras.Sequential([layers.Conv2D(8, 3, 3, input_shape=(4, 4, 1)),"
     "\n    layers.MaxPooling2D(2)])\n", "build", "does not fit length 1"),
    # A rank error does not depend on how the positionals are read.
    ("rank-with-positionals", "from keras.layers import Convolution2D as C\n"
     "m = keras.Sequential([C(10, 3, 3, input_shape=(30, 30))])\n", "build", "rank 4"),
    ("targets-rank", MNIST + "m = keras.Sequential([keras.Input((28, 28)), layers.Dense(9)])\n"
     "m.compile('adam', 'categorical_crossentropy')\n"
     "m.fit(x, keras.utils.to_categorical(y, 9))\n", "targets", "(None, 28, 9)"),
    ("split-targets", "from sklearn.model_selection import train_test_split\n"
     "X, Y = np.zeros((100, 10)), np.random.randint(0, 2, 100)\n"
     "m = keras.Sequential([keras.Input((10,)), layers.Dense(2, activation='softmax')])\n"
     "m.compile('adam', 'categorical_crossentropy')\n"
     "Xtr, Xte, ytr, yte = train_test_split(X, Y)\nm.fit(Xtr, ytr)\n", "targets",
     "targets of shape (75,)"),
    ("eye-rows-sparse", "y = np.eye(3)[np.random.randint(0, 3, 32)]\n"
     "m = keras.Sequential([keras.Input((8,)), layers.Dense(3, activation='softmax')])\n"
     "m.compile('adam', 'sparse_categorical_crossentropy')\nm.fit(np.zeros((32, 8)), y)\n",
     "targets", "not one-hot rows"),
    ("sliced-samples", "data = np.zeros((100, 20))\nx = data[:70]\n"
     "m = keras.Sequential([keras.Input((30,)), layers.Dense(1)])\nm.predict(x)\n", "data",
     "(70, 20)"),
    ("one-sample-flat", "m = keras.Sequential([keras.Input((8,)), layers.Dense(1)])\n"
     "m.compile('adam', 'mse')\nm.predict(np.array([6, 148, 72, 35, 0, 33.6, 0.627, 50]))\n",
     "data", "one number per sample"),
    ("embedding-targets", "m = keras.Sequential([layers.Embedding(50, 8, input_length=10), "
     "layers.Flatten(),\n    layers.Dense(4, activation='softmax')])\n"
     "m.compile('adam', 'categorical_crossentropy')\n"
     "m.fit(np.zeros((6, 10)), np.zeros((6,)))\n", "targets", "targets of shape (6,)"),
    ("flat-into-lstm", "m = keras.Sequential([layers.LSTM(4, input_shape=(8, 1)),\n"
     "    layers.Dense(1)])\n"
     "m.compile('adam', 'mse')\nm.fit(np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), "
     "np.zeros((10, 1)))\n", "data", "expects inputs of rank 3"),
    ("targets-do-not-broadcast", "m = keras.Sequential([layers.Dense(4, input_shape=(50, 50, 3)),"
     "\n    layers.Dense(1)])\nm.compile('adam', 'binary_crossentropy')\n"
     "m.fit(np.zeros((30, 50, 50, 3)), np.zeros((30, 1)))\n", "targets", "broadcast"),
    ("window", "m = keras.Sequential([layers.Conv1D(64, 10, input_shape=(1, 101))])\n", "build",
     "does not fit length 1"),
    ("sized-by-fit", MNIST + "m = keras.Sequential([layers.Conv2D(8, 3), layers.Flatten()])\n"
     "m.compile('adam', 'mse')\nm.fit(x, y)\n", "build", "fixed by m.fit(x, ...) (line 7)"),
    ("data-rank", MNIST + CONV + "model.predict(x.reshape(-1, 784))\n", "data",
     "feeds inputs of shape (60000, 784)"),
    ("data-width", "m = keras.Sequential([layers.Dense(4, input_shape=(20,)), layers.Dense(1)])\n"
     "m.predict(np.zeros((5, 30)))\n", "data", "expected axis -1 of input shape to have value 20"),
    ("targets-width", MNIST + CONV + "model.fit(x.reshape(-1, 28, 28, 1), "
     "keras.utils.to_categorical(y, 12))\n", "targets", "(60000, 12)"),
    ("targets-indices", MNIST + CONV + "model.fit(x.reshape(-1, 28, 28, 1), y)\n", "targets",
     "targets of shape (60000,)"),
    # A model's last layer called on a new input: its Dense was built for 6 features.
    ("model-layers-reused", AUTOENCODER + "code = keras.Input((2,))\n"
     "decoder = keras.Model(code, auto.layers[-1](code))\n", "build",
     "called on (None, 2), but its first call built its weights for inputs of shape (None, 6)"),
    ("shared-dense", "d = layers.Dense(4)\nh = d(keras.Input((8,)))\nx = keras.Input((3,))\n"
     "m = keras.Model(x, d(x))\n", "build", "to have value 8, got 3"),
    # One-hot rows whose width the data decides: rank 2 against a rank-4 output is refused.
    ("one-hot-rank", "y = keras.utils.to_categorical(np.random.randint(0, 10, 32))\n"
     "m = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.Dense(10)])\n"
     "m.compile('adam', 'categorical_crossentropy')\nm.fit(np.zeros((32, 8, 8, 3)), y)\n",
     "targets", "targets of the output's rank, 4, whatever their sizes"),
    ("cardinality", "m = keras.Sequential([layers.Dense(1, input_shape=(3,))])\n"
     "m.compile('adam', 'mse')\nm.fit(np.zeros((8, 3)), np.zeros((9, 1)))\n", "targets",
     "Data cardinality"),
]  # fmt: skip

SILENT = [
    # Keras 3 adds the missing trailing 1-axis itself; Keras 2 refused: generation-dependent.
    ("trailing-axis", MNIST + CONV + "model.fit(x, keras.utils.to_categorical(y, 10))\n"),
    # Standalone `Conv2D(8, 3, 3)`: a 3x3 kernel in Keras 1/2.0-2.3, strides 3 later.
    ("positional-kernel", "from keras.layers import Conv2D as C, MaxPooling2D as P\n"
     "m = keras.Sequential([C(8, 3, 3, input_shape=(4, 4, 1)), P(2)])\n"),
    # Keras 2's keras.json decides which axis of (3, 32, 32) holds the channels.
    ("channels-first-look", "from keras.layers import Conv2D as C, MaxPooling2D as P\n"
     "m = keras.Sequential([C(8, (3, 3), input_shape=(3, 32, 32)), P(2), P(2)])\n"),
    ("input-dim", "m = keras.Sequential([layers.LSTM(4, input_dim=3, input_length=2), "
     "layers.Conv1D(2, 5)])\n"),
    # Exclusive branches merged into one model: not a model anyone builds.
    ("branches", "import sys\nm = keras.Sequential()\nif sys.argv[1] == 'mlp':\n"
     "    m.add(layers.Flatten(input_shape=(28, 28, 1)))\n    m.add(layers.Dense(10))\n"
     "elif sys.argv[1] == 'cnn':\n    m.add(layers.Conv2D(8, 3, input_shape=(28, 28, 1)))\n"
     "    m.add(layers.GlobalAveragePooling2D())\n"),
    # The same trailing-axis leniency when a model's input and its data are both fixed.
    ("data-trailing-axis", MNIST + CONV + "model.predict(x.reshape(-1, 14, 56))\n"),
    # A layer kerasfix cannot size on the way: unsure, so silent.
    ("lambda", "m = keras.Sequential([keras.Input((28, 28)), layers.Lambda(lambda t: t[..., None]),"
     "\n    layers.Conv2D(8, 3)])\n"),
    # Another input size that every layer takes: Keras 2 warned and ran it.
    ("fully-convolutional", CONV + "model.predict(np.zeros((2, 64, 64, 1)))\n"),
    # The targets fit the output and the loss.
    ("targets-ok", MNIST + CONV + "model.fit(x.reshape(-1, 28, 28, 1), "
     "keras.utils.to_categorical(y, 10))\n"),
    ("binary-broadcasts", "m = keras.Sequential([layers.Dense(1, input_shape=(3,))])\n"
     "m.compile('adam', 'binary_crossentropy')\nm.fit(np.zeros((8, 3)), np.zeros((8, 4)))\n"),
    # Two compiles with different losses: which one is in force is not decided here.
    # A batch of 5 targets (5, 4) broadcasts against an output (5, 5, 4): Keras 3 runs it.
    ("batch-broadcasts", "m = keras.Sequential([keras.Input((5, 3)), layers.Dense(4)])\n"
     "m.compile('adam', 'mse')\nm.fit(np.zeros((10, 5, 3)), np.zeros((10, 4)), batch_size=5)\n"),
    # The split decides the first batch: not read, so silent.
    ("batch-after-split", "m = keras.Sequential([keras.Input((5, 3)), layers.Dense(4)])\n"
     "m.compile('adam', 'mse')\n"
     "m.fit(np.zeros((8, 5, 3)), np.zeros((8, 4)), validation_split=0.5)\n"),
    # The decoder rebuilt from the model's last two layers: each takes what it was built on.
    ("model-layers-chained", AUTOENCODER + "code = keras.Input((2,))\n"
     "d = auto.layers[-2](code)\ndecoder = keras.Model(code, auto.layers[-1](d))\n"),
    # `model.layers.pop()` shortens the list in standalone Keras 2 only: not read after it.
    ("model-layers-popped", AUTOENCODER + "auto.layers.pop()\ncode = keras.Input((6,))\n"
     "decoder = keras.Model(code, auto.layers[-1](code))\n"),
    # A list made from the layer list is not that list.
    ("model-layers-extended", AUTOENCODER + "code = keras.Input((2,))\n"
     "m = keras.Model(code, (auto.layers + [layers.Dense(3)])[-1](code))\n"),
    # A model with a side branch: Keras's order of its layers is not read.
    ("model-layers-branched", "i = keras.Input((8,))\na = layers.Dense(6)(i)\n"
     "b = layers.Dense(6)(i)\nauto = keras.Model(i, layers.Add()([a, b]))\n"
     "code = keras.Input((2,))\nm = keras.Model(code, auto.layers[-2](code))\n"),
    # Two builders the file never calls: which of them runs is not the file's to say.
    ("uncalled-builders", "head = layers.Dense(4)\ndef small():\n    x = keras.Input((8,))\n"
     "    return keras.Model(x, head(x))\ndef big():\n    x = keras.Input((3,))\n"
     "    return keras.Model(x, head(x))\n"),
    # A shared layer called in exclusive branches: a run takes one of them.
    ("shared-in-branches", "import sys\nd = layers.Dense(4)\nif sys.argv[1] == 'small':\n"
     "    x = keras.Input((8,))\n    m = keras.Model(x, d(x))\nelse:\n"
     "    x = keras.Input((3,))\n    m = keras.Model(x, d(x))\n"),
    ("shared-in-conditional", "import sys\nd = layers.Dense(4)\n"
     "x = d(keras.Input((8,))) if sys.argv[1] else d(keras.Input((3,)))\n"),
    # A shared layer on two inputs of the same width.
    ("shared-same-width", "d = layers.Dense(4)\nx, y = keras.Input((8,)), keras.Input((8,))\n"
     "m = keras.Model([x, y], layers.Add()([d(x), d(y)]))\n"),
    # One-hot rows of a width the data decides against a rank-2 output: the width is unknown.
    ("one-hot-width", "y = keras.utils.to_categorical(np.random.randint(0, 10, 32))\n"
     "m = keras.Sequential([keras.Input((8,)), layers.Dense(10)])\n"
     "m.compile('adam', 'categorical_crossentropy')\nm.fit(np.zeros((32, 8)), y)\n"),
    # Parts of one-hot rows: how many samples they hold is not read from the whole.
    ("one-hot-sliced", "y = keras.utils.to_categorical(np.random.randint(0, 16, 100))\n"
     "m = keras.Sequential([keras.Input((8,)), layers.Dense(16)])\n"
     "m.compile('adam', 'categorical_crossentropy')\nm.fit(np.zeros((100, 8))[:70], y[:70])\n"),
    # Reshaped one-hot rows: their rank is not read.
    ("one-hot-reshaped", "y = keras.utils.to_categorical(np.random.randint(0, 10, 32))\n"
     "m = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.Dense(10)])\n"
     "m.compile('adam', 'categorical_crossentropy')\n"
     "m.fit(np.zeros((32, 8, 8, 3)), y.reshape(-1, 1, 1, 10) * np.ones((32, 6, 6, 10)))\n"),
    ("two-losses", "import sys\nm = keras.Sequential([layers.Dense(10, input_shape=(3,))])\n"
     "if sys.argv:\n    m.compile('adam', 'mse')\nelse:\n"
     "    m.compile('adam', 'categorical_crossentropy')\n"
     "m.fit(np.zeros((8, 3)), np.zeros((8,)))\n"),
]  # fmt: skip


def _shape_faults(tmp_path: Path, body: str, settings: Settings | None = None) -> list:  # type: ignore[type-arg]
    path = tmp_path / "script.py"
    path.write_text(IMPORTS + body, encoding="utf-8")
    result = lint_paths([path], settings or Settings())
    assert result.errors == []
    return [f for f in result.findings if f.rule == "KF003"]


@pytest.mark.parametrize(("body", "kind", "says"),
                         [pytest.param(*c[1:], id=c[0]) for c in REPORTED])  # fmt: skip
def test_reported(tmp_path: Path, body: str, kind: str, says: str) -> None:
    (finding,) = _shape_faults(tmp_path, body)
    assert finding.severity.value == "error"
    assert isinstance(finding.data, ShapeFaultFacts) and finding.data.kind == kind
    assert says in finding.message
    assert "Keras: ValueError" in finding.message


@pytest.mark.parametrize("body", [pytest.param(c[1], id=c[0]) for c in SILENT])
def test_silent_where_unsure(tmp_path: Path, body: str) -> None:
    assert _shape_faults(tmp_path, body) == []


def test_targets_of_a_batch_that_does_not_broadcast(tmp_path: Path) -> None:
    """mse on targets (8, 4) against an output (None, 5, 4): the first batch of 8 meets the
    output's axis of 5 (Keras 3.15 raised InvalidArgumentError on this very model); the
    counts of a train_test_split are scikit-learn's (10 samples: 7 and 3)."""
    body = (
        "from sklearn.model_selection import train_test_split\n"
        "m = keras.Sequential([keras.Input((5, 3)), layers.Dense(4)])\nm.compile('adam', 'mse')\n"
        "a, b, c, d = train_test_split(np.zeros((10, 5, 3)), np.zeros((10, 4)))\n"
        "m.fit(a, c, batch_size=32)\nm.evaluate(b, d)\n"
    )
    fit, evaluate = _shape_faults(tmp_path, body)
    assert "the first batch of them, (7, 4), does not" in fit.message
    assert "the first batch of them, (3, 4), does not" in evaluate.message
    assert "InvalidArgumentError, Incompatible shapes, at the first batch" in fit.message


KERAS_SAYS = {
    "model-layers-reused": "expected axis -1 of input shape to have value",
    "shared-dense": "expected axis -1 of input shape to have value",
    "one-hot-rank": "must have the same rank",
}


@pytest.mark.keras
@pytest.mark.parametrize(
    ("body", "says"), [pytest.param(c[1], KERAS_SAYS[c[0]], id=c[0]) for c in REPORTED
                       if c[0] in KERAS_SAYS]
)  # fmt: skip
def test_raises_in_keras(body: str, says: str) -> None:
    """These reported cases raise in Keras the ValueError their message names."""
    pytest.importorskip("keras")
    with pytest.raises(ValueError, match=says):
        exec(compile(IMPORTS + body, "script.py", "exec"), {})  # the test's own snippet


@pytest.mark.keras
def test_batch_that_does_not_broadcast_raises_in_keras() -> None:
    """Targets (8, 4) against an output (None, 5, 4), mse: Keras fails at the first batch."""
    tf = pytest.importorskip("tensorflow")
    body = (
        "m = keras.Sequential([keras.Input((5, 3)), layers.Dense(4)])\nm.compile('adam', 'mse')\n"
        "m.fit(np.zeros((8, 5, 3)), np.zeros((8, 4)), verbose=0)\n"
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        exec(compile(IMPORTS + body, "script.py", "exec"), {})  # the test's own snippet


def test_noqa_select_and_ignore(tmp_path: Path) -> None:
    body = REPORTED[0][1]
    assert _shape_faults(tmp_path, body, Settings(select=("KF001",))) == []
    assert _shape_faults(tmp_path, body, Settings(ignore=("KF003",))) == []
    quiet = body.replace("(28, 28)),", "(28, 28)),  # noqa: KF003")
    assert _shape_faults(tmp_path, quiet) == []


def test_facts_round_trip_the_cache(tmp_path: Path) -> None:
    data_rank = next(case[1] for case in REPORTED if case[0] == "data-rank")
    (finding,) = _shape_faults(tmp_path, data_rank)
    data = finding.data
    assert ShapeFaultFacts.decode(data.encode()) == data
    assert data.report()["got_shape"] == [None, 784]


def test_sarif_and_rule_page_come_from_the_registry() -> None:
    from kerasfix.reporters.sarif import rule_descriptor

    doc = catalogue.get("shape-fault")
    assert doc is not None and doc.id == "KF003" and doc.severity == "error"
    descriptor = rule_descriptor(doc)
    assert descriptor["id"] == "KF003" and descriptor["name"] == "shape-fault"


def test_notebook_cells(tmp_path: Path) -> None:
    """Jupyter: the finding and the place the input is declared name their cells."""
    import json

    cells = [
        ["import keras\n", "from keras import layers\n"],
        ["model = keras.Sequential([keras.Input((28, 28)),\n", "    layers.Conv2D(8, 3)])\n"],
    ]
    code = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": []}
    notebook = {
        "cells": [{**code, "source": source} for source in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "model.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    (finding,) = lint_paths([path], Settings()).findings
    assert (finding.rule, finding.cell, finding.line) == ("KF003", 2, 2)
    assert "declared at cell 2, line 1" in finding.message
    assert "Input(shape=(28, 28, 1))" in finding.message
