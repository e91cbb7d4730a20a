"""One JSON finding object per line (the `json` format's objects), for streaming consumers."""

from __future__ import annotations

import json
from typing import TextIO

from kerasfix.results import LintResult


def report(result: LintResult, stream: TextIO) -> None:
    for finding in result.findings:
        stream.write(json.dumps(finding.to_dict(), sort_keys=False) + "\n")
