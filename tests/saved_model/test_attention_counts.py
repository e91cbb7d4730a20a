"""MultiHeadAttention is sized from its config and inputs (issue 24 section 2: inspect showed
`?`): each call's parameters and output shape equal Keras's, in three call styles."""

from __future__ import annotations

import pytest

from kerasfix.commands.inspect import build_summary

pytestmark = pytest.mark.keras


def test_multi_head_attention_counts_equal_keras(tmp_path) -> None:
    keras = pytest.importorskip("keras")
    layers = keras.layers
    query, value = keras.Input((5, 8)), keras.Input((7, 6))
    outputs = [
        layers.MultiHeadAttention(2, 4, name="self")(query, query),
        layers.MultiHeadAttention(3, 2, value_dim=5, output_shape=9, use_bias=False, name="cross")(
            query, value
        ),
        layers.MultiHeadAttention(2, 4, name="keyed")(query=query, value=value, key=value),
    ]
    model = keras.Model([query, value], outputs)
    path = tmp_path / "mha.keras"
    model.save(path)
    summary = build_summary(path)
    rows = {row.path[-1]: row for row in summary.rows}
    for name in ("self", "cross", "keyed"):
        layer = model.get_layer(name)
        assert rows[name].params == layer.count_params(), name
        assert rows[name].output_shape == tuple(layer.output.shape), name
    assert summary.total_params == model.count_params()
