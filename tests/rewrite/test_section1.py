"""Issue 24 section 1: models the rewrite once wrote wrong, crashed on or miscounted.

Every model is tiny (a few hundred parameters), built and saved by Keras once per module;
Keras itself is the oracle (outputs on spatially constant inputs, `count_params()`).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kerasfix.model_rewrite.core import Options, rewrite_file
from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.verify import verify
from tests.rewrite.saved_models import save_models

pytestmark = pytest.mark.keras


def _trunk(keras: Any, frames: int = 0, name: str = "conv", dtype: str | None = None) -> Any:
    """A 4x4x3 input through a 1x1 conv (6 channels): constant over space when its input is."""
    layers = keras.layers
    shape = (4, 4, 3) if not frames else (frames, 4, 4, 3)
    inp = keras.Input(shape, name="img")
    conv = layers.Conv2D(6, 1, activation="relu", name=name, dtype=dtype)
    out = conv(inp) if not frames else layers.TimeDistributed(conv, name="td" + name)(inp)
    return inp, out


def _build(keras: Any) -> dict[str, Any]:
    layers = keras.layers
    models: dict[str, Any] = {}
    inp, x = _trunk(keras)
    x = layers.Flatten(name="flat")(x)
    x = layers.Dropout(0.5, noise_shape=(None, 96), name="drop")(x)
    models["noise"] = keras.Model(inp, layers.Dense(3, name="fc")(x))
    inp, x = _trunk(keras, frames=2)
    x = layers.TimeDistributed(layers.Flatten(), name="tdflat")(x)
    models["td_dense"] = keras.Model(inp, layers.Dense(3, name="fc")(x))
    inp, x = _trunk(keras, frames=2)
    x = layers.TimeDistributed(layers.Flatten(), name="tdflat")(x)
    x = layers.TimeDistributed(layers.Dropout(0.3, noise_shape=(None, 96)), name="tddrop")(x)
    models["td_td"] = keras.Model(inp, layers.TimeDistributed(layers.Dense(3), name="tdfc")(x))
    inp, x = _trunk(keras, frames=2)
    x = layers.TimeDistributed(layers.Flatten(), name="tdflat")(x)
    x = layers.TimeDistributed(layers.BatchNormalization(), name="tdbn")(x)
    models["td_bn"] = keras.Model(inp, layers.TimeDistributed(layers.Dense(3), name="tdfc")(x))
    bn = models["td_bn"].get_layer("tdbn")  # statistics for the fold to fold
    rng = np.random.default_rng(1)
    bn.set_weights([rng.uniform(0.5, 2, w.shape).astype("float32") for w in bn.get_weights()])
    inp, x = _trunk(keras, name="卷积")
    x = layers.Flatten(name="展平")(x)
    models["unicode"] = keras.Model(inp, layers.Dense(3, name="全连接")(x))
    inp, x = _trunk(keras, dtype="bfloat16")
    x = layers.Flatten(name="flat", dtype="bfloat16")(x)
    models["bf16"] = keras.Model(inp, layers.Dense(3, name="fc", dtype="bfloat16")(x))
    inp, x = _trunk(keras)
    x = layers.Flatten(name="flat")(x)
    x = layers.Activation("softmax", name="sm")(x)
    models["softmax"] = keras.Model(inp, layers.Dense(3, name="fc")(x))
    inp, x = _trunk(keras)
    cls = layers.Dense(3, name="fc")(layers.Flatten(name="flat")(x))
    models["dict"] = keras.Model(inp, {"cls": cls, "feat": layers.Dense(2, name="feat")(cls)})
    inp, x = _trunk(keras)
    flat = layers.Flatten(name="flat")(x)
    models["dict_flat"] = keras.Model(inp, {"z": layers.Dense(3, name="fc")(flat), "a": flat})
    inp, x = _trunk(keras)
    models["lora"] = keras.Model(inp, layers.Dense(3, name="fc")(layers.Flatten(name="flat")(x)))
    models["lora"].get_layer("fc").enable_lora(2)
    inp, x = _trunk(keras)
    x = layers.BatchNormalization(name="bn")(layers.Flatten(name="flat")(x))
    models["bn"] = keras.Model(inp, layers.Dense(3, name="fc")(x))
    return models


def _pooled_twins(keras: Any) -> dict[str, int]:
    """Keras's count_params() of the models as written with global pooling: the oracle."""
    inp, x = _trunk(keras)
    x = keras.layers.BatchNormalization()(keras.layers.GlobalAveragePooling2D()(x))
    return {"bn": keras.Model(inp, keras.layers.Dense(3)(x)).count_params()}


def _quantized(keras: Any, folder: Path) -> dict[str, int]:
    """`model.quantize(mode)` for each mode, saved as .keras; Keras's count_params() each."""
    counts = {}
    for mode in ("int8", "int4", "float8"):
        inp, x = _trunk(keras)
        x = keras.layers.Flatten(name="flat")(x)
        model = keras.Model(inp, keras.layers.Dense(7, name="fc")(x))
        with warnings.catch_warnings():  # "Layer Conv2D does not have a `quantize` method"
            warnings.simplefilter("ignore", UserWarning)
            model.quantize(mode)
        model.save(folder / f"q_{mode}.keras")
        counts[mode] = model.count_params()
    return counts


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every model of `_build`, saved by Keras as NAME.keras and NAME.h5."""
    import keras

    folder = save_models(tmp_path_factory, "section1", _build)
    (folder / "quantized.json").write_text(json.dumps(_quantized(keras, folder)))
    (folder / "pooled.json").write_text(json.dumps(_pooled_twins(keras)))
    return folder


def _load(path: Path) -> Any:
    import keras

    from kerasfix.model_rewrite.calibrate import load_model_path

    return load_model_path(keras, str(path))


def _constant(model: Any, seed: int = 0) -> Any:
    """Inputs constant over each frame's 4x4 space (the fold is exact on them)."""
    shape = tuple(model.inputs[0].shape[1:])
    rng = np.random.default_rng(seed)
    values = rng.standard_normal((2, *shape[:-3], 1, 1, shape[-1]))
    return np.broadcast_to(values, (2, *shape)).astype("float32")


def _same_outputs(original: Path, rewritten: Path) -> None:
    before, after = _load(original), _load(rewritten)
    x = _constant(before)
    np.testing.assert_allclose(
        after.predict(x, verbose=0), before.predict(x, verbose=0), rtol=1e-4, atol=1e-5
    )


def _trains(path: Path) -> Any:
    """The written model loads, and one `fit` step runs (Dropout's training path)."""
    model = _load(path)
    x = _constant(model)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, model.predict(x, verbose=0), epochs=1, verbose=0)
    return model


def test_dropout_noise_shape_follows_the_pooled_width(saved: Path, tmp_path: Path) -> None:
    """`Dropout(noise_shape=(None, 96))` after Flatten: resized to the 6 channels, and the
    written model trains (it used to predict, pass verification, then fail in `fit`)."""
    out = tmp_path / "noise.keras"
    report = rewrite_file(saved / "noise.keras", out, Options())
    assert report.verification is not None and report.verification.status == "passed"
    model = _trains(out)
    assert tuple(model.get_layer("drop").noise_shape) == (None, 6)
    rewrite_file(saved / "noise.h5", tmp_path / "noise.h5", Options(verify=False))
    assert tuple(_trains(tmp_path / "noise.h5").get_layer("drop").noise_shape) == (None, 6)
    _same_outputs(saved / "noise.keras", out)


def test_verification_runs_a_training_step(tmp_path: Path) -> None:
    """A model that predicts but cannot train (a Dropout's noise_shape wider than its input)
    fails verification: a written model is never called verified on `predict` alone."""
    import keras

    inp = keras.Input((4, 4, 3))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(6, 1)(inp))
    x = keras.layers.Dropout(0.5, noise_shape=(None, 96))(x)
    model = keras.Model(inp, keras.layers.Dense(3)(x))
    path = tmp_path / "broken.keras"
    model.save(path)
    result = verify(str(path), None, ".keras", path, [], model.count_params(), [[None, 3]])
    assert result.status == "failed"
    assert "training step fails" in result.reason


def test_time_distributed_heads_rewrite_per_frame(saved: Path, tmp_path: Path) -> None:
    """TimeDistributed(Flatten) -> Dense, and -> TimeDistributed(Dense) through a
    TimeDistributed Dropout or BatchNormalization: TimeDistributed(GlobalAveragePooling2D),
    folded weights exact on per-frame constant maps, counts equal to Keras's."""
    import keras

    for name in ("td_dense", "td_td", "td_bn"):
        for suffix in (".keras", ".h5"):
            src, out = saved / f"{name}{suffix}", tmp_path / f"{name}{suffix}"
            report = rewrite_file(src, out, Options(verify=suffix == ".h5"))
            assert [s.flatten for s in report.sites] == ["tdflat"], report.skipped
            new = _trains(out)
            pooled = new.get_layer(report.sites[0].pooling_layer)
            assert type(pooled.layer).__name__ == "GlobalAveragePooling2D"
            bn = 4 * 6 if name == "td_bn" else 0
            assert new.count_params() == report.params_after == 6 * 3 + 3 + 24 + bn
            _same_outputs(src, out)
            if suffix == ".h5":
                assert report.verification is not None
                assert report.verification.status == "passed"
    out = tmp_path / "td_td.keras"
    assert tuple(keras.saving.load_model(out).get_layer("tddrop").layer.noise_shape) == (None, 6)


def test_crashes_are_fixed_or_refused_in_one_line(saved: Path, tmp_path: Path) -> None:
    """Non-ASCII layer names in .h5 (run eagerly: TensorFlow refuses them as graph scopes),
    bfloat16 models, dict outputs: rewritten and verified (or refused with the layer named);
    never a traceback."""
    out, data = tmp_path / "unicode.h5", tmp_path / "x.npy"
    np.save(data, np.random.default_rng(0).standard_normal((8, 4, 4, 3)).astype("float32"))
    report = rewrite_file(saved / "unicode.h5", out, Options(verify_data=data))
    assert report.verification is not None and report.verification.status == "passed"
    assert report.outputs is not None and report.outputs["samples"] == 8  # run eagerly
    assert _load(out).get_layer("全连接").kernel.shape == (6, 3)
    from kerasfix.model_rewrite.distill import DistillOptions

    distill = DistillOptions(epochs=1, batch_size=4, holdout=0.25, mixup=False)
    options = Options(init="distill", calibration_data=data, verify=False, distill=distill)
    report = rewrite_file(saved / "unicode.h5", tmp_path / "distilled.h5", options)
    assert report.distill is not None and report.distill.epochs_run == 1  # trained eagerly
    out = tmp_path / "bf16.keras"
    report = rewrite_file(saved / "bf16.keras", out, Options(verify=False))
    new = _load(out)
    assert str(new.get_layer("fc").kernel.dtype) == "bfloat16"
    before, x = _load(saved / "bf16.keras"), _constant(new)
    np.testing.assert_allclose(
        new.predict(x, verbose=0).astype("float32"),
        before.predict(x, verbose=0).astype("float32"),
        rtol=0.05,
        atol=0.05,
    )
    with pytest.raises(RewriteError, match="layer 'conv' holds bfloat16 weights"):
        rewrite_file(saved / "bf16.h5", tmp_path / "bf16.h5", Options(verify=False))
    assert not (tmp_path / "bf16.h5").exists()
    out = tmp_path / "dict.h5"
    rewrite_file(saved / "dict.h5", out, Options(verify=False))
    assert sorted(_load(out).predict(_constant(new), verbose=0)) == ["cls", "feat"]


def test_vector_activation_between_is_refused(saved: Path, tmp_path: Path) -> None:
    """Softmax over the H*W*C flattened values is not softmax over C pooled values: the
    site is refused with the layer named, never folded as if exact."""
    for suffix in (".keras", ".h5"):
        report = rewrite_file(saved / f"softmax{suffix}", tmp_path / f"sm{suffix}", Options())
        assert report.sites == []
        assert len(report.skipped) == 1
        assert "Activation 'sm' (softmax)" in report.skipped[0]
        assert not (tmp_path / f"sm{suffix}").exists()


def test_quantized_dense_counts_from_stored_weights(saved: Path, tmp_path: Path) -> None:
    """`model.quantize("int8"/"int4"/"float8")`: inspect's total is Keras's count_params()
    (the scales and amax histories included); lint states no float count for the quantized
    Dense, and the rewrite refuses the site, saying why."""
    from kerasfix.commands.inspect import build_summary

    counts = json.loads((saved / "quantized.json").read_text())
    for mode, keras_count in counts.items():
        path = saved / f"q_{mode}.keras"
        summary = build_summary(path)
        assert summary.total_params == keras_count, mode
        (finding,) = summary.findings  # lint's KF001: no float count passed off as Keras's
        assert finding.data.params_flatten is None and finding.data.params_pooling is None
        assert f"the Dense is quantized ({mode}" in finding.message
        assert summary.params_after_swaps == keras_count and summary.swaps == []
        assert summary.weight_bytes_after_swaps == summary.weight_bytes  # never negative
        report = rewrite_file(path, tmp_path / "q.keras", Options(verify=False))
        assert report.sites == [] and report.params_before == keras_count
        assert f"Dense 'fc' is quantized ({mode}" in report.skipped[0]


def test_lora_h5_one_seed_one_result_and_second_run_is_a_copy(saved: Path, tmp_path: Path) -> None:
    """A legacy .h5 LoRA Dense gets the same new adapter on every run (it was drawn unseeded,
    so the verified and --no-verify outputs differed); rewriting an output again with the
    same --select is the documented byte-identical copy, exit 0."""
    import h5py

    first, second = tmp_path / "one.h5", tmp_path / "two.h5"
    for out in (first, second):
        rewrite_file(saved / "lora.h5", out, Options(verify=False, select={"flat"}))
    adapters = []
    for out in (first, second):
        with h5py.File(out) as handle:
            adapters.append(handle["model_weights/fc/fc/lora_kernel_a"][()])
    assert adapters[0].shape == (6, 2)
    np.testing.assert_array_equal(adapters[0], adapters[1])
    again = tmp_path / "again.h5"
    report = rewrite_file(first, again, Options(verify=False, select={"flat"}))
    assert report.sites == [] and again.read_bytes() == first.read_bytes()
    assert any("byte-identical copy" in note for note in report.notes)
    with pytest.raises(RewriteError, match="--select names no KF001"):
        rewrite_file(saved / "lora.h5", tmp_path / "typo.h5", Options(select={"flatt"}))


def test_inspect_after_swaps_counts_the_batchnorm_between(saved: Path) -> None:
    """BatchNormalization between Flatten and Dense shrinks with the swap: inspect's total
    after the swap is Keras's count of the model built with global pooling (it used to count
    the BatchNormalization at the flattened width), in both formats."""
    from kerasfix.commands.inspect import build_summary

    pooled = json.loads((saved / "pooled.json").read_text())["bn"]
    for suffix in (".keras", ".h5"):
        summary = build_summary(saved / f"bn{suffix}")
        assert summary.params_after_swaps == pooled
        row = next(r for r in summary.rows if r.path[-1] == "bn")
        assert (row.params, row.params_after) == (4 * 96, 4 * 6)
        assert summary.weight_bytes_after_swaps == 4 * pooled


def test_dict_outputs_compared_and_distilled(saved: Path, tmp_path: Path) -> None:
    """`Model(x, {"cls": ..., "feat": ...})`: --verify-data and --data compare and train every
    output by its key (they failed on the dict: "float() argument ... not 'dict'")."""
    from kerasfix.model_rewrite.distill import DistillOptions

    data = tmp_path / "x.npy"
    np.save(data, np.random.default_rng(0).standard_normal((24, 4, 4, 3)).astype("float32"))
    options = Options(verify=False, verify_data=data)
    report = rewrite_file(saved / "dict.keras", tmp_path / "a.keras", options)
    assert report.outputs is not None and report.outputs["samples"] == 24
    assert 0 <= report.outputs["top1_agreement"] <= 1
    distill = DistillOptions(epochs=1, batch_size=8, holdout=0.25, mixup=False)
    options = Options(init="distill", calibration_data=data, verify=False, distill=distill)
    report = rewrite_file(saved / "dict.keras", tmp_path / "b.keras", options)
    assert report.distill is not None and report.distill.epochs_run == 1
    assert report.distill.heldout["samples"] == 6
    # a dict output that is the flattened vector itself: refused, never silently narrowed
    report = rewrite_file(saved / "dict_flat.keras", tmp_path / "c.keras", Options(verify=False))
    assert report.sites == [] and "is a model output (at 'flat')" in report.skipped[0]


def test_time_distributed_head_calibrates_per_frame(saved: Path, tmp_path: Path) -> None:
    """--init calibrate on a TimeDistributed head fits every frame as a row (it failed on the
    time axis): on per-frame constant maps the pooled features fix the Dense exactly."""
    data = tmp_path / "frames.npy"
    rng = np.random.default_rng(2)
    values = rng.standard_normal((40, 2, 1, 1, 3))
    np.save(data, np.broadcast_to(values, (40, 2, 4, 4, 3)).astype("float32"))
    options = Options(init="calibrate", calibration_data=data, verify=False)
    report = rewrite_file(saved / "td_dense.keras", tmp_path / "out.keras", options)
    fit = report.fit["tdflat"]
    assert fit["heldout_r2"] > 0.999 and fit["heldout_samples"] == 8


def test_time_distributed_head_trains_with_train_head(saved: Path, tmp_path: Path) -> None:
    """--train head on a TimeDistributed head trains the layers from the per-frame pooling on
    (the wrapper hid the pooling, so every layer was frozen)."""
    from kerasfix.model_rewrite.distill import _freeze_trunk

    out = tmp_path / "head.keras"
    report = rewrite_file(saved / "td_dense.keras", out, Options(verify=False))
    model = _load(out)
    _freeze_trunk(model)
    trainable = {layer.name: layer.trainable for layer in model.layers}
    pooling = report.sites[0].pooling_layer
    assert trainable == {"img": False, "tdconv": False, pooling: True, "fc": True}
