"""A Dense fed by the Flatten and also by another input (issue 24 section 1): lint's count
with global pooling is Keras's (the other call keeps the Dense at its width), never the
pooled formula's, and the message says what would let the Dense shrink."""

from __future__ import annotations

import pytest

from kerasfix.api import check
from kerasfix.commands.inspect import build_summary

pytestmark = pytest.mark.keras


def test_dense_shared_with_another_input_keeps_its_count(tmp_path) -> None:
    keras = pytest.importorskip("keras")
    layers = keras.layers
    img, other = keras.Input((8, 8, 3)), keras.Input((384,))
    flat = layers.Flatten(name="flat")(layers.Conv2D(6, 1)(img))
    dense = layers.Dense(4, name="fc")
    model = keras.Model([img, other], [dense(flat), dense(other)])
    path = tmp_path / "shared.keras"
    model.save(path)
    (finding,) = check(path)
    kept = dense.count_params()  # 8*8*6*4 + 4 = 1,540, whatever feeds the Flatten
    assert (finding.data.params_flatten, finding.data.params_pooling) == (kept, kept)
    assert "'fc' is also called on another input (width 384)" in finding.message
    summary = build_summary(path)
    assert summary.total_params == summary.params_after_swaps == model.count_params()
