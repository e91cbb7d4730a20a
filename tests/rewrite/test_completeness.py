"""The weight writer proves its own output complete, so `--no-verify` cannot lose a variable."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import h5py
import numpy as np
import pytest

from kerasfix.model_rewrite.core import Options, rewrite_file
from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.weights_copy import check_complete
from tests.rewrite import matrix_models


def _h5(path, tensors):
    handle = h5py.File(path, "w")
    for name, value in tensors.items():
        handle.create_dataset(name, data=value)
    return handle


def _drop_optimizer(path):
    return None if path.startswith("optimizer") else path


def test_check_complete_names_a_lost_a_changed_and_an_extra_variable(tmp_path):
    kept = {"layers/lstm/cell/vars/0": np.ones((3, 4)), "layers/dense/vars/0": np.ones(2)}
    outputs = {
        "lost": ({"layers/dense/vars/0": np.ones(2)}, "lose variable layers/lstm/cell/vars/0"),
        "extra": ({**kept, "layers/x/vars/0": np.ones(1)}, "unexpected variable layers/x/vars/0"),
        "changed": ({**kept, "layers/dense/vars/0": np.ones(3)}, "changed shape or dtype"),
    }
    with _h5(tmp_path / "in.h5", {**kept, "optimizer/vars/0": np.zeros(1)}) as src:
        with _h5(tmp_path / "same.h5", kept) as dst:
            check_complete(src, dst, _drop_optimizer, {})
        for name, (tensors, message) in outputs.items():
            with _h5(tmp_path / f"{name}.h5", tensors) as dst, pytest.raises(RewriteError) as exc:
                check_complete(src, dst, _drop_optimizer, {})
            assert message in str(exc.value)
        with _h5(tmp_path / "replaced.h5", outputs["changed"][0]) as dst:
            # a tensor the rewrite replaced on purpose may change shape
            check_complete(src, dst, _drop_optimizer, {"layers/dense/vars/0": None})


@pytest.mark.keras
def test_no_verify_keeps_every_convlstm2d_cell_variable(keras, tmp_path):
    """The seed's report: `--no-verify` wrote a file without layers/conv_lstm2d/cell/vars."""
    keras.utils.set_random_seed(1)
    src, out = tmp_path / "seed.keras", tmp_path / "seed_gap.keras"
    matrix_models.seed_model(keras).save(src)
    proc = subprocess.run(
        [sys.executable, "-m", "kerasfix", "rewrite", str(src), "-o", str(out), "--no-verify"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    weights = {}
    for path in (src, out):
        with zipfile.ZipFile(path) as archive:
            data = archive.read("model.weights.h5")
        with h5py.File(io.BytesIO(data), "r") as handle:
            group = handle["layers/conv_lstm2d/cell/vars"]
            weights[path] = [group[str(i)][()] for i in range(len(group))]
    assert [w.shape for w in weights[out]] == [(3, 3, 1, 64), (3, 3, 16, 64), (64,)]
    for a, b in zip(weights[src], weights[out], strict=True):
        assert a.tobytes() == b.tobytes()


@pytest.mark.keras
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_lora_dense_counted_like_keras(keras, tmp_path, suffix):
    from kerasfix.commands.inspect import build_summary
    from kerasfix.engine import lint_graph
    from kerasfix.frontends.saved_model import read_model

    model = matrix_models.head_models(keras)["lora"]()
    path = tmp_path / f"lora{suffix}"
    model.save(path)
    (finding,) = lint_graph(read_model(path).graph)
    dense = model.get_layer("fc")
    assert finding.data.params_flatten == dense.count_params() == 120 * 5 + 5 + 2 * (120 + 5)
    assert finding.data.params_pooling == 6 * 5 + 5 + 2 * (6 + 5)
    assert build_summary(path).total_params == model.count_params()


@pytest.mark.keras
@pytest.mark.parametrize(
    ("other", "reason"),
    [
        ("concatenate", "the flattened vector also feeds 'cat' (Concatenate), which would "
         "receive a different width: feed it from another layer to rewrite this head"),
        ("output", "the flattened vector is a model output (at 'flat'); its width would change: "
         "make another layer the output to rewrite this head"),
    ],
)  # fmt: skip
def test_flatten_also_feeding_another_layer_is_refused(keras, tmp_path, other, reason):
    layers = keras.layers
    img = keras.Input((5, 4, 3))
    flat = layers.Flatten(name="flat")(layers.Conv2D(6, 1, name="conv")(img))
    head = layers.Dense(4, name="fc")(flat)
    if other == "concatenate":
        outputs = layers.Concatenate(name="cat")([head, flat])
    else:
        outputs = [head, flat]
    src, dst = tmp_path / "m.keras", tmp_path / "m_gap.keras"
    keras.Model(img, outputs).save(src)
    report = rewrite_file(src, dst, Options(verify=False))
    assert not report.sites and not dst.exists()
    assert report.skipped == [f"flat: {reason}"]


@pytest.mark.keras
def test_a_dense_inside_a_nested_head_is_reported_and_refused(keras, tmp_path):
    """lint reports the Dense a nested head applies first; rewrite does not resize a layer
    inside another model, and says so."""
    layers = keras.layers
    base = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3, name="conv")], name="base")
    head = keras.Sequential([keras.Input((144,)), layers.Dense(5, name="fc")], name="head")
    src, dst = tmp_path / "m.keras", tmp_path / "m_gap.keras"
    keras.Sequential(
        [keras.Input((8, 8, 3)), base, layers.Flatten(name="flat"), head], name="outer"
    ).save(src)
    lint = subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", "--isolated", "--no-cache", str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "feeds 'fc' Dense(5) in the nested model 'head': 725 parameters" in lint.stdout
    report = rewrite_file(src, dst, Options(verify=False))
    assert not report.sites and not dst.exists()
    assert report.skipped == [
        "flat: the Dense is inside the nested model 'head'; rewrite resizes only layers of "
        "the model that holds the Flatten: rewrite the source instead (kerasfix lint --fix)"
    ]


@pytest.mark.keras
def test_every_site_skipped_fails_the_command_and_writes_nothing(keras, tmp_path):
    """`rewrite && deploy out.keras` must not deploy: exit 2, one error line, no output."""
    layers = keras.layers
    img = keras.Input((5, 4, 3))
    flat = layers.Flatten(name="flat")(layers.Conv2D(6, 1, name="conv")(img))
    outputs = layers.Concatenate(name="cat")([layers.Dense(4, name="fc")(flat), flat])
    src, dst = tmp_path / "m.keras", tmp_path / "m_gap.keras"
    keras.Model(img, outputs).save(src)
    run = subprocess.run(
        [sys.executable, "-m", "kerasfix", "rewrite", str(src), "-o", str(dst), "--no-verify"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {src.as_posix()}: no site could be rewritten (flat: the flattened vector also "
        "feeds 'cat' (Concatenate), which would receive a different width: feed it from "
        "another layer to rewrite this head)"
    ]
    assert not dst.exists()


@pytest.mark.keras
def test_keras_to_h5_with_sub_object_variables_is_refused(keras, tmp_path):
    src, dst = tmp_path / "seed.keras", tmp_path / "seed_gap.h5"
    matrix_models.seed_model(keras).save(src)
    # Keras numbers a second ConvLSTM2D of the session `conv_lstm2d_1`.
    with pytest.raises(RewriteError, match=r"conv_lstm2d(_\d+)?' keeps variables in sub-objects"):
        rewrite_file(src, dst, Options(verify=False))
    assert not dst.exists()
