"""Lint one source text written to a file: the findings as (rule, line, parameters)."""

from __future__ import annotations

from pathlib import Path

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings


def findings_of(tmp_path: Path, text: str) -> list[tuple[str, int, int | None]]:
    """(rule, line, Flatten->Dense parameters) of each finding in `text` as model.py; the
    file must analyse without an error."""
    path = tmp_path / "model.py"
    path.write_text(text)
    result = lint_paths([path], Settings())
    assert not result.errors
    return [(f.rule, f.line, f.data.params_flatten) for f in result.findings]
