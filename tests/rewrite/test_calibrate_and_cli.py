"""Calibrate on real data (scikit-learn's digits), CLI safety rules, and kill -9 mid-write."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

from kerasfix.cli import cli, main
from kerasfix.model_rewrite.core import Options, rewrite_file
from tests.rewrite.conftest import constant_cnn

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def digits(keras, tmp_path_factory):
    from sklearn.datasets import load_digits

    keras.utils.set_random_seed(0)
    data = load_digits()
    x = (data.images / 16.0).astype("float32")[..., None]
    y = data.target.astype("int64")
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[:1300], order[1300:]
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(16, 3, padding="same", activation="relu", name="conv"),
            layers.Flatten(name="flat"),
            layers.Dense(32, activation="relu", name="fc"),
            layers.Dense(10, activation="softmax", name="out"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[train], y[train], epochs=6, batch_size=64, verbose=0)
    root = tmp_path_factory.mktemp("digits")
    np.savez(root / "train.npz", x=x[train], y=y[train])
    np.savez(root / "test.npz", x=x[test], y=y[test])
    model.save(root / "digits.keras")
    return root


def test_calibrate_beats_fold_on_held_out_digits(digits):
    common = dict(verify=False, verify_data=digits / "test.npz")
    fold = rewrite_file(digits / "digits.keras", digits / "fold.keras", Options(**common))
    cal = rewrite_file(
        digits / "digits.keras",
        digits / "cal.keras",
        Options(init="calibrate", calibration_data=digits / "train.npz", **common),
    )
    assert cal.outputs["accuracy_before"] > 0.9
    assert cal.outputs["accuracy_after"] > fold.outputs["accuracy_after"]
    fit = cal.fit["flat"]
    assert fit["heldout_r2"] > fit["fold_heldout_r2"]
    text = cal.text()
    assert "accuracy" in text and "held-out R^2" in text and "optimizer state dropped" in text


@pytest.fixture(scope="module")
def small(keras, tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "cnn.keras"
    constant_cnn(keras).save(path)
    return path


def test_dry_run_writes_nothing_and_json_report(small, tmp_path):
    out = tmp_path / "x.keras"
    result = CliRunner().invoke(
        cli, ["rewrite", str(small), "-o", str(out), "--dry-run", "--report-format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dry_run"] and data["sites"][0]["flatten"] == "flat"
    assert data["params_saved"] == data["params_before"] - data["params_after"] > 0
    assert not out.exists() and os.listdir(tmp_path) == []


def test_existing_output_needs_force_and_input_untouched(small, tmp_path):
    out = tmp_path / "x.keras"
    out.write_bytes(b"keep me")
    before = small.read_bytes()
    main = [sys.executable, "-m", "kerasfix", "rewrite", str(small), "-o", str(out), "--no-verify"]
    proc = subprocess.run(main, capture_output=True, text=True)
    assert proc.returncode == 2 and "--force" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == b"keep me"
    proc = subprocess.run([*main, "--force"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:2] == b"PK"
    assert small.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["x.keras"]


def test_bad_input_and_subclassed_refused(tmp_path, capsys):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    assert main(["rewrite", str(bad), "-o", str(tmp_path / "o.keras")]) == 2
    import zipfile

    sub = tmp_path / "sub.keras"
    with zipfile.ZipFile(sub, "w") as z:
        z.writestr(
            "config.json",
            json.dumps({"class_name": "MyModel", "config": {"units": 3}, "module": "mine"}),
        )
    assert main(["rewrite", str(sub), "-o", str(tmp_path / "o.keras")]) == 2
    assert "kerasfix lint --fix" in capsys.readouterr().err
    assert not (tmp_path / "o.keras").exists()


# The default writer, and the fallback a machine without O_TMPFILE takes (forced here).
FORCE_NAMED = (
    "import sys; from kerasfix.model_rewrite.atomic import AtomicFile; "
    "AtomicFile.use_unnamed_inode = False; from kerasfix.cli import main; sys.exit(main())"
)


@pytest.mark.slow
@pytest.mark.xdist_group("big-models")  # the worker that builds VGG16 (vgg16_path)
@pytest.mark.parametrize("writer", ["default", "named-fallback"])
def test_kill_9_mid_write_leaves_no_output(vgg16_path, tmp_path, writer):
    digest = hashlib.sha256(vgg16_path.read_bytes()).hexdigest()
    out = tmp_path / "slim.keras"
    start = ["-m", "kerasfix"] if writer == "default" else ["-c", FORCE_NAMED]
    cmd = [sys.executable, *start, "rewrite", str(vgg16_path), "-o", str(out), "--no-verify"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    seen = b""
    deadline = time.time() + 120
    while b"writing weights" not in seen and time.time() < deadline:
        chunk = os.read(proc.stderr.fileno(), 256)
        if not chunk:
            break
        seen += chunk
    assert b"writing weights" in seen, seen
    # At once: the in-kernel copy now writes VGG16's 528 MiB in about 0.3 s, so a pause here
    # let the rewrite finish first.
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    # Not even a temporary file: none was named yet, or the reaper removes it within seconds.
    deadline = time.time() + 20
    while os.listdir(tmp_path) and time.time() < deadline:
        time.sleep(0.05)
    assert os.listdir(tmp_path) == []
    assert hashlib.sha256(vgg16_path.read_bytes()).hexdigest() == digest
