"""keras.applications with their top, built with weights=None and saved by real Keras."""

from __future__ import annotations

from types import ModuleType

import pytest

from kerasfix.commands.inspect import build_summary
from kerasfix.engine import lint_graph
from kerasfix.frontends.saved_model import read_model
from tests.keras_on_demand import keras

# One worker builds the large models, one at a time (see the "big-models" group in README).
pytestmark = [pytest.mark.keras, pytest.mark.slow, pytest.mark.xdist_group("big-models")]


@pytest.mark.parametrize("name", ["vgg16", "vgg19"])
def test_vgg_is_flagged_with_exact_counts(apps, builder: ModuleType, name: str) -> None:  # type: ignore[no-untyped-def]
    path, model = apps.get(name)
    (finding,) = lint_graph(read_model(path).graph, path=path.name)
    assert finding.rule == "KF001" and finding.layer_path == ("flatten",)
    fc1 = model.get_layer("fc1").count_params()
    with keras.StatelessScope(initialize_variables=False):  # counts only, nothing filled
        swapped = builder.swap_flatten(model, {"flatten"})
    assert finding.data.params_flatten == fc1
    assert finding.data.params_pooling == swapped.get_layer("fc1").count_params()
    summary = build_summary(path)
    assert summary.total_params == model.count_params()
    assert summary.params_after_swaps == swapped.count_params()
    if name == "vgg16":
        assert (finding.data.params_flatten, finding.data.params_pooling) == (
            102_764_544,
            2_101_248,
        )
        assert finding.message == (
            "layer 'flatten' (in 'vgg16') over 7x7x512 feeds 'fc1' Dense(4096): 102,764,544 "
            "parameters; GlobalAveragePooling2D would need 2,101,248 (-98.0%)"
        )


@pytest.mark.parametrize("name", ["resnet50", "mobilenet_v2", "efficientnet_b0"])
def test_pooled_backbones_are_not_flagged(apps, name: str) -> None:  # type: ignore[no-untyped-def]
    path, model = apps.get(name)
    assert lint_graph(read_model(path).graph) == []
    assert build_summary(path).total_params == model.count_params()
