"""GitLab Code Quality report (a JSON array of CodeClimate-style issues).

Fingerprints exclude line numbers (see `_common.fingerprints`), so GitLab does not report a
finding as fixed-and-new when unrelated edits move it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TextIO

from kerasfix.findings import Finding, Severity
from kerasfix.reporters._common import display_path, fingerprints, project_root, where
from kerasfix.results import LintResult

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "minor"}


def issue(finding: Finding, path: str, fingerprint: str) -> dict[str, Any]:
    span = finding.span
    # Notebook lines are relative to a cell and model files have none: point at line 1.
    begin = span.line if span is not None and span.cell is None else 1
    end = span.end_line if span is not None and span.cell is None else begin
    return {
        "type": "issue",
        "description": f"{where(finding)}{finding.message}",
        "check_name": finding.rule,
        "fingerprint": fingerprint,
        "severity": SEVERITY[finding.severity],
        "categories": ["Performance"],
        "location": {"path": path, "lines": {"begin": begin, "end": end}},
    }


def report(result: LintResult, stream: TextIO) -> None:
    root = project_root()
    prints = fingerprints(result, root)
    issues = []
    for finding in result.findings:
        digest, occurrence = prints[id(finding)]
        fingerprint = hashlib.md5(f"{digest}:{occurrence}".encode(), usedforsecurity=False)
        issues.append(issue(finding, display_path(finding.path, root), fingerprint.hexdigest()))
    json.dump(issues, stream, indent=2)
    stream.write("\n")
