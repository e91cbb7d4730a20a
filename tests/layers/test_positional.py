"""Positional argument names agree with the real Keras 3 constructors."""

from __future__ import annotations

import inspect

import pytest

from kerasfix.layers.registry import canonical_name, known_names, lookup
from tests.keras_on_demand import keras

pytestmark = pytest.mark.keras

NOT_IN_KERAS_LAYERS = {"ThresholdedReLU", "LRN2D"}


def _keras_callable(name: str):
    if hasattr(keras.layers, name):
        return getattr(keras.layers, name)
    return getattr(keras.applications, name, None)


@pytest.mark.parametrize("name", sorted(n for n in known_names() if canonical_name(n) == n))
def test_positional_prefix_of_keras_signature(name: str) -> None:
    target = _keras_callable(name)
    if target is None:
        assert name in NOT_IN_KERAS_LAYERS, f"{name} is neither a Keras layer nor application"
        return
    params = [
        p.name
        for p in inspect.signature(target).parameters.values()
        if p.name != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    spec = lookup(name)
    assert spec is not None
    assert list(spec.positional) == params[: len(spec.positional)], params
