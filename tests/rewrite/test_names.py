"""The public functions `kerasfix.rewrite` and `kerasfix.inspect` stay functions: a
subpackage of the same name would replace them as soon as anything imported it."""

from __future__ import annotations

import importlib
import pkgutil

import kerasfix


def test_no_subpackage_or_module_is_named_like_a_public_function() -> None:
    modules = {info.name for info in pkgutil.iter_modules(kerasfix.__path__)}
    assert {"model_rewrite", "inspection", "kerasfile"} <= modules  # the listing works
    assert not modules & set(kerasfix.__all__)


def test_the_functions_survive_importing_the_packages_behind_them() -> None:
    for name in ("kerasfix.model_rewrite.api", "kerasfix.inspection.summary", "kerasfix.api"):
        importlib.import_module(name)
    assert kerasfix.rewrite.__module__ == "kerasfix.model_rewrite.api"
    assert kerasfix.inspect.__module__ == "kerasfix.api"
