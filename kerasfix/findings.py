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


@dataclass
class Finding:
    """One problem at one place.

    Source findings carry `span` (line/column of the `Flatten(...)` expression; `cell` for
    notebooks); model-file findings carry `layer_path` instead. The numeric fields are the
    rule's arithmetic, `None` where the file does not determine them.
    """

    rule: str
    severity: Severity
    message: str
    path: str = ""
    span: SourceSpan | None = None
    layer_path: tuple[str, ...] | None = None
    shape: tuple[int | None, ...] | None = None
    dense_units: int | None = None
    params_flatten: int | None = None
    params_pooling: int | None = None
    suggestion: str | None = None  # e.g. "GlobalAveragePooling2D"
    # KF002: the Dense size after Flatten as a formula of the unknown input sizes,
    # e.g. "65536*(H-2)*(W-2) + 256"; None where the layers do not determine one.
    params_flatten_formula: str | None = None
    flatten_layer: str | None = None
    dense_layer: str | None = None
    # Facts a fixer needs (data_format, the layer objects' names); never shown to users.
    fix_context: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Reporters, the JSON cache and messages need plain data: a frontend's internal
        # value (an `Unknown`, a tuple of them) must never leak into a finding.
        self.message = _plain_text(self.message) or ""
        self.shape = _plain_shape(self.shape)
        self.layer_path = (
            tuple(_plain_text(p) or "?" for p in self.layer_path)
            if isinstance(self.layer_path, tuple | list)
            else None
        )
        self.dense_units = _plain_int(self.dense_units)
        self.params_flatten = _plain_int(self.params_flatten)
        self.params_pooling = _plain_int(self.params_pooling)
        self.suggestion = _plain_text(self.suggestion)
        self.params_flatten_formula = _plain_text(self.params_flatten_formula)
        self.flatten_layer = _plain_text(self.flatten_layer)
        self.dense_layer = _plain_text(self.dense_layer)

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
        if self.params_flatten is None or self.params_pooling is None:
            return None
        return self.params_flatten - self.params_pooling

    def sort_key(self) -> tuple[Any, ...]:
        return (self.path, self.cell or 0, self.line, self.column, self.rule)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape documented in README (stable keys, 1-based positions)."""
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
            "shape": list(self.shape) if self.shape is not None else None,
            "dense_units": self.dense_units,
            "params_flatten": self.params_flatten,
            "params_pooling": self.params_pooling,
            "suggestion": self.suggestion,
            "params_flatten_formula": self.params_flatten_formula,
        }


def _plain_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _plain_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _plain_shape(value: object) -> tuple[int | None, ...] | None:
    if not isinstance(value, tuple | list):
        return None
    return tuple(_plain_int(dim) for dim in value)
