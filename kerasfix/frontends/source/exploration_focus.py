"""What code nobody calls is worth running, when a file is analysed only for its calls of
some builders (caller_sizes.py reads a project's callers of a builder for the sizes they
pass): only the functions and classes that name one of the builders. Exploring the rest of
a training script (its `main`, its helpers) cost a second a caller for nothing the builder's
finding uses."""

from __future__ import annotations

import ast
import contextlib
import contextvars
import weakref
from collections.abc import Iterator

_FOCUS: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar(
    "kerasfix_exploration_focus", default=None
)
_NAMES: weakref.WeakKeyDictionary[ast.AST, frozenset[str]] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def focused_on(names: frozenset[str]) -> Iterator[None]:
    """Inside, uncalled code is explored only where it names one of `names`."""
    token = _FOCUS.set(names)
    try:
        yield
    finally:
        _FOCUS.reset(token)


def worth_exploring(node: ast.AST) -> bool:
    """Whether code nobody calls (a function, a method, a class) is run: always, unless the
    analysis is focused on some names and `node` names none of them."""
    focus = _FOCUS.get()
    return focus is None or not focus.isdisjoint(_names_in(node))


def _names_in(node: ast.AST) -> frozenset[str]:
    found = _NAMES.get(node)
    if found is None:
        found = frozenset(name for inner in ast.walk(node) if (name := _name_of(inner)) is not None)
        _NAMES[node] = found
    return found


def _name_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.alias):
        return (node.asname or node.name).rsplit(".", 1)[-1]
    return None
