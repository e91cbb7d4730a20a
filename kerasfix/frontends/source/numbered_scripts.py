"""Numbered scripts run one after another in one session: `5.load_model.py` defines
`base_model`, `7.model.py` uses it without defining or importing it (a notebook split into
files, pasted or `%run` in order). A numbered script's free names are looked up in the
scripts numbered before it in its folder, the nearest first (project_imports runs them)."""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

from kerasfix.limits import MAX_MODULES

_NUMBERED = re.compile(r"^(\d+)[._\- ]")
_BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "get_ipython", "display"}


def script_number(path: Path) -> int | None:
    """The leading number of `7.model.py` / `07_train.py`, or None."""
    match = _NUMBERED.match(path.name)
    return int(match.group(1)) if match else None


def free_names(tree: ast.Module) -> set[str]:
    """Names the file reads but binds nowhere (no assignment, import, def, class, argument
    or loop variable anywhere in it) and that are not builtins."""
    read: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
    return read - bound - _BUILTINS


def numbered_before(path: Path) -> list[Path]:
    """The `.py` scripts numbered before `path` in its folder, in their order (the nearest
    MAX_MODULES)."""
    number = script_number(path)
    if number is None:
        return []
    found: list[tuple[int, str, Path]] = []
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return []
    for sibling in siblings:
        other = script_number(sibling)
        if other is not None and other < number and sibling.suffix == ".py":
            found.append((other, sibling.name, sibling))
    found.sort()
    return [sibling for _, _, sibling in found[-MAX_MODULES:]]


def top_level_names(tree: ast.Module) -> set[str]:
    """Names a script's top level binds: assignments, definitions and imports."""
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in stmt.names)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names
