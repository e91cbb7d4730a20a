"""`rewrite --data` at scale (issue 24 section 4): TensorFlow's data formats read a batch at a
time, several devices, resume from a checkpoint, mixed precision.

Data and models are tiny and written by TensorFlow and Keras here; runs that need logical
devices happen in a child process that sets them up before TensorFlow starts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kerasfix.cli import main

pytestmark = pytest.mark.keras

SHAPE = (8, 8, 1)
N = 48


@pytest.fixture(scope="module")
def world(keras, tmp_path_factory):
    """A tiny trained-looking CNN and its inputs in every format kerasfix reads."""
    import tensorflow as tf

    root = tmp_path_factory.mktemp("scale")
    keras.utils.set_random_seed(0)
    inp = keras.Input(SHAPE)
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inp)
    x = keras.layers.Flatten(name="flat")(x)
    out = keras.layers.Dense(3, activation="softmax", name="fc")(x)
    model = keras.Model(inp, out)
    model.save(root / "model.keras")
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (N, *SHAPE)).astype("float32")
    y = rng.integers(0, 3, N)
    np.save(root / "x.npy", x)
    tf.data.Dataset.from_tensor_slices((x, y)).save(str(root / "pairs"))
    tf.data.Dataset.from_tensor_slices(x).batch(10).save(str(root / "batched"))
    with tf.io.TFRecordWriter(str(root / "floats.tfrecord")) as writer:
        for xi, yi in zip(x, y, strict=True):
            writer.write(_example(tf, pixels=_floats(tf, xi), label=_ints(tf, [yi])))
    with tf.io.TFRecordWriter(str(root / "pngs.tfrecord")) as writer:
        for xi in x:
            png = tf.io.encode_png(tf.constant((xi * 255).astype("uint8"))).numpy()
            writer.write(_example(tf, image=_bytes(tf, png), id=_ints(tf, [7])))
    with tf.io.TFRecordWriter(str(root / "two.tfrecord")) as writer:
        for xi in x[:8]:
            writer.write(_example(tf, a=_floats(tf, xi), b=_floats(tf, xi)))
    return root, x, y


def _example(tf, **features):
    return tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString()


def _floats(tf, values):
    return tf.train.Feature(float_list=tf.train.FloatList(value=np.ravel(values)))


def _ints(tf, values):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(v) for v in values]))


def _bytes(tf, value):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _run(capsys, *args: str) -> tuple[int, str, str]:
    """`kerasfix rewrite ARGS` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(["rewrite", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("data", "labelled"),
    [("pairs", True), ("batched", False), ("floats.tfrecord", True), ("pngs.tfrecord", True)],
)
def test_tf_formats_are_read_as_the_same_samples(world, data, labelled):
    """Each format gives the samples written (PNG: as 8-bit pixels), with labels when held."""
    from kerasfix.model_rewrite.data import open_inputs

    root, x, y = world
    inputs = open_inputs(root / data, SHAPE)
    assert len(inputs) == N and inputs.x.shape == (N, *SHAPE)
    rows = np.array([5, 0, 47])
    expected = np.floor(x[rows] * 255) if data.startswith("png") else x[rows]
    got = inputs.rows(rows)
    assert np.array_equal(got, expected)
    # the pngs' only integer scalar ("id") is taken as the label: one unambiguous candidate
    assert (inputs.y is not None) == labelled
    if data in ("pairs", "floats.tfrecord"):
        assert np.array_equal(inputs.y, y)


def test_tf_data_is_copied_to_disk_not_memory(world):
    """The rows live in a scratch file read with pread; it is gone once the inputs are."""
    import gc

    from kerasfix.model_rewrite.data import open_inputs

    root, _, _ = world
    inputs = open_inputs(root / "pairs", SHAPE)
    folder = Path(inputs.x.folder)
    assert (folder / "rows.bin").stat().st_size == N * int(np.prod(SHAPE)) * 4
    del inputs
    gc.collect()
    assert not folder.exists()


def test_ambiguous_tfrecord_is_refused_with_its_features(world, tmp_path, capsys):
    root, _, _ = world
    code, _, err = _run(capsys, str(root / "model.keras"), "-o", str(tmp_path / "o.keras"),
                        "--data", str(root / "two.tfrecord"))  # fmt: skip
    assert code == 2
    line = err.strip()
    assert "\n" not in line and "2 features holds one sample" in line
    assert "a (float x64), b (float x64)" in line
    assert not (tmp_path / "o.keras").exists()


def test_distill_on_a_saved_dataset(world, tmp_path, capsys):
    root, _, _ = world
    out = tmp_path / "o.keras"
    code, stdout, err = _run(capsys, str(root / "model.keras"), "-o", str(out), "--data",
                             str(root / "pairs"), "--epochs", "1", "--seed", "0",
                             "--report-format", "json")  # fmt: skip
    assert code == 0, err
    report = json.loads(stdout)
    assert report["distill"]["train_samples"] + report["distill"]["heldout_samples"] == N
