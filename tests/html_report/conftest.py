"""A real headless browser (the system's Chromium) and real Keras models for the report tests."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]


def load_chromium_driver() -> ModuleType:
    """scripts/headless_chromium.py as a module (the README screenshot script uses it too)."""
    return load_script("scripts/headless_chromium.py", "headless_chromium")


@pytest.fixture(scope="session")
def chromium() -> ModuleType:
    return load_chromium_driver()


@pytest.fixture(scope="session")
def browser(chromium: ModuleType) -> str:
    path = chromium.find_browser()
    if path is None:
        pytest.skip("no Chromium/Chrome installed (CI installs the Debian chromium package)")
    return path


@pytest.fixture(scope="session")
def keras() -> Any:
    return pytest.importorskip("keras", reason="marked keras: CI installs TensorFlow/Keras")


@pytest.fixture(scope="session")
def cnn_with_data(keras: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small trained-from-nothing CNN with a Flatten -> Dense head, and labelled data."""
    import numpy as np

    keras.utils.set_random_seed(7)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((12, 12, 3), name="image"),
            layers.Conv2D(8, 3, activation="relu", name="conv"),
            layers.Flatten(name="flatten"),
            layers.Dense(16, activation="relu", name="fc"),
            layers.Dense(4, name="logits"),
        ],
        name="small_cnn",
    )
    out = tmp_path_factory.mktemp("report_models")
    path = out / "small_cnn.keras"
    model.save(path)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 12, 12, 3)).astype("float32")
    y = rng.integers(0, 4, size=64)
    data = out / "data.npz"
    np.savez(data, x=x, y=y)
    return path, data
