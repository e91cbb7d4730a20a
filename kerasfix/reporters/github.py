"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding.

GitHub turns these into annotations on the pull request. `col`/`endColumn` are left out
when a finding spans lines (GitHub rejects that combination); notebook findings annotate
the file, with the cell and line in the message; model-file findings annotate line 1.
"""

from __future__ import annotations

from typing import TextIO

from kerasfix.findings import Finding, Severity
from kerasfix.reporters._common import TOOL_NAME, display_path, project_root, where
from kerasfix.results import LintResult

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, path: str) -> str:
    properties: list[tuple[str, object]] = [
        ("title", f"{TOOL_NAME} ({finding.rule})"),
        ("file", path),
    ]
    span = finding.span
    if span is None:
        properties.append(("line", 1))
    elif span.cell is None:
        properties += [("line", span.line), ("endLine", span.end_line)]
        if span.end_line == span.line:
            properties += [("col", span.column), ("endColumn", span.end_column)]
    head = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    message = f"{where(finding)}{finding.rule} {finding.message}"
    return f"::{COMMAND[finding.severity]} {head}::{escape_data(message)}"


def report(result: LintResult, stream: TextIO) -> None:
    root = project_root()
    for finding in result.findings:
        stream.write(annotation(finding, display_path(finding.path, root)) + "\n")
    for error in result.errors:
        path = escape_property(display_path(error.path, root))
        stream.write(f"::error title={TOOL_NAME},file={path}::{escape_data(error.message)}\n")
