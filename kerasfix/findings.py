"""What a rule reports: one `Finding` per problem, consumed by reporters and fixers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from kerasfix.graph.model import SourceSpan


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class RuleData:
    """A rule's facts about one finding, typed by the rule (checks/<rule>.py).

    Plain data only (ints, strings, tuples of them), so a finding can be cached as JSON and
    sent across processes; never a graph node. `report()` gives the keys the JSON output
    shows for the rule; `encode`/`decode` round-trip every field for the cache.
    """

    def __eq__(self, other: object) -> bool:  # no fields: equal to any other RuleData()
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def report(self) -> dict[str, Any]:
        return {}

    def encode(self) -> dict[str, Any]:
        return {}

    @classmethod
    def decode(cls, data: dict[str, Any]) -> RuleData:
        return cls()

    @property
    def saved_params(self) -> int | None:
        """Parameters the suggested change would save, where the rule knows them."""
        return None

    def precedence(self) -> tuple[int, int]:
        """Which of two findings of one check at one place to keep: the higher."""
        return 0, 0

    def subject(self) -> object:
        """What tells apart two findings of one check at one place (KF001: the Dense)."""
        return None


NO_DATA = RuleData()


@dataclass
class Finding:
    """One problem at one place.

    Source findings carry `span` (line/column of the flagged expression; `cell` for
    notebooks); model-file findings carry `layer_path` instead. What the rule worked out
    (sizes, the layers a fix rewrites) is in `data`, typed by the rule.
    """

    rule: str
    severity: Severity
    message: str
    path: str = ""
    span: SourceSpan | None = None
    layer_path: tuple[str, ...] | None = None
    data: RuleData = field(default=NO_DATA)

    def __post_init__(self) -> None:
        # Reporters, the JSON cache and messages need plain data: a frontend's internal
        # value (an `Unknown`, a tuple of them) must never leak into a finding.
        self.message = plain_text(self.message) or ""
        self.layer_path = (
            tuple(plain_text(p) or "?" for p in self.layer_path)
            if isinstance(self.layer_path, tuple | list)
            else None
        )

    @property
    def cell(self) -> int | None:
        return self.span.cell if self.span else None

    @property
    def line(self) -> int:
        return self.span.line if self.span else 1

    @property
    def column(self) -> int:
        return self.span.column if self.span else 1

    @property
    def saved_params(self) -> int | None:
        return self.data.saved_params

    def sort_key(self) -> tuple[Any, ...]:
        return (self.path, self.cell or 0, self.line, self.column, self.rule)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape documented in README (stable keys, 1-based positions), followed
        by the rule's own keys."""
        span = self.span
        return {
            "path": self.path,
            "cell": span.cell if span else None,
            "line": span.line if span else None,
            "column": span.column if span else None,
            "end_line": span.end_line if span else None,
            "end_column": span.end_column if span else None,
            "layer": "/".join(self.layer_path) if self.layer_path else None,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            **self.data.report(),
        }


def plain_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def plain_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def plain_shape(value: object) -> tuple[int | None, ...] | None:
    if not isinstance(value, tuple | list):
        return None
    return tuple(plain_int(dim) for dim in value)
