"""The fixed fixtures build with real Keras, and each new Dense has `params_pooling` weights."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from kerasfix.fixers.policy import FixOptions
from kerasfix.fixers.run import fix_result
from kerasfix.frontends.notebook import strip_magics
from kerasfix.runner import lint_paths
from tests.fixers.helpers import ALL_FIXTURES, copy, units

NO_BUILD = "kerasfix-fixture: no-build"


def _buildable(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    if NO_BUILD in text:
        return False
    return "import torch" not in text or importlib.util.find_spec("torch") is not None


BUILDABLE = [p for p in ALL_FIXTURES if _buildable(p)]


def _pooled_dense_params(namespace: dict, keras) -> Counter:  # type: ignore[no-untyped-def, type-arg]
    """count_params() of the first Dense after each global pooling layer, in every model."""
    found: Counter = Counter()  # type: ignore[type-arg]
    seen: set[int] = set()

    def first_dense(layer):  # type: ignore[no-untyped-def]
        """The layer itself if a Dense, else a nested model's first Dense (a model as head)."""
        if _unwrapped(layer) == "Dense":
            return layer
        if isinstance(layer, keras.Model):
            return next(filter(None, map(first_dense, layer.layers)), None)
        return None

    def walk(model) -> None:  # type: ignore[no-untyped-def]
        if id(model) in seen:
            return
        seen.add(id(model))
        _run_if_only_declared(model, keras)
        layers = list(model.layers)
        for index, layer in enumerate(layers):
            if isinstance(layer, keras.Model):
                walk(layer)
            name = _unwrapped(layer)
            if name.startswith(("GlobalAveragePooling", "GlobalMaxPooling")):
                dense = next(filter(None, map(first_dense, layers[index + 1 :])), None)
                if dense is not None and dense.built:
                    found[dense.count_params()] += 1

    for value in list(namespace.values()):
        if isinstance(value, keras.Model):
            walk(value)
    return found


def _unwrapped(layer) -> str:  # type: ignore[no-untyped-def]
    """A layer's class name, looking inside TimeDistributed (the fix keeps the wrapper)."""
    name = type(layer).__name__
    return type(layer.layer).__name__ if name == "TimeDistributed" else name


def _run_if_only_declared(model, keras) -> None:  # type: ignore[no-untyped-def]
    """Keras 3's `build(shape)` on a subclassed model does not build its layers: call it once."""
    shapes = getattr(model, "_build_shapes_dict", None)
    if not shapes or all(layer.built for layer in model.layers):
        return
    (shape,) = shapes.values()
    model(keras.ops.zeros(tuple(1 if d is None else d for d in shape)))


@pytest.mark.keras
@pytest.mark.parametrize("fixture", BUILDABLE, ids=[p.name for p in BUILDABLE])
def test_fixed_model_has_the_predicted_dense_size(fixture: Path, tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    path = copy(fixture, tmp_path)
    expected = Counter(
        f.data.params_pooling for f in lint_paths([path]).findings if f.rule == "KF001"
    )
    fix_result(lint_paths([path]), FixOptions())
    namespace: dict = {"__name__": "fixed_fixture"}  # type: ignore[type-arg]
    for text in units(path):
        exec(compile(strip_magics(text), str(path), "exec"), namespace)
    observed = _pooled_dense_params(namespace, keras)
    assert expected and not (expected - observed), (expected, observed)
