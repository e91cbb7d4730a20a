"""Issue 24 section 2: models that were refused whole, now rewritten or refused per site
with the layer named and what would make it work. Tiny models saved by Keras once per module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kerasfix.model_rewrite.core import Options, rewrite_file
from kerasfix.model_rewrite.distill import DistillOptions
from kerasfix.model_rewrite.errors import RewriteError
from tests.rewrite.saved_models import save_models

pytestmark = pytest.mark.keras


def _build(keras: Any) -> dict[str, Any]:
    layers = keras.layers
    models = {}
    inp = keras.Input((4, 4, 3), name="img")
    x = layers.BatchNormalization(name="bn")(layers.Flatten(name="flat1")(layers.Conv2D(6, 1)(inp)))
    shifted = layers.Dense(3, use_bias=False, name="fc1")(x)
    other = layers.Dense(2, name="fc2")(layers.Flatten(name="flat2")(layers.Conv2D(4, 1)(inp)))
    models["bn_no_bias"] = keras.Model(inp, [shifted, other])
    bn = models["bn_no_bias"].get_layer("bn")  # a trained shift: beta and mean not zero
    rng = np.random.default_rng(1)
    bn.set_weights([rng.uniform(0.5, 2, w.shape).astype("float32") for w in bn.get_weights()])
    trunk = keras.Sequential(
        [keras.Input((4, 4, 3)), layers.Conv2D(6, 1), layers.Flatten(name="flat"),
         layers.Dense(8, name="fc")], name="trunk",
    )  # fmt: skip
    inp = keras.Input((4, 4, 3))
    models["nested"] = keras.Model(inp, layers.Dense(3, activation="softmax")(trunk(inp)))
    return models


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = save_models(tmp_path_factory, "section2", _build, (".keras",))
    x = np.random.default_rng(0).standard_normal((24, 4, 4, 3)).astype("float32")
    np.save(folder / "x.npy", x)
    return folder


def test_batchnorm_shift_without_bias_skips_only_its_site(saved: Path, tmp_path: Path) -> None:
    """BatchNormalization -> Dense(use_bias=False) with a trained shift: that site is skipped
    with its reason and the fix named; the file's other site is still rewritten."""
    out = tmp_path / "out.keras"
    report = rewrite_file(saved / "bn_no_bias.keras", out, Options(verify=False))
    assert [s.flatten for s in report.sites] == ["flat2"]
    (skipped,) = report.skipped
    assert skipped.startswith("flat1: Dense 'fc1' has no bias") and "use_bias=True" in skipped
    import keras

    model = keras.saving.load_model(out)
    assert model.get_layer("fc1").kernel.shape == (96, 3)
    assert model.get_layer("fc2").kernel.shape == (4, 2)
    assert model.count_params() == report.params_after


def test_data_on_a_nested_site_distils_it(saved: Path, tmp_path: Path) -> None:
    """--data on a Flatten inside a nested model: distilled from the fold (calibration fits
    top-level sites only, and the report says so), not refused as if --init calibrate."""
    distill = DistillOptions(epochs=1, batch_size=8, holdout=0.25, mixup=False)
    options = Options(
        init="distill", calibration_data=saved / "x.npy", verify=False, distill=distill
    )
    report = rewrite_file(saved / "nested.keras", tmp_path / "out.keras", options)
    assert [s.model for s in report.sites] == ["trunk"]
    assert report.distill is not None and report.distill.epochs_run == 1
    assert any("'trunk/flat' is inside a nested model" in n for n in report.notes)


CUSTOM = """
import keras


@keras.saving.register_keras_serializable(package="kf_section2")
class Down(keras.layers.Layer):
    def call(self, x):
        return x[:, ::2, ::2, :]

    def compute_output_shape(self, shape):
        return (shape[0], shape[1] // 2, shape[2] // 2, shape[3])
"""


@pytest.fixture(scope="module")
def user_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A custom layer class in the user's own module file, a model using it and a model with
    a Lambda layer, saved by Keras."""
    import importlib.util

    keras = pytest.importorskip("keras")
    folder = tmp_path_factory.mktemp("user_code")
    module_path = folder / "my_layers.py"
    module_path.write_text(CUSTOM)
    spec = importlib.util.spec_from_file_location("kf_section2_layers", module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    layers = keras.layers
    for name, middle in (("custom", module.Down()), ("lambda", layers.Lambda(lambda t: t * 2.0))):
        inp = keras.Input((8, 8, 3))
        x = layers.Flatten(name="flat")(middle(layers.Conv2D(6, 1, name="conv")(inp)))
        keras.Model(inp, layers.Dense(3, name="fc")(x)).save(folder / f"{name}.keras")
    # as in a fresh process: the class is known only once the user's module is imported
    keras.saving.get_custom_objects().pop("kf_section2>Down")
    return folder


def test_user_code_runs_only_when_asked(user_code: Path, tmp_path: Path) -> None:
    """A custom class or a Lambda layer: without --custom-objects / --unsafe-lambda the
    output is written with its weights checked without Keras and the report says what was
    not verified and which option would verify it; with the option Keras verifies it."""
    from kerasfix.model_rewrite.user_code import Trust

    for name, option in (("custom", "--custom-objects"), ("lambda", "--unsafe-lambda")):
        out = tmp_path / f"{name}.keras"
        report = rewrite_file(user_code / f"{name}.keras", out, Options())
        verification = report.verification
        assert verification is not None and verification.status == "skipped"
        assert option in verification.reason and out.is_file()
        assert verification.tensors_compared == 2  # the conv's kernel and bias
        assert any(n.startswith("NOT verified in Keras") for n in report.notes)
    trust = Trust((str(user_code / "my_layers.py"),))
    out = tmp_path / "trusted.keras"
    report = rewrite_file(user_code / "custom.keras", out, Options(trust=trust))
    assert report.verification is not None and report.verification.status == "passed"
    from kerasfix.model_rewrite.api import rewrite  # the Python API takes the same opt-in

    _, report = rewrite(user_code / "lambda.keras", tmp_path / "l.keras", unsafe_lambda=True)
    assert report.verification is not None and report.verification.status == "passed"
    with pytest.raises(RewriteError, match=r"--custom-objects nope\.py: no such file"):
        rewrite_file(user_code / "custom.keras", tmp_path / "x.keras",
                     Options(trust=Trust(("nope.py",))))  # fmt: skip
