"""`path:line:col: KF001 [warning] message` lines and a summary.

Notebooks: `path:cell N:line:col:`; model files: `path:`. The severity sits in brackets after
the code, where Ruff puts its `[*]` fix marker, so `path:line:col: CODE` stays parseable.
"""

from __future__ import annotations

from typing import TextIO

from kerasfix.findings import Finding
from kerasfix.results import LintResult


def location(finding: Finding) -> str:
    if finding.span is None:
        return finding.path
    span = finding.span
    cell = f"cell {span.cell}:" if span.cell is not None else ""
    return f"{finding.path}:{cell}{span.line}:{span.column}"


def report(result: LintResult, stream: TextIO) -> None:
    for finding in result.findings:
        stream.write(
            f"{location(finding)}: {finding.rule} [{finding.severity.value}] {finding.message}\n"
        )
    count = len(result.findings)
    files = result.files_checked
    noun = "file" if files == 1 else "files"
    if count:
        saved = sum(f.saved_params or 0 for f in result.findings if f.rule == "KF001")
        plural = "finding" if count == 1 else "findings"
        tail = f"; global pooling would save {saved:,} parameters" if saved else ""
        stream.write(f"Found {count} {plural} in {files} {noun} checked{tail}.\n")
    elif not result.errors:
        stream.write(f"All checks passed ({files} {noun} checked).\n")
