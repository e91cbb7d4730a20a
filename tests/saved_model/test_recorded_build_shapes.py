"""A custom layer in the trunk of a Keras 3 Sequential `.keras` (issue 24 section 1): Keras
records every layer's build input shape in the config, so the layer after the custom one
says what the custom one produced, and lint/inspect give exact counts (KF001), never run
the custom code. Keras's count_params() of the model with global pooling is the oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kerasfix.api import check
from kerasfix.commands.inspect import build_summary

pytestmark = pytest.mark.keras


def _down_class(keras: Any) -> Any:
    @keras.saving.register_keras_serializable(package="kf_test")
    class Down(keras.layers.Layer):
        """Halves each spatial axis: a shape kerasfix cannot compute without running it."""

        def call(self, x: Any) -> Any:
            return x[:, ::2, ::2, :]

        def compute_output_shape(self, shape: Any) -> Any:
            return (shape[0], shape[1] // 2, shape[2] // 2, shape[3])

    return Down


@pytest.fixture(scope="module")
def custom_sequential(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    """(the .keras file, Keras's count, Keras's count with GlobalAveragePooling2D)."""
    keras = pytest.importorskip("keras")
    layers, down = keras.layers, _down_class(keras)

    def build(head: Any) -> Any:
        trunk = [keras.Input((8, 8, 3)), layers.Conv2D(6, 1), down(name="down")]
        return keras.Sequential([*trunk, head, layers.Dense(5, name="fc")])

    model = build(layers.Flatten(name="flat"))
    path = tmp_path_factory.mktemp("custom") / "down.keras"
    model.save(path)
    return path, model.count_params(), build(layers.GlobalAveragePooling2D()).count_params()


def test_custom_layer_in_sequential_keras_is_sized_from_recorded_shapes(
    custom_sequential: tuple[Path, int, int],
) -> None:
    path, total, pooled = custom_sequential
    (finding,) = check(path)
    assert finding.rule == "KF001", finding.message
    assert finding.data.shape == (4, 4, 6)
    assert (finding.data.params_flatten, finding.data.params_pooling) == (96 * 5 + 5, 6 * 5 + 5)
    summary = build_summary(path)
    assert summary.total_params == total
    assert summary.params_after_swaps == pooled
    row = next(r for r in summary.rows if r.path[-1] == "down")
    assert row.output_shape == (None, 4, 4, 6) and row.params is None  # sized, never run
