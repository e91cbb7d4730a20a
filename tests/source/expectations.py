"""`# expect:` comments in fixtures: the findings each fixture must produce, no more."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from kerasfix.findings import Finding

EXPECT = re.compile(r"#\s*expect:\s*(KF\d{3})((?:\s+\w+=\S+)*)")
NO_BUILD = "kerasfix-fixture: no-build"


@dataclass(frozen=True)
class Expected:
    cell: int | None
    line: int
    rule: str
    fields: tuple[tuple[str, str], ...]

    def matches(self, finding: Finding) -> bool:
        if (finding.cell, finding.line, finding.rule) != (self.cell, self.line, self.rule):
            return False
        actual = {
            "shape": "x".join(str(d) for d in finding.data.shape) if finding.data.shape else None,
            "units": str(finding.data.dense_units),
            "flatten": str(finding.data.params_flatten),
            "pooling": str(finding.data.params_pooling),
            # written without spaces in the comment: `formula=65536*(H-2)*(W-2)+256`
            "formula": (finding.data.params_flatten_formula or "").replace(" ", "") or None,
        }
        return all(actual[key] == value for key, value in self.fields)


def _from_lines(lines: list[str], cell: int | None) -> list[Expected]:
    found = []
    for number, text in enumerate(lines, start=1):
        match = EXPECT.search(text)
        if match:
            fields = tuple(tuple(part.split("=", 1)) for part in match.group(2).split())
            found.append(Expected(cell, number, match.group(1), fields))  # type: ignore[arg-type]
    return found


def expectations(path: Path) -> list[Expected]:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        result = []
        for index, cell in enumerate(cells, start=1):
            if cell["cell_type"] == "code":
                result.extend(_from_lines("".join(cell["source"]).splitlines(), index))
        return result
    return _from_lines(path.read_text(encoding="utf-8").splitlines(), None)
