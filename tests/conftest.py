"""Shared pytest setup."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

# Quiet TensorFlow and pin the Keras backend before any test imports keras.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# TensorFlow turns its oneDNN kernels on by default on some CPUs and not on others, and
# without them it cannot run channels_first convolutions on the CPU at all. The suite runs
# every Keras step (in this process and in the CLI children it starts) with them off, as on
# the CPUs where they are off by default, so no test passes or fails by which CPU runs it;
# tests/rewrite/test_any_cpu.py also covers the setting turned on.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"


@pytest.fixture(autouse=True, scope="module")
def _release_keras_state() -> Iterator[None]:
    """Drop what Keras keeps between models (graphs, kernel caches, name counters) after
    each module, so a worker's memory stays that of one module, not of the whole suite."""
    yield
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.backend.clear_session()
