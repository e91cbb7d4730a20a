"""Helpers to compare kerasfix's arithmetic with a real Keras layer."""

from __future__ import annotations

from typing import Any

import pytest

from kerasfix.graph.model import ShapeError
from kerasfix.layers.legacy import normalize
from kerasfix.layers.registry import lookup
from tests.keras_on_demand import keras


def build(class_name: str, kwargs: dict[str, Any], *batch_shapes: tuple) -> tuple[Any, Any]:
    """Call a real Keras layer on symbolic inputs; (layer, output tensor)."""
    layer = getattr(keras.layers, class_name)(**kwargs)
    inputs = [keras.Input(batch_shape=shape) for shape in batch_shapes]
    out = layer(inputs if len(inputs) > 1 or class_name in MERGES else inputs[0])
    if isinstance(out, (list, tuple)):
        out = out[0]
    return layer, out


MERGES = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}


def assert_matches(
    class_name: str,
    kwargs: dict[str, Any],
    *batch_shapes: tuple,
    legacy: tuple[str, dict[str, Any]] | None = None,
    config: dict[str, Any] | None = None,
) -> None:
    """Keras's output shape and count_params equal kerasfix's, for the hand-written kwargs,
    the layer's own get_config(), and (if given) a legacy spelling normalised first.

    `config` replaces `kwargs` as the hand-written config when kwargs hold objects (wrappers).
    """
    layer, out = build(class_name, kwargs, *batch_shapes)
    expected = (tuple(out.shape), layer.count_params())
    spec = lookup(class_name)
    assert spec is not None, class_name
    shapes = list(batch_shapes)
    configs = {"kwargs": kwargs if config is None else config, "get_config": layer.get_config()}
    if legacy is not None:
        name, config = normalize(*legacy)
        assert name == class_name, (legacy, name)
        configs["legacy"] = config
    for label, config in configs.items():
        got = (spec.output_shape(config, shapes), spec.params(config, shapes))
        assert got == expected, f"{label}: {config}"


def assert_rejected(class_name: str, kwargs: dict[str, Any], *batch_shapes: tuple) -> None:
    """Keras refuses the config, and so does kerasfix (ShapeError/ValueError)."""
    with pytest.raises((ValueError, TypeError)):
        build(class_name, kwargs, *batch_shapes)
    spec = lookup(class_name)
    assert spec is not None
    with pytest.raises(ValueError):
        spec.output_shape(kwargs, list(batch_shapes))
        spec.params(kwargs, list(batch_shapes))
    assert issubclass(ShapeError, ValueError)
