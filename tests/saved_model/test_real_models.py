"""Models saved by real Keras 3 (.keras and legacy .h5): every number equals Keras's own."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from kerasfix.commands.inspect import build_summary
from kerasfix.engine import lint_graph
from kerasfix.frontends.saved_model import read_model

pytestmark = pytest.mark.keras

# model -> the Flatten layers a KF001 must name. A Lambda or custom layer before the Flatten
# cannot be sized, but Keras 3 records the shapes in the config: exact numbers all the same.
EXPECTED = {
    "seq_cnn": {"flatten"},
    "functional_bn": {"flatten"},
    "nested": {"flatten", "head_flatten"},
    "shared_multi": {"flatten_a", "flatten_b"},
    "channels_first": {"flatten"},
    "conv1d_head": {"flatten"},
    "conv3d_head": {"flatten"},
    "lambda_tail": {"flatten"},
    "lambda_head": {"flatten"},
    "custom_layer": {"flatten"},
    "clean": set(),
}


def load(path: Path):  # type: ignore[no-untyped-def]
    import keras

    return keras.saving.load_model(path, safe_mode=False, compile=False)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_equal_keras_counts(
    small_models: Path, builder: ModuleType, name: str, suffix: str
) -> None:
    path = small_models / f"{name}{suffix}"
    findings = lint_graph(read_model(path).graph, path=str(path))
    kf001 = [f for f in findings if f.rule == "KF001"]
    assert {f.data.flatten_layer for f in kf001} == EXPECTED[name]
    if name in ("lambda_head", "custom_layer"):  # numbers from the recorded shapes
        assert [(f.rule, f.data.params_flatten) for f in findings] == [("KF001", 54_090)]
    if not kf001:
        return
    model = load(path)
    swapped = builder.swap_flatten(model, {f.data.flatten_layer for f in kf001})
    for finding in kf001:
        assert (
            finding.data.params_flatten
            == builder.find_layer(model, finding.data.dense_layer).count_params()
        )
        assert (
            finding.data.params_pooling
            == builder.find_layer(swapped, finding.data.dense_layer).count_params()
        )
        assert finding.message.startswith(f"layer '{finding.data.flatten_layer}' (in '")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"lambda_head", "custom_layer"}))
def test_inferred_shapes_and_totals_equal_keras(
    small_models: Path, builder: ModuleType, name: str, suffix: str
) -> None:
    path = small_models / f"{name}{suffix}"
    model = load(path)
    summary = build_summary(path)
    assert summary.total_params == model.count_params()
    assert summary.weights is not None and summary.weights.values == model.count_params()
    assert summary.weight_bytes == model.count_params() * 4
    flattens = {f.data.flatten_layer for f in summary.swaps}
    if flattens:
        after = builder.swap_flatten(model, flattens).count_params()
        assert summary.params_after_swaps == after
    top_level = {row.path[-1]: row for row in summary.rows if row.depth == 0}
    for layer in model.layers:
        if layer.name in top_level and len(layer._inbound_nodes) == 1:
            row = top_level[layer.name]
            if row.opaque:  # described, never guessed
                assert row.output_shape is None
                continue
            assert row.output_shape == tuple(layer.output.shape), layer.name


def test_opaque_layers_are_described(small_models: Path) -> None:
    summary = build_summary(small_models / "custom_layer.keras")
    (row,) = [r for r in summary.rows if r.path[-1] == "scale"]
    assert row.opaque and "fixtures>Scale" in (row.note or "")
    lam = build_summary(small_models / "lambda_head.h5")
    assert any(r.opaque and "Lambda" in (r.note or "") for r in lam.rows)


def test_legacy_tf_keras_h5_and_savedmodel(legacy_models: Path) -> None:
    expected = json.loads((legacy_models / "expected.json").read_text())
    cases = {
        "tfk2_functional.h5": "functional",
        "tfk2_savedmodel": "functional",
        "tfk2_sequential.h5": "sequential",
    }
    for file_name, key in cases.items():
        path = legacy_models / file_name
        program = read_model(path)
        (finding,) = lint_graph(program.graph, path=str(path))
        assert finding.rule == "KF001"
        assert finding.data.params_flatten == expected[key]["params_flatten"]
        assert finding.data.params_pooling == expected[key]["params_pooling"]
        assert build_summary(path).total_params == expected[key]["total"]
        assert not [n for n in program.notes if "weights of" in n]  # cross-check agrees


def test_serving_export_says_there_is_no_architecture(
    legacy_models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kerasfix.cli import main

    assert main(["lint", str(legacy_models / "serving_export")]) == 0  # warned, not linted
    assert "without Keras metadata" in capsys.readouterr().err


def test_live_models_through_the_api(builder: ModuleType) -> None:
    import kerasfix

    for name, flattens in EXPECTED.items():
        model = builder.build(name)
        findings = kerasfix.check(model)
        assert {f.data.flatten_layer for f in findings if f.rule == "KF001"} == flattens, name
        for finding in findings:
            if finding.rule == "KF001":
                dense = builder.find_layer(model, finding.data.dense_layer)
                assert finding.data.params_flatten == dense.count_params()
        html = findings._repr_html_()
        assert ("<table>" in html) == bool(findings)


def test_mixed_directory(
    small_models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from kerasfix.cli import main

    shutil.copy(small_models / "seq_cnn.keras", tmp_path / "seq_cnn.keras")
    shutil.copy(small_models / "conv1d_head.h5", tmp_path / "conv1d_head.h5")
    (tmp_path / "train.py").write_text("print('no keras here')\n")
    assert main(["lint", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "seq_cnn.keras: KF001 [warning] layer 'flatten' (in 'seq_cnn')" in out
    assert "conv1d_head.h5: KF001" in out
    assert "3 files checked" in out


@pytest.mark.keras
def test_one_custom_layer_reads_the_same_in_h5_and_keras(small_models: Path, capsys) -> None:
    """Keras 3 writes the registered name as the .h5 class name: same words (issue 11).
    The finding after the custom layer is the same (recorded shapes), and so is the layer's
    row in inspect."""
    paths = [small_models / "custom_layer.h5", small_models / "custom_layer.keras"]
    from kerasfix.cli import main

    assert main(["lint", "--isolated", *map(str, paths)]) == 1
    out = capsys.readouterr().out.splitlines()
    messages = {line.split(": KF001 ", 1)[1] for line in out if ": KF001 " in line}
    assert len(messages) == 1, messages
    assert "feeds 'fc' Dense(10): 54,090 parameters" in messages.pop()
    rows = set()
    for path in paths:
        assert main(["inspect", str(path)]) == 0
        rows |= {line for line in capsys.readouterr().out.splitlines() if "scale" in line}
    assert len(rows) == 1, rows
    assert "fixtures>Scale" in rows.pop()
