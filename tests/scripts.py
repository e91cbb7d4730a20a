"""Load one of the repository's own scripts (fixtures/, bench/, scripts/) as a module, so tests
use the very code the scripts run instead of a copy of it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str, name: str) -> ModuleType:
    """`relative` (from the repository root) as module `name`, registered in sys.modules so
    dataclasses and pickling inside it resolve their own module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
