"""Session-scoped model fixtures: real Keras builds each model once per test run (shared by
the workers, tests/built_once.py) into a temporary dir."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.applications_built import application_file
from tests.built_once import built_once
from tests.scripts import load_script

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "models"


def load_builder() -> ModuleType:
    """fixtures/models/build_models.py as a module (imports Keras)."""
    return load_script("fixtures/models/build_models.py", "build_models")


@pytest.fixture(scope="session")
def builder() -> ModuleType:
    pytest.importorskip("keras", reason="marked keras: CI installs TensorFlow/Keras")
    return load_builder()


@pytest.fixture(scope="session")
def small_models(builder: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    def build(out: Path) -> None:
        assert builder.main([str(out)]) == 0

    return built_once(tmp_path_factory, "small_models", build)


@pytest.fixture(scope="session")
def legacy_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keras 2 format .h5/SavedModel built by TensorFlow's bundled tf.keras, in a subprocess."""
    pytest.importorskip("tensorflow")

    def build(out: Path) -> None:
        subprocess.run(
            [sys.executable, str(FIXTURES / "build_tf_keras_legacy.py"), str(out)],
            check=True,
            capture_output=True,
        )

    return built_once(tmp_path_factory, "legacy_models", build)


class _Apps:
    """keras.applications models with their top: the file saved by Keras in a child process
    (tests/applications_built.py, so its weights never enter this worker), and the model
    Keras builds for the counts, its variables shaped but never filled."""

    def __init__(self, builder: ModuleType, factory: pytest.TempPathFactory) -> None:
        self.builder, self.factory = builder, factory

    def get(self, name: str) -> tuple[Path, Any]:
        import keras

        class_name = self.builder.APPLICATIONS[name]
        path = application_file(class_name, self.factory)
        with keras.StatelessScope(initialize_variables=False):
            model = self.builder.build(name)
        return path, model


@pytest.fixture(scope="session")
def apps(builder: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> _Apps:
    return _Apps(builder, tmp_path_factory)
