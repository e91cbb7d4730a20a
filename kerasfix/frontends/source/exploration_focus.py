"""What code nobody calls is worth running, when a file is analysed only for its calls of
some builders (caller_sizes.py reads a project's callers of a builder for the sizes they
pass): only the functions and classes that name one of the builders. Exploring the rest of
a training script (its `main`, its helpers) cost a second a caller for nothing the builder's
finding uses. The names a piece of code spells are read once per node (`code_names`), for the
other questions of that kind: does a method spell `Flatten`, does a cut-short function name a
model word (calls.py, worlds.py)."""

from __future__ import annotations

import ast
import contextlib
import contextvars
import weakref
from collections.abc import Iterator

_FOCUS: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar(
    "kerasfix_exploration_focus", default=None
)
# node -> (names its code spells, names it imports as): the trees outlive the analysis
_NAMES: weakref.WeakKeyDictionary[ast.AST, tuple[frozenset[str], frozenset[str]]] = (
    weakref.WeakKeyDictionary()
)


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
    analysis is focused on some names and `node` names none of them (in its code, or as
    what it imports a name as)."""
    focus = _FOCUS.get()
    if focus is None:
        return True
    spelled, imported = _names(node)
    return not (focus.isdisjoint(spelled) and focus.isdisjoint(imported))


def code_names(node: ast.AST) -> frozenset[str]:
    """The names `node`'s code spells, as a name or an attribute (`Flatten`,
    `layers.Flatten`), not in a comment or a string; read once per node."""
    return _names(node)[0]


def _names(node: ast.AST) -> tuple[frozenset[str], frozenset[str]]:
    found = _NAMES.get(node)
    if found is None:
        spelled: set[str] = set()
        imported: set[str] = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name):
                spelled.add(inner.id)
            elif isinstance(inner, ast.Attribute):
                spelled.add(inner.attr)
            elif isinstance(inner, ast.alias):
                imported.add((inner.asname or inner.name).rsplit(".", 1)[-1])
        found = _NAMES[node] = (frozenset(spelled), frozenset(imported))
    return found
