"""Model files without an architecture (subclassed, weights only) warn and exit 0 (issue 11),
and so do the files a model hook or a folder walk picks up that are no Keras model at all:
an HDF5 file of arrays and a Keras 3 `model.export()` serving SavedModel (issue 23 point 5),
whether named or found.

A repository that commits a subclassed `.keras` model or `save_weights` checkpoints must not
have every commit blocked: `lint` names each such file in one `warning:` line and goes on;
`inspect` and `rewrite`, which need the architecture, still refuse. The files are saved by
real Keras (and, for the legacy checkpoint, by TensorFlow's bundled tf.keras).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kerasfix.cli import main

pytestmark = pytest.mark.keras

LEGACY_WEIGHTS = """
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow.python.keras as legacy  # TensorFlow's bundled Keras 2 (as the fixtures)
if not hasattr(legacy, "__version__"):
    legacy.__version__ = "2.15.0"
from tensorflow.python.keras import Input, layers, models
model = models.Sequential([Input((8, 8, 1)), layers.Conv2D(2, 3), layers.Flatten(),
                           layers.Dense(3)])
model.save_weights(sys.argv[1])  # Keras 2 HDF5 checkpoint: layer_names, no model_config
"""


@pytest.fixture(scope="module")
def files(builder: Any, small_models: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import keras

    out = tmp_path_factory.mktemp("no_architecture")

    class Tiny(keras.Model):  # defined here, never registered: its code is not in the file
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.dense = keras.layers.Dense(3)

        def call(self, x: Any) -> Any:
            return self.dense(x)

    tiny = Tiny()
    tiny(keras.ops.zeros((1, 4)))
    tiny.save(out / "subclassed.keras")
    seq = builder.build("seq_cnn")
    seq.save_weights(out / "seq_cnn.weights.h5")
    shutil.copy(small_models / "seq_cnn.keras", out / "seq_cnn.keras")
    import h5py
    import numpy as np

    with h5py.File(out / "dataset.h5", "w") as handle:  # arrays kept next to the code
        handle.create_dataset("x", data=np.zeros((4, 8, 8, 1), "float32"))
        handle.create_dataset("y", data=np.arange(4))
    seq.export(str(out / "serving"), verbose=False)  # saved_model.pb, no keras_metadata.pb
    return out


def warnings_of(err: str) -> list[str]:
    lines = [line for line in err.splitlines() if line.strip()]
    assert all(line.startswith("warning: ") for line in lines), err
    return lines


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("subclassed.keras", "is a subclassed model"),
        ("seq_cnn.weights.h5", "weights only, no architecture"),
        ("dataset.h5", "an HDF5 file of data without a Keras model"),
        ("serving", "a serving SavedModel without Keras metadata"),
    ],
)
def test_one_warning_naming_the_file_and_exit_0(
    files: Path, capsys: pytest.CaptureFixture[str], name: str, reason: str
) -> None:
    path = files / name
    assert main(["lint", str(path)]) == 0
    out, err = capsys.readouterr()
    (line,) = warnings_of(err)
    assert line.startswith(f"warning: {path.as_posix()}: ") and reason in line
    assert "error" not in out + err


def test_legacy_keras2_weights_checkpoint(tmp_path: Path, capsys) -> None:
    pytest.importorskip("tensorflow")
    path = tmp_path / "checkpoint.h5"
    subprocess.run(
        [sys.executable, "-c", LEGACY_WEIGHTS, str(path)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    assert main(["lint", str(path)]) == 0
    (line,) = warnings_of(capsys.readouterr().err)
    assert line.startswith(f"warning: {path.as_posix()}: weights only")


def test_other_files_still_decide_the_exit_code(files: Path, capsys) -> None:
    """A real finding beside them still fails the run (the hook's job); they only warn."""
    assert main(["lint", str(files)]) == 1
    out, err = capsys.readouterr()
    assert "seq_cnn.keras: KF001 [warning]" in out
    assert len(warnings_of(err)) == 4
    assert "1 file checked" in out


def test_the_model_hook_passes_on_data_and_serving_files(files: Path, capsys) -> None:
    """The pre-commit model hook names every .h5 it matches; a walk finds the export."""
    assert (files / "serving" / "saved_model.pb").is_file()
    assert main(["lint", "--force-exclude", str(files / "dataset.h5")]) == 0
    assert main(["lint", str(files / "serving"), str(files / "dataset.h5")]) == 0
    out, err = capsys.readouterr()
    assert len(warnings_of(err)) == 3 and "error" not in out + err


def test_inspect_and_rewrite_still_refuse(files: Path, tmp_path: Path, capsys) -> None:
    assert main(["inspect", str(files / "subclassed.keras")]) == 2
    assert "subclassed" in capsys.readouterr().err
    out = tmp_path / "o.keras"
    assert main(["rewrite", str(files / "seq_cnn.weights.h5"), "-o", str(out)]) == 2
    assert "weights only" in capsys.readouterr().err
    assert not out.exists()
    for name, command, reason in (
        ("dataset.h5", "inspect", "data without a Keras model"),
        ("dataset.h5", "rewrite", "data without a Keras model"),
        ("serving", "inspect", "model.export()"),
        ("serving", "rewrite", "is a directory; rewrite takes a .keras or .h5 model file"),
    ):
        output = ["-o", str(out)] if command == "rewrite" else []
        assert main([command, str(files / name), *output]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith(f"error: {(files / name).as_posix()}: ") and reason in line
        assert not out.exists()
