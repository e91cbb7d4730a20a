"""JUnit XML for CI test reporters: one test case per file checked, one failure per finding.

Files that could not be read are test cases with an `<error>`; files skipped with
`# kerasfix: skip-file` are `<skipped>` test cases.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from kerasfix.findings import Finding
from kerasfix.reporters.text import location
from kerasfix.results import LintResult

# Characters XML 1.0 cannot hold, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("?", text)


def report(result: LintResult, stream: TextIO) -> None:
    by_file: dict[str, list[Finding]] = {path: [] for path in result.files}
    for finding in result.findings:
        by_file.setdefault(finding.path, []).append(finding)
    errors = {error.path: error for error in result.errors}
    failed = sum(1 for findings in by_file.values() if findings)
    counts = {
        "tests": str(len(by_file) + len(result.skipped)),
        "failures": str(failed),
        "errors": str(sum(1 for path in by_file if path in errors)),
        "skipped": str(len(result.skipped)),
    }
    suites = ET.Element("testsuites", name="kerasfix", **counts)
    suite = ET.SubElement(suites, "testsuite", name="kerasfix", **counts)
    for path, findings in by_file.items():
        case = ET.SubElement(suite, "testcase", name=path, classname="kerasfix", file=path)
        for finding in findings:
            failure = ET.SubElement(
                case,
                "failure",
                message=_clean(f"{finding.rule} {finding.message}"),
                type=finding.rule,
            )
            failure.text = _clean(f"{location(finding)}: {finding.rule} {finding.message}")
        if path in errors:
            ET.SubElement(case, "error", message=_clean(errors[path].message))
    for skipped in result.skipped:
        case = ET.SubElement(
            suite, "testcase", name=skipped.path, classname="kerasfix", file=skipped.path
        )
        ET.SubElement(case, "skipped", message=_clean(skipped.message))
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode"))
    stream.write("\n")
