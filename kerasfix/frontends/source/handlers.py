"""Which `except` blocks are worth running: those that may build a model.

`try: model = load_model(path) except: model = build()` builds its model only when loading
fails, which the file cannot decide; the handler is code the file may run. Handlers that
only report or exit (and import fallbacks, which call nothing) are far more common and
build nothing, so they are skipped: running them would cost time and tell nothing.
"""

from __future__ import annotations

import ast

# Callees that report or stop, by dotted name or by the object they are called on.
_INERT_CALLS = frozenset(
    {"print", "exit", "quit", "sys.exit", "os._exit", "warnings.warn", "str", "repr", "len",
     "os.makedirs", "os.mkdir", "format", "input"}
)  # fmt: skip
_INERT_RECEIVERS = frozenset({"logging", "logger", "log", "LOGGER", "traceback", "warnings"})


def may_build(handler: ast.ExceptHandler) -> bool:
    """True when the handler calls something that is neither a report nor an exit."""
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Call) and not _inert(node.func):
            return True
    return False


def _inert(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in _INERT_CALLS
    if isinstance(func, ast.Attribute):
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value  # type: ignore[assignment]
        if isinstance(root, ast.Name) and root.id in _INERT_RECEIVERS:
            return True
        if isinstance(func.value, ast.Name):
            return f"{func.value.id}.{func.attr}" in _INERT_CALLS
    return False
