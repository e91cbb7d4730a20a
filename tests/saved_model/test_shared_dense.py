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


def test_dense_called_only_on_the_flattens_outputs_shrinks(tmp_path) -> None:
    """A Siamese head: one Flatten and one Dense applied to two images. Every call of the
    Dense takes this Flatten's output, so the swap shrinks them all alike (a subclassed model
    called twice is the same case in source): Keras's count of the pooled twin."""
    keras = pytest.importorskip("keras")
    layers = keras.layers

    def twin(pooling: bool):
        conv, dense = layers.Conv2D(6, 1), layers.Dense(4, name="fc")
        head = layers.GlobalAveragePooling2D() if pooling else layers.Flatten(name="flat")
        a, b = keras.Input((8, 8, 3)), keras.Input((8, 8, 3))
        return keras.Model([a, b], [dense(head(conv(a))), dense(head(conv(b)))]), dense

    model, dense = twin(pooling=False)
    path = tmp_path / "twin.keras"
    model.save(path)
    (finding,) = check(path)
    pooled, pooled_dense = twin(pooling=True)
    assert finding.data.params_flatten == dense.count_params() == 8 * 8 * 6 * 4 + 4
    assert finding.data.params_pooling == pooled_dense.count_params() == 6 * 4 + 4
    assert "also called on another input" not in finding.message
    assert build_summary(path).params_after_swaps == pooled.count_params()
