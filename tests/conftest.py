"""Shared pytest setup."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.applications_built import application_file

# Quiet TensorFlow and pin the Keras backend before any test imports keras.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# TensorFlow turns its oneDNN kernels on by default on some CPUs and not on others, and
# without them it cannot run channels_first convolutions on the CPU at all. The suite runs
# every Keras step (in this process and in the CLI children it starts) with them off, as on
# the CPUs where they are off by default, so no test passes or fails by which CPU runs it;
# tests/rewrite/test_any_cpu.py also covers the setting turned on.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
# One TensorFlow thread per process. The suite's two workers (and the CLI children they start)
# share two cores: TensorFlow's own pools of one thread per core would make four spinning
# threads on two cores (the Keras tests ran 15% slower so). One thread is also one float
# order on every machine, whatever its core count.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
# The suite starts hundreds of `python -m kerasfix` children: let them reuse kerasfix's compiled
# bytecode (written to the git-ignored __pycache__/) instead of compiling every module again,
# where the environment says not to write it (PYTHONDONTWRITEBYTECODE).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules holding slow tests first (each module kept whole, in its order), so the two
    workers end together instead of one finishing a long test while the other waits."""
    slow_modules = {item.module for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.module not in slow_modules)


@pytest.fixture(autouse=True, scope="module")
def _release_keras_state() -> Iterator[None]:
    """Drop what Keras keeps between models (graphs, kernel caches, name counters) after
    each module, so a worker's memory stays that of one module, not of the whole suite."""
    yield
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.backend.clear_session()


# VGG16/VGG19 with their tops (528/549 MB saved): built once per session, on the worker that
# runs the "big-models" xdist group. Every test that uses one carries that mark, so one worker
# builds and holds them and the two workers never hold large models at the same time.
BIG_MODELS = pytest.mark.xdist_group("big-models")


@pytest.fixture(scope="session")
def vgg16_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """VGG16 with its top at the default 224x224 input (7x7x512 -> 4096)."""
    return application_file("VGG16", tmp_path_factory)


@pytest.fixture(scope="session")
def vgg19_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return application_file("VGG19", tmp_path_factory)
