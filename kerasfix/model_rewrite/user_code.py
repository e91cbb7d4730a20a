"""The user's own code, run only when the user asks: custom layer classes and Lambda layers.

Keras cannot load a model holding a custom class without that class's code, nor a Lambda
layer without unsafe deserialization (its Python bytecode runs). kerasfix never runs a
model's code by default; `--custom-objects MODULE_OR_FILE` imports the user's module (as
`keras.saving.load_model`'s `custom_objects`) and `--unsafe-lambda` turns on Keras's unsafe
deserialization, both for every step that loads the model with Keras (verification,
calibrate, distill, --verify-data). Without them, a rewrite of such a model is written with
its weights carried and checked without Keras, and the report says what was not verified.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kerasfix.model_rewrite.errors import RewriteError


@dataclass(frozen=True)
class Trust:
    """What the user allowed to run: modules or .py files to import, Lambda bytecode."""

    modules: tuple[str, ...] = ()
    unsafe_lambda: bool = False

    def encode(self) -> dict[str, Any]:
        return {"modules": list(self.modules), "unsafe_lambda": self.unsafe_lambda}


_ACTIVE: dict[str, Any] = {"custom_objects": {}, "safe_mode": True}


@contextlib.contextmanager
def trusted(trust: Trust) -> Iterator[None]:
    """Within the block, every `load_model` of kerasfix gets the user's classes and safe
    mode as `trust` says; the modules are imported first (their `register_keras_serializable`
    decorators run). The previous setting comes back after, so a rewrite in a notebook
    never leaves the next one trusting code it was not told to."""
    objects: dict[str, Any] = {}
    for spec in trust.modules:
        objects.update(_public_objects(_import(spec)))
    before = dict(_ACTIVE)
    _ACTIVE.update(custom_objects=objects, safe_mode=not trust.unsafe_lambda)
    try:
        yield
    finally:
        _ACTIVE.clear()
        _ACTIVE.update(before)


def load_kwargs() -> dict[str, Any]:
    """Keyword arguments for `keras.saving.load_model`: the activated trust."""
    return {"custom_objects": dict(_ACTIVE["custom_objects"]), "safe_mode": _ACTIVE["safe_mode"]}


def _import(spec: str) -> Any:
    """A module by dotted name, or a .py file by path (imported under a private name, once
    per process: the user's code runs once)."""
    path = Path(spec)
    try:
        if spec.endswith(".py") or path.is_file():
            name = f"_kerasfix_user_{abs(hash(str(path.resolve())))}"
            if name in sys.modules:
                return sys.modules[name]
            module_spec = importlib.util.spec_from_file_location(name, path)
            if module_spec is None or module_spec.loader is None:
                raise ImportError(f"not a Python file: {spec}")
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            module_spec.loader.exec_module(module)
            return module
        return importlib.import_module(spec)
    except Exception as exc:  # the user's code: any failure is one line
        raise RewriteError(
            f"--custom-objects {spec}: cannot import it: {type(exc).__name__}: {exc}"
        ) from None


def _public_objects(module: Any) -> dict[str, Any]:
    """Classes and functions the module defines (not those it imports)."""
    return {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and callable(value)
        and getattr(value, "__module__", None) == module.__name__
    }


_MISSING_CLASS = re.compile(r"Could not locate (?:class|function) '([^']+)'")


def unverifiable(reason: str) -> str | None:
    """What Keras could not load without running the user's code, and the option that would
    let it; None when `reason` is another failure."""
    missing = _MISSING_CLASS.search(reason)
    if missing:
        return (
            f"Keras cannot load the custom class '{missing.group(1)}' without its code; "
            "--custom-objects MODULE_OR_FILE (the module defining it) lets Keras load it, "
            "running that code"
        )
    if "Lambda" in reason and "safe_mode" in reason:
        return (
            "Keras loads a Lambda layer's Python code only unsafely; --unsafe-lambda lets "
            "Keras load it, running that code"
        )
    return None
