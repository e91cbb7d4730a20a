"""Helpers shared by the CI reporters: repository-relative paths and stable fingerprints.

A fingerprint must survive edits that only move a finding (lines inserted above it), so it
hashes the rule, the repository-relative path and the whitespace-normalised text of the
flagged lines (a model file: the layer path), never the line number; an occurrence index
tells apart identical lines in one file.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from kerasfix.findings import Finding, Severity
from kerasfix.results import LintResult, SourceText

TOOL_NAME = "kerasfix"


def project_root(start: Path | None = None) -> Path:
    """The git work tree containing `start` (default: the cwd), else `start` itself."""
    here = Path(os.path.abspath(start or Path.cwd()))
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return here


def relative_path(path: str, root: Path) -> str | None:
    """`path` relative to `root` with forward slashes; None when it lies outside."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        return None
    if rel == ".." or rel.startswith(".." + os.sep):
        return None
    return rel.replace(os.sep, "/")


def display_path(path: str, root: Path) -> str:
    return relative_path(path, root) or Path(os.path.abspath(path)).as_posix()


def is_source_finding(finding: Finding) -> bool:
    """Whether the finding has lines in a script (not a notebook cell, not a model file)."""
    return finding.span is not None and finding.span.cell is None


def flagged_text(finding: Finding, sources: dict[str, SourceText]) -> str:
    """The flagged lines with all whitespace removed (model files: the layer path)."""
    if finding.span is None:
        return "/".join(finding.layer_path or ())
    source = sources.get(finding.path) or _read_source(finding.path)
    if finding.span.cell is not None:
        cells = source.cells or ()
        index = finding.span.cell - 1
        text = cells[index] if 0 <= index < len(cells) else ""
    else:
        text = source.text or ""
    lines = text.splitlines()
    chosen = lines[finding.span.line - 1 : max(finding.span.end_line, finding.span.line)]
    return "".join("".join(chosen).split())


@lru_cache(maxsize=64)
def _read_source(path: str) -> SourceText:
    if not path.endswith((".py", ".pyi")):
        return SourceText()
    try:
        return SourceText(text=Path(path).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return SourceText()


def fingerprints(result: LintResult, root: Path) -> dict[int, tuple[str, int]]:
    """id(finding) -> (hex digest, 1-based occurrence of that digest in the file)."""
    seen: dict[str, int] = {}
    found: dict[int, tuple[str, int]] = {}
    for finding in sorted(result.findings, key=Finding.sort_key):
        content = flagged_text(finding, result.sources)
        key = "\0".join((finding.rule, display_path(finding.path, root), content))
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        seen[digest] = seen.get(digest, 0) + 1
        found[id(finding)] = (digest, seen[digest])
    return found


def where(finding: Finding) -> str:
    """A location prefix for notebook findings, whose lines are relative to a cell.

    (Model-file messages already name the layer.)
    """
    if finding.span is not None and finding.span.cell is not None:
        return f"cell {finding.span.cell}, line {finding.span.line}: "
    return ""


SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
