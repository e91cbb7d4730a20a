"""keras.applications models with their top, saved by Keras once per worker session.

A module of its own, not tests/conftest.py: pytest imports a conftest under its own name, so a
test module importing `tests.conftest` would get a second copy with a second cache and save
every application again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

_BUILT: dict[str, Path] = {}  # one file per application and worker session
# The applications the suite saves are saved together, by one child, one at a time: one
# TensorFlow start instead of five (19 s of CPU against 26 s; the child's peak stays VGG19's,
# 2.1 GB, as gc.collect() frees each model before the next).
_TOGETHER = ("VGG16", "VGG19", "ResNet50", "MobileNetV2", "EfficientNetB0")


def application_file(name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`keras.applications.<name>` with its top, saved by Keras in a child process: the child's
    1.5 GB of weights and save buffers go back to the system when it exits, not to this
    worker's heap."""
    pytest.importorskip("keras", reason="marked keras: CI installs TensorFlow/Keras")
    if name in _BUILT:
        return _BUILT[name]
    names = _TOGETHER if name in _TOGETHER else (name,)
    paths = {n: tmp_path_factory.mktemp(n.lower()) / f"{n.lower()}.keras" for n in names}
    build = "import gc, keras\n" + "".join(
        f"keras.applications.{n}(weights=None, include_top=True).save({str(path)!r})\n"
        "gc.collect()\n"
        for n, path in paths.items()
    )
    subprocess.run([sys.executable, "-c", build], check=True, capture_output=True, timeout=600)
    _BUILT.update(paths)
    return _BUILT[name]
