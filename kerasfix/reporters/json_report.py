"""A JSON array of finding objects (keys documented in README)."""

from __future__ import annotations

import json
from typing import TextIO

from kerasfix.results import LintResult


def report(result: LintResult, stream: TextIO) -> None:
    json.dump([finding.to_dict() for finding in result.findings], stream, indent=2)
    stream.write("\n")
