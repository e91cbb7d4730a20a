"""Rewrites of real Keras-saved models, checked by loading them in stock Keras."""

from __future__ import annotations

import numpy as np
import pytest

from kerasfix.model_rewrite.core import Options, rewrite_file
from kerasfix.model_rewrite.keras_runtime import runnable
from tests.rewrite.conftest import constant_cnn, constant_input

pytestmark = pytest.mark.keras


def _load(keras, path):
    from kerasfix.model_rewrite.calibrate import load_model_path

    return load_model_path(keras, str(path))


@pytest.mark.slow
@pytest.mark.xdist_group("big-models")
def test_vgg16_rewrite_loads_with_exact_params_and_identical_convs(keras, vgg16_path, tmp_path):
    out = tmp_path / "slim.keras"
    report = rewrite_file(vgg16_path, out, Options())
    assert report.params_before == 138_357_544
    assert report.params_after == 138_357_544 - 100_663_296 == 37_694_248
    v = report.verification
    assert v is not None and v.status == "passed", v
    assert v.params == 37_694_248
    # 13 convs + fc2 + predictions, kernel and bias each, compared bit for bit with the input
    assert v.tensors_compared == 30
    model = keras.saving.load_model(out)
    assert model.count_params() == report.params_after
    assert model.get_layer("fc1").kernel.shape == (512, 4096)
    assert report.weight_bytes_after == 4 * 37_694_248
    assert report.macs_before == 25088 * 4096 and report.macs_after == 512 * 4096


@pytest.mark.slow
@pytest.mark.xdist_group("big-models")
def test_vgg19_rewrite_params_match_keras(keras, vgg19_path, tmp_path):
    out = tmp_path / "slim19.keras"
    report = rewrite_file(vgg19_path, out, Options(verify=False))
    assert report.params_before == 143_667_240
    model = keras.saving.load_model(out, compile=False)
    assert model.count_params() == report.params_after == 143_667_240 - 100_663_296
    del model
    # The 16 convs' kernels and biases, bit for bit: the stored tensors Keras wrote for the
    # original and those of the output, at the same paths (Keras loads both by those paths)
    old, new = _conv_tensors(vgg19_path), _conv_tensors(out)
    assert len(old) == 32 and old.keys() == new.keys()
    assert [name for name in old if old[name] != new[name]] == []


def _conv_tensors(path):
    """{path in model.weights.h5: bytes} of every Conv2D variable a .keras file stores."""
    import zipfile

    import h5py

    found = {}
    with (
        zipfile.ZipFile(path) as archive,
        archive.open("model.weights.h5") as stored,
        h5py.File(stored, "r") as weights,
    ):
        for layer in weights["layers"]:
            if layer.startswith("conv2d"):
                for index, tensor in weights["layers"][layer]["vars"].items():
                    found[f"{layer}/{index}"] = tensor[()].tobytes()
    return found


@pytest.mark.parametrize(
    ("data_format", "between", "pooling"),
    [
        ("channels_last", (), "avg"),
        ("channels_first", (), "avg"),
        ("channels_last", ("dropout", "bn"), "avg"),
        ("channels_first", ("relu", "bn"), "max"),
    ],
)
def test_fold_is_exact_on_spatially_constant_maps(keras, tmp_path, data_format, between, pooling):
    model = constant_cnn(keras, data_format, between)
    src = tmp_path / "cnn.keras"
    model.save(src)
    out = tmp_path / "gap.keras"
    report = rewrite_file(src, out, Options(pooling=pooling, verify=False))
    assert len(report.sites) == 1
    new = _load(keras, out)
    kind = "Average" if pooling == "avg" else "Max"
    assert type(new.get_layer(report.sites[0].pooling_layer)).__name__ == f"Global{kind}Pooling2D"
    x = constant_input(keras, model)
    np.testing.assert_allclose(
        new.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-4, atol=1e-5
    )
    assert new.count_params() == report.params_after


def test_channels_first_flatten_order(keras, tmp_path):
    """Flatten(data_format='channels_first') flattens as (h, w, c); the default as (c, h, w)."""
    layers = keras.layers
    inp = keras.Input((3, 5, 4))
    x = layers.Conv2D(6, 1, data_format="channels_first", name="conv")(inp)
    x = layers.Flatten(data_format="channels_first", name="flat")(x)
    model = runnable(keras.Model(inp, layers.Dense(4, name="fc")(x)))  # any CPU: keras_runtime
    src, out = tmp_path / "cf.keras", tmp_path / "cf_gap.keras"
    model.save(src)
    rewrite_file(src, out, Options(verify=False))
    x = constant_input(keras, model)
    np.testing.assert_allclose(
        _load(keras, out).predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-4, atol=1e-5
    )


@pytest.mark.parametrize("suffixes", [(".keras", ".keras"), (".keras", ".h5"), (".h5", ".h5")])
def test_nested_model_and_h5_in_out(keras, tmp_path, suffixes):
    layers = keras.layers
    head = keras.Sequential(
        [keras.Input((5, 4, 6)), layers.Flatten(name="hflat"), layers.Dense(8, name="hfc")],
        name="head",
    )
    inp = keras.Input((5, 4, 3))
    x = layers.Conv2D(6, 1, name="conv")(inp)
    model = keras.Model(inp, layers.Dense(2, name="out")(head(x)))
    src, out = tmp_path / f"nested{suffixes[0]}", tmp_path / f"nested_gap{suffixes[1]}"
    model.save(src)
    report = rewrite_file(src, out, Options(verify=suffixes == (".h5", ".h5")))
    assert report.sites[0].model == "head"
    if report.verification.status != "skipped":
        assert report.verification.status == "passed", report.verification
    new = _load(keras, out)
    x = constant_input(keras, model)
    np.testing.assert_allclose(
        new.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-4, atol=1e-5
    )
    assert (
        new.get_layer("conv").get_weights()[0].tobytes()
        == model.get_layer("conv").get_weights()[0].tobytes()
    )


def test_random_init_and_select(keras, tmp_path):
    layers = keras.layers
    inp = keras.Input((6, 6, 2))
    a = layers.Flatten(name="fa")(layers.Conv2D(4, 3, name="ca")(inp))
    b = layers.Flatten(name="fb")(layers.Conv2D(4, 3, name="cb")(inp))
    out = layers.Concatenate()([layers.Dense(5, name="da")(a), layers.Dense(5, name="db")(b)])
    model = keras.Model(inp, out)
    src = tmp_path / "two.keras"
    model.save(src)
    report = rewrite_file(
        src, tmp_path / "one.keras", Options(init="random", select={"fb"}, verify=False, seed=0)
    )
    assert [s.flatten for s in report.sites] == ["fb"]
    new = _load(keras, tmp_path / "one.keras")
    assert new.get_layer("da").kernel.shape == (64, 5)
    assert new.get_layer("db").kernel.shape == (4, 5)
    assert (
        new.get_layer("da").get_weights()[0].tobytes()
        == model.get_layer("da").get_weights()[0].tobytes()
    )
