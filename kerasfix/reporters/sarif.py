"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Rule metadata comes from the rule catalogue (`rules/`), URIs are relative to the repository
(`uriBaseId` `%SRCROOT%`), and `partialFingerprints` hash the flagged code rather than its
line number, so alerts survive unrelated edits above them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from kerasfix.catalogue import RuleDoc, load
from kerasfix.findings import Finding
from kerasfix.reporters._common import (
    SARIF_LEVEL,
    TOOL_NAME,
    fingerprints,
    project_root,
    relative_path,
    where,
)
from kerasfix.results import LintResult
from kerasfix.version import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}


def rule_descriptor(rule: RuleDoc) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.section("What it does").split())},
        "help": {"text": rule.help_text(), "markdown": rule.help_markdown()},
        "defaultConfiguration": {"level": LEVEL.get(rule.severity, "warning")},
        "properties": {
            "tags": list(rule.tags),
            "precision": rule.precision,
            "problem.severity": PROBLEM_SEVERITY.get(rule.severity, "warning"),
            "severity": rule.severity_text(),  # by size: each result carries its own level
            "fix": rule.fix,
            "fixSafety": rule.fix_safety,
            "fixAppliedBy": rule.fix_applied_by,
        },
    }


def location(finding: Finding, root: Path) -> dict[str, Any]:
    rel = relative_path(finding.path, root)
    artifact: dict[str, Any] = (
        {"uri": rel, "uriBaseId": "%SRCROOT%"}
        if rel is not None
        else {"uri": Path(finding.path).resolve().as_uri()}
    )
    span = finding.span
    if span is not None and span.cell is None:
        region = {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        }
    else:  # notebook cell or model file: no line of the file to point at
        region = {"startLine": 1}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


# The finding's facts a SARIF consumer gets as result properties (the per-unit counts stand
# in for the totals where only the Dense width is unknown).
SARIF_FACTS = (
    "cell", "layer", "shape", "dense_units", "params_flatten", "params_pooling",
    "params_flatten_per_unit", "params_pooling_per_unit", "suggestion",
)  # fmt: skip


def result_object(
    finding: Finding, index: dict[str, int], root: Path, fingerprint: tuple[str, int]
) -> dict[str, Any]:
    digest, occurrence = fingerprint
    facts = {
        key: value
        for key, value in finding.to_dict().items()
        if key in SARIF_FACTS and value is not None
    }
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": SARIF_LEVEL[finding.severity],
        "message": {"text": f"{where(finding)}{finding.message}"},
        "locations": [location(finding, root)],
        "partialFingerprints": {"primaryLocationLineHash": f"{digest[:16]}:{occurrence}"},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if facts:
        result["properties"] = facts
    return result


def document(result: LintResult, root: Path | None = None) -> dict[str, Any]:
    root = root or project_root()
    rules = list(load().values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    prints = fingerprints(result, root)
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(error.path, root),
                    }
                }
            ],
        }
        for error in result.errors
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri().rstrip("/") + "/"}},
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": [
                    result_object(finding, index, root, prints[id(finding)])
                    for finding in result.findings
                ],
            }
        ],
    }


def _artifact(path: str, root: Path) -> dict[str, Any]:
    rel = relative_path(path, root)
    if rel is not None:
        return {"uri": rel, "uriBaseId": "%SRCROOT%"}
    return {"uri": Path(path).resolve().as_uri()}


def report(result: LintResult, stream: TextIO) -> None:
    json.dump(document(result), stream, indent=2)
    stream.write("\n")
