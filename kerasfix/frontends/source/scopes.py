"""Scopes and control-flow signals of the abstract evaluator.

A `Scope` is one namespace (module, function or class body); `Return`, `Break` and
`Continue` carry Python's control flow out of nested evaluation, `OutOfBudget` stops a file
that takes too many steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerasfix.frontends.source.values import Ref

MISSING = object()  # a name no scope defines


class Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class Break(Exception):
    pass


class Continue(Exception):
    pass


class OutOfBudget(Exception):
    """More than MAX_STEPS evaluation steps: the analysis stops where it is."""


class Scope:
    """One namespace (module, function or class body) with a link to the enclosing one."""

    def __init__(
        self, parent: Scope | None = None, exports: Callable[[str], bool] | None = None
    ) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.star_modules: list[str] = []  # `from m import *`
        # Modules a bare name falls back to after the file's own star imports (the frontend's
        # assumption that an unbound `Conv2D` is Keras's).
        self.fallback_modules: list[str] = []
        # Whether a star import defines `module.name` (the frontend's knowledge of modules).
        self.exports: Callable[[str], bool] = exports or (parent.exports if parent else _none)

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            for module in (*scope.star_modules, *scope.fallback_modules):
                candidate = f"{module}.{name}"
                if scope.exports(candidate):
                    return Ref(candidate)
            scope = scope.parent
        return MISSING


def _none(qualname: str) -> bool:
    return False
