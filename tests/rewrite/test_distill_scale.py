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
                             str(root / "pairs"), "--epochs", "1", "--seed", "0", "--no-verify",
                             "--report-format", "json")  # fmt: skip
    assert code == 0, err
    report = json.loads(stdout)
    assert report["distill"]["train_samples"] + report["distill"]["heldout_samples"] == N


_TWO_DEVICES = """
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from kerasfix.cli import main
model, data, out = sys.argv[1:4]
for n in ("1", "2"):
    main(["rewrite", model, "-o", f"{out}/dev{n}.keras", "--data", data, "--epochs", "3",
          "--seed", "0", "--devices", n, "--no-verify", "--report-format", "json"])
"""


@pytest.mark.slow  # a child process: TensorFlow must start after the CPU is split in two
def test_two_logical_devices_match_one_within_noise(world, keras, tmp_path):
    """MirroredStrategy over two logical CPU devices trains what one device trains, up to
    rounding: the batch is the global one, so each step's gradient is the same mean summed
    in another order (differences ~1e-7). Adam turns a rounding-sized difference in a
    near-zero gradient into a step of up to the learning rate, so two runs may differ by at
    most lr x steps per weight (3 epochs x 2 steps x 1e-3 = 6e-3); an error such as training
    on half the batch or another data order moves weights by more than that."""
    import subprocess
    import sys

    root, x, _ = world
    env = dict(__import__("os").environ, KERASFIX_CACHE_DIR=str(tmp_path / "cache"))
    args = [str(root / "model.keras"), str(root / "x.npy"), str(tmp_path)]
    proc = subprocess.run([sys.executable, "-c", _TWO_DEVICES, *args], capture_output=True,
                          text=True, env=env, timeout=300, check=False)  # fmt: skip
    decoder, text, reports = json.JSONDecoder(), proc.stdout, []
    while text.strip():
        report, end = decoder.raw_decode(text.lstrip())
        reports.append(report)
        text = text.lstrip()[end:]
    assert len(reports) == 2, proc.stderr[-2000:]
    assert [r["distill"]["devices"] for r in reports] == [1, 2]
    assert "MirroredStrategy" in reports[1]["distill"]["notes"][0]
    from kerasfix.model_rewrite.calibrate import load_model_path

    one, two = (load_model_path(keras, str(tmp_path / f"dev{n}.keras")) for n in (1, 2))
    run = reports[0]["distill"]
    steps = run["epochs_run"] * -(-(run["train_samples"] + run["mixed_samples"]) // 64)
    for a, b in zip(one.get_weights(), two.get_weights(), strict=True):
        assert np.abs(a - b).max() <= 1e-3 * steps
    assert np.abs(one.predict(x, verbose=0) - two.predict(x, verbose=0)).max() < 0.02


def test_max_time_keeps_a_checkpoint_and_the_same_command_continues(
    world, keras, tmp_path, capsys, monkeypatch
):
    """Stopped by --max-time after epoch 1 of 3, the run keeps a checkpoint; the same command
    again resumes after epoch 1 (history carried over) and, done, removes it."""
    root, _, _ = world
    monkeypatch.setenv("KERASFIX_CACHE_DIR", str(tmp_path / "cache"))
    args = [str(root / "model.keras"), "-o", str(tmp_path / "o.keras"), "--force",
            "--data", str(root / "x.npy"), "--epochs", "2", "--max-time", "0.001",
            "--seed", "0", "--no-verify", "--report-format", "json"]  # fmt: skip
    code, out, err = _run(capsys, *args)
    assert code == 0, err
    first = json.loads(out)["distill"]
    assert first["stopped"].startswith("--max-time") and len(first["history"]) == 1
    kept = Path(first["checkpoint"])
    assert (kept / "state.json").is_file() and kept.parent.parent == tmp_path / "cache"
    with np.load(kept / "optimizer.npz") as optimizer:  # Adam's step count: epoch 1's 2 steps
        assert int(optimizer["arr_0"]) == 2
    code, out, err = _run(capsys, *args)
    assert code == 0, err
    second = json.loads(out)["distill"]
    assert second["resumed_from"] == 1 and second["stopped"] == "--epochs reached"
    assert second["history"][:1] == first["history"] and len(second["history"]) == 2
    assert second["checkpoint"] == "" and not kept.exists()
    # the resumed run trains what one uninterrupted run trains, up to the order Keras's own
    # fit(shuffle=True) gives the batches (its generator is not in the checkpoint): within
    # Adam's bound of lr x steps per weight (2 epochs x 2 steps x 1e-3), as on two devices
    whole = [a if a != str(tmp_path / "o.keras") else str(tmp_path / "whole.keras")
             for a in args if a not in ("--max-time", "0.001")]  # fmt: skip
    code, out, err = _run(capsys, *whole)
    assert code == 0, err
    assert json.loads(out)["distill"]["history"] == second["history"]
    from kerasfix.model_rewrite.calibrate import load_model_path

    resumed, uninterrupted = (load_model_path(keras, str(tmp_path / n))
                              for n in ("o.keras", "whole.keras"))  # fmt: skip
    for a, b in zip(resumed.get_weights(), uninterrupted.get_weights(), strict=True):
        assert np.abs(a - b).max() <= 1e-3 * 2 * 2


def test_mixed_precision_is_ignored_with_a_note_on_cpus(world, tmp_path, capsys, monkeypatch):
    root, _, _ = world
    monkeypatch.setenv("KERASFIX_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = _run(capsys, str(root / "model.keras"), "-o", str(tmp_path / "o.keras"),
                          "--data", str(root / "x.npy"), "--epochs", "1", "--mixed-precision",
                          "--no-verify")  # fmt: skip
    assert code == 0, err
    assert "distill: --mixed-precision ignored: no GPU visible (trained in float32)" in out


def test_mixed_precision_policy_trains_in_float16_with_float32_outputs(keras):
    """What --mixed-precision does to the student on a GPU, run here on the CPU: float16
    compute, float32 variables and outputs, and Keras's loss scaling at compile."""
    from kerasfix.model_rewrite.distribution import use_mixed_precision

    inp = keras.Input((4, 4, 1))
    x = keras.layers.Conv2D(2, 3, name="conv")(inp)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inp, keras.layers.Dense(3, activation="softmax", name="fc")(x))
    use_mixed_precision(keras, model)
    model.compile(optimizer="adam", loss="kl_divergence")
    assert type(model.optimizer).__name__ == "LossScaleOptimizer"
    assert model.get_layer("conv").compute_dtype == "float16"
    assert model.get_layer("fc").compute_dtype == "float32"
    x = np.random.default_rng(0).uniform(size=(4, 4, 4, 1)).astype("float32")
    model.fit(x, np.full((4, 3), 1 / 3, "float32"), epochs=1, verbose=0)
    assert all(w.dtype == "float32" for w in model.get_weights())
    assert model.predict(x, verbose=0).dtype == "float32"


def test_more_devices_than_visible_is_one_line_and_no_output(world, tmp_path, capsys):
    root, _, _ = world
    out = tmp_path / "o.keras"
    code, _, err = _run(capsys, str(root / "model.keras"), "-o", str(out), "--data",
                        str(root / "x.npy"), "--devices", "3")  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "--devices 3: 1 CPU device(s) visible; give --devices 1 or auto" in err
    assert not out.exists()
    code, _, err = _run(capsys, str(root / "model.keras"), "-o", str(out), "--data",
                        str(root / "x.npy"), "--devices", "0")  # fmt: skip
    assert code == 2 and "'0' is not a device count (1, 2, ...) or auto" in err
