"""`keras` for test modules that use it at module level, imported on first use.

A module-level `pytest.importorskip("keras")` imports TensorFlow while pytest collects, in every
worker, even for `-m "not keras"` (the quick loop), where no test of the module runs: seconds
of CPU and 600 MB per worker for nothing. Through this proxy Keras is imported by the first
test that touches it, and a missing Keras still skips that test, saying why.
"""

from __future__ import annotations

from typing import Any

import pytest


class _KerasOnDemand:
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # pytest probes module attributes while it collects
            raise AttributeError(name)
        module = pytest.importorskip(
            "keras", reason="needs the keras extra: pip install -e '.[keras]'"
        )
        return getattr(module, name)


keras: Any = _KerasOnDemand()
