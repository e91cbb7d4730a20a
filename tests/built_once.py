"""Files a session fixture builds once per test run, shared by the xdist workers.

A session fixture runs once per worker: two workers that both need the saved test models
built them twice, seconds of Keras each. Here the first worker to ask builds the folder
under a lock and the other waits for it and reads the same files (the pattern pytest-xdist's
documentation gives for session fixtures). Users of such a folder only read it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder `name`, filled by `build(folder)` in the first worker of this run to ask."""
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's folder, above every worker's own
    folder = root / f"built-once-{name}"
    complete = root / f"built-once-{name}.complete"
    with open(root / f"built-once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not complete.exists():
            shutil.rmtree(folder, ignore_errors=True)  # left half-built by a failed build
            folder.mkdir()
            build(folder)
            complete.touch()
    return folder
