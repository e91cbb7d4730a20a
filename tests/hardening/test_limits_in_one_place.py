"""The source frontend's and shape inference's limits are defined once, in kerasfix/limits.py."""

from __future__ import annotations

import ast
from pathlib import Path

import kerasfix
from kerasfix import limits

PACKAGE = Path(kerasfix.__file__).parent
AREAS = ("frontends/source", "graph", "layers")


def _module_constants(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_no_limit_is_defined_outside_limits_py() -> None:
    defined = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for area in AREAS
        for path in sorted((PACKAGE / area).rglob("*.py"))
        for name in _module_constants(path)
        if name.startswith("MAX_") or name.endswith("_BUDGET_CHARS")
    }
    assert not defined


def test_the_limits_are_there() -> None:
    for name in ("MAX_STEPS", "MAX_CALL_DEPTH", "MAX_UNROLL", "MAX_ITEMS", "MAX_RECOVERIES"):
        assert isinstance(getattr(limits, name), int)
    assert limits.MAX_NESTING == 64
    assert limits.RECOVERY_BUDGET_CHARS > 0
