"""Rewrites of channels_first models run on every CPU (issue 22, section 1).

TensorFlow runs channels_first convolutions on the CPU only through oneDNN, which it turns on
by default on some CPUs and not on others. tests/conftest.py turns it off for the whole suite
(TF_ENABLE_ONEDNN_OPTS=0, the setting that fails), so these tests fail on any machine if a
Keras step of the rewrite does not run such a model the kerasfix way (keras_runtime); one
test runs the CLI with oneDNN on too, so both settings are covered whatever the CPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kerasfix.model_rewrite.core import Options, rewrite_file
from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.keras_runtime import describe_failure, keras_step, runnable

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def cf_models(builder, tmp_path_factory) -> dict[str, Path]:
    """fixtures/models/build_models.py's channels_first model, saved as .keras and .h5."""
    out = tmp_path_factory.mktemp("channels_first")
    paths = builder.save(builder.build("channels_first"), out, "channels_first", (".keras", ".h5"))
    return {p.suffix: p for p in paths}


def _cli(*args: str, onednn: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": onednn}
    return subprocess.run(
        [sys.executable, "-m", "kerasfix", "rewrite", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_the_suite_runs_keras_with_onednn_off() -> None:
    """The premise of this module: without oneDNN, TensorFlow cannot run the model plainly."""
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


@pytest.mark.parametrize(
    ("suffix", "onednn"), [(".keras", "0"), (".h5", "0"), (".keras", "1")]
)  # both formats where TensorFlow cannot run NCHW plainly, and the oneDNN path once
def test_cli_rewrite_of_a_channels_first_model_verifies(cf_models, tmp_path, suffix, onednn):
    out = tmp_path / f"gap{suffix}"
    run = _cli(str(cf_models[suffix]), "-o", str(out), "--report-format", "json", onednn=onednn)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["verification"]["status"] == "passed", report["verification"]
    assert out.exists()


def test_keras_run_of_a_channels_first_model_fails_plainly_but_runs_the_kerasfix_way(
    keras, cf_models
):
    """The failure is real here (so the other tests mean something), and `runnable` fixes it;
    the failure, told by `keras_step`, is one line naming the cause and what to do."""
    from kerasfix.model_rewrite.calibrate import load_model_path

    plain = keras.saving.load_model(cf_models[".keras"], compile=False)
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype("float32")
    with pytest.raises(RewriteError) as caught, keras_step("running the model"):
        plain.predict(x, verbose=0)
    message = str(caught.value)
    assert "\n" not in message and "File " not in message
    assert message.startswith("running the model failed: ")
    assert "NHWC" in message and "TF_ENABLE_ONEDNN_OPTS=1" in message
    loaded = load_model_path(keras, str(cf_models[".keras"]))
    assert loaded.predict(x, verbose=0).shape == (2, 20)
    # The same model run both ways agrees: XLA computes what the layers define.
    np.testing.assert_allclose(
        runnable(plain).predict(x, verbose=0), loaded.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_describe_failure_keeps_the_cause_of_a_tensorflow_error(keras, cf_models) -> None:
    plain = keras.saving.load_model(cf_models[".keras"], compile=False)
    x = np.zeros((1, 3, 32, 32), "float32")
    with pytest.raises(Exception) as caught:
        plain.predict(x, verbose=0)
    assert "File " in str(caught.value) or "\n" in str(caught.value)  # TensorFlow's raw text
    line = describe_failure(caught.value)
    assert "\n" not in line and "[[" not in line and "[Op:" not in line
    assert line.split(":")[0] in {"UnimplementedError", "InvalidArgumentError"}
    assert "NHWC" in line


def _digits_like(shape: tuple[int, ...], n: int, path: Path) -> Path:
    rng = np.random.default_rng(0)
    np.save(path, rng.standard_normal((n, *shape)).astype("float32"))
    return path


@pytest.mark.parametrize("init", ["calibrate", "distill"])
def test_calibrate_distill_and_verify_data_run_on_channels_first(keras, cf_models, tmp_path, init):
    data = _digits_like((3, 32, 32), 96, tmp_path / "x.npy")
    out = tmp_path / "gap.keras"
    options = Options(
        init=init, calibration_data=data, verify_data=data if init == "calibrate" else None
    )
    options.distill.epochs = 1
    report = rewrite_file(cf_models[".keras"], out, options)
    assert report.verification is not None and report.verification.status == "passed"
    assert "top1_agreement" in report.outputs or "mean_abs_diff" in report.outputs


def test_python_api_returns_a_model_that_runs(keras, builder) -> None:
    import kerasfix

    model = builder.build("channels_first")
    result = kerasfix.rewrite(model, verify=False)
    x = np.ones((2, 3, 32, 32), "float32")
    assert result.output.predict(x, verbose=0).shape == (2, 20)
