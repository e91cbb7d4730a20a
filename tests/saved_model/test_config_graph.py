"""graph_from_config on hand-written configs in both Keras formats (no Keras needed)."""

from __future__ import annotations

import copy

import pytest

from kerasfix.engine import lint_graph
from kerasfix.frontends.saved_model.config_graph import ModelConfigError, graph_from_config
from kerasfix.graph.inference import infer
from kerasfix.kerasfile.savedmodel import decode_tuples
from tests.saved_model.handmade import (
    KERAS3_CNN_PARAMS,
    k3_layer,
    keras2_shared,
    keras3_cnn,
    tensor,
)


def test_keras3_functional_exact_numbers() -> None:
    findings = lint_graph(graph_from_config(keras3_cnn()))
    assert [(f.rule, f.layer_path) for f in findings] == [("KF001", ("flatten",))]
    assert (findings[0].data.params_flatten, findings[0].data.params_pooling) == KERAS3_CNN_PARAMS
    assert findings[0].message.startswith(
        "layer 'flatten' (in 'functional_1') over 30x30x16 feeds 'fc1' Dense(64): "
        "921,664 parameters;"
    )


def test_keras2_shared_layer_and_multiple_outputs() -> None:
    graph = infer(graph_from_config(keras2_shared()))
    convs = [n for n in graph.nodes if n.layer.display_name == "conv"]
    assert len(convs) == 2 and convs[0].layer is convs[1].layer
    assert [n.params for n in convs] == [3 * 3 * 2 * 4 + 4, 0]  # shared weights count once
    assert [n.layer.display_name for n in graph.outputs] == ["fc_b", "conv"]
    (finding,) = lint_graph(graph)
    assert finding.data.params_flatten == 8 * 8 * 4 * 5 + 5


def test_keras2_sequential_with_batch_input_shape_and_old_list_format() -> None:
    layers = [
        {"class_name": "Conv1D", "config": {"name": "c", "filters": 3, "kernel_size": 2,
                                            "batch_input_shape": [None, 9, 4]}},
        {"class_name": "Flatten", "config": {"name": "f"}},
        {"class_name": "Dense", "config": {"name": "d", "units": 2}},
    ]  # fmt: skip
    for config in ({"name": "s", "layers": layers}, layers):
        (finding,) = lint_graph(graph_from_config({"class_name": "Sequential", "config": config}))
        assert finding.data.params_flatten == 8 * 3 * 2 + 2


def test_keras3_nested_functional_calls_are_numbered_from_one() -> None:
    inner = keras3_cnn("inner")
    outer = {
        "class_name": "Functional",
        "config": {
            "name": "outer",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 32, 32, 3],
                 "name": "x"}, "name": "x", "inbound_nodes": []},
                {**inner, "name": "inner",
                 "inbound_nodes": [{"args": [tensor("x")], "kwargs": {}}]},
                k3_layer("Dense", "top", [tensor("inner", 1)], units=3),
            ],
            "input_layers": [["x", 0, 0]],
            "output_layers": [["top", 0, 0]],
        },
    }  # fmt: skip
    findings = lint_graph(graph_from_config(outer))
    assert [f.layer_path for f in findings] == [("inner", "flatten")]
    assert "(in 'inner')" in findings[0].message


def test_lambda_and_custom_layers_are_opaque_never_loaded() -> None:
    config = keras3_cnn()
    layers = config["config"]["layers"]
    layers[1] = {**layers[1], "class_name": "Lambda", "config": {"name": "conv", "function": {
        "class_name": "__lambda__", "config": {"code": "not executed"}}}}  # fmt: skip
    graph = infer(graph_from_config(config))
    assert graph.nodes[1].layer.opaque and "Lambda" in graph.nodes[1].layer.opaque
    assert graph.nodes[1].output_shape is None
    custom = keras3_cnn()
    custom["config"]["layers"][1].update(module=None, registered_name="mypkg>Conv2D")
    node = graph_from_config(custom).nodes[1]
    assert node.layer.opaque and "mypkg>Conv2D" in node.layer.opaque


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c["config"]["layers"][2]["inbound_nodes"][0]["args"][0]["config"].update(
            keras_history=["ghost", 0, 0]), "unknown layer 'ghost'"),
        (lambda c: c["config"]["layers"].append(copy.deepcopy(c["config"]["layers"][1])),
         "two layers are named 'conv'"),
        (lambda c: c["config"]["layers"][1]["inbound_nodes"][0]["args"][0]["config"].update(
            keras_history=["fc1", 0, 0]), "cycle"),
        (lambda c: c["config"].update(output_layers=[["nope", 0, 0]]), "unknown layer call"),
        (lambda c: c.update(class_name="MyModel", config={"units": 3}), "subclassed model"),
    ],
)  # fmt: skip
def test_malformed_configs_raise_one_line_errors(mutate, message) -> None:  # type: ignore[no-untyped-def]
    config = keras3_cnn()
    mutate(config)
    with pytest.raises(ModelConfigError, match=message):
        graph_from_config(config)


def test_savedmodel_tuple_encoding_is_decoded() -> None:
    encoded = {"batch_input_shape": {"class_name": "__tuple__", "items": [None, 3]}}
    assert decode_tuples(encoded) == {"batch_input_shape": [None, 3]}
