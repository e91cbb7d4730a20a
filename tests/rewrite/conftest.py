"""Models saved by real Keras, built once per session in a temporary directory."""

from __future__ import annotations

import pytest

from kerasfix.model_rewrite.keras_runtime import runnable
from tests.saved_model.conftest import builder, small_models  # noqa: F401  (shared fixtures)


@pytest.fixture(scope="session")
def keras():
    return pytest.importorskip("keras")


def constant_cnn(keras, data_format: str = "channels_last", between: tuple[str, ...] = ()):
    """A CNN whose feature map is constant over space when its input is: 1x1 convs only."""
    layers = keras.layers
    shape = (3, 5, 4) if data_format == "channels_first" else (5, 4, 3)
    inp = keras.Input(shape, name="img")
    x = layers.Conv2D(6, 1, activation="relu", data_format=data_format, name="conv")(inp)
    x = layers.Flatten(name="flat")(x)
    for kind in between:
        if kind == "bn":
            x = layers.BatchNormalization(name="bn")(x)
        elif kind == "dropout":
            x = layers.Dropout(0.5, name="drop")(x)
        elif kind == "relu":
            x = layers.Activation("relu", name="act")(x)
    x = layers.Dense(7, name="fc")(x)
    out = layers.Dense(3, name="out")(x)
    model = keras.Model(inp, out, name="cnn")
    if "bn" in between:  # non-trivial statistics, so the fold has something to fold
        rng = __import__("numpy").random.default_rng(1)
        bn = model.get_layer("bn")
        bn.set_weights([rng.uniform(0.5, 2, w.shape).astype("float32") for w in bn.get_weights()])
    # Run as kerasfix runs it: channels_first needs XLA on CPUs without oneDNN (keras_runtime).
    return runnable(model)


def constant_input(keras, model, n: int = 4):
    import numpy as np

    rng = np.random.default_rng(0)
    shape = model.inputs[0].shape
    if model.get_layer("conv").data_format == "channels_first":
        values = rng.standard_normal((n, shape[1], 1, 1))
    else:
        values = rng.standard_normal((n, 1, 1, shape[3]))
    return np.broadcast_to(values, (n, *shape[1:])).astype("float32")
