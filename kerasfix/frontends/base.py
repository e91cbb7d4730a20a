"""What every frontend returns, and the one error type they raise."""

from __future__ import annotations

from dataclasses import dataclass, field

from kerasfix.graph.model import Graph, Layer


class InputError(Exception):
    """Input kerasfix cannot read: reported as one line naming the file, exit code 2."""


class NoArchitecture(InputError):
    """A readable model file without an architecture to lint: a subclassed model, or weights
    only (`save_weights`). Not bad input: a repository may keep such files, so `lint` warns
    and goes on; `inspect` and `rewrite`, which need the architecture, still refuse."""


@dataclass(frozen=True)
class SkippedStatement:
    """A statement that did not parse: the error's position and message, the lines skipped."""

    line: int
    column: int
    message: str
    first_line: int
    last_line: int
    # "encoding error": bytes that do not decode were replaced, nothing was skipped.
    kind: str = "syntax error"

    @property
    def headline(self) -> str:
        """`3:5: syntax error: invalid syntax`: where and what, without the recovery note."""
        return f"{self.line}:{self.column}: {self.kind}: {self.message}"

    def __str__(self) -> str:
        if self.kind != "syntax error":
            return f"{self.headline} (the rest of the file was analysed)"
        lines = (
            f"line {self.first_line}"
            if self.first_line == self.last_line
            else f"lines {self.first_line}-{self.last_line}"
        )
        return f"{self.headline} (skipped {lines}; the rest of the file was analysed)"


@dataclass
class Program:
    """One file as a layer graph.

    `cells` holds each notebook code cell's source (None for scripts and models), and
    `text` the whole source, so suppression comments and fixers can see the lines the
    findings point at.
    """

    path: str
    kind: str  # "source" | "notebook" | "model"
    graph: Graph
    text: str | None = None
    cells: list[str] | None = None
    notes: list[str] = field(default_factory=list)
    # Source and notebook frontends: every model the file builds (its layer has `inner`).
    models: list[Layer] = field(default_factory=list)
    # Problems that did not stop the analysis (a statement skipped for a syntax error):
    # reported as the file's one-line error (exit 2) next to its findings.
    errors: list[SkippedStatement] = field(default_factory=list)
    # Other files the analysis read (a source file's project modules): path -> content
    # digest, so a cached result is checked again when one of them changes.
    depends_on: dict[str, str] = field(default_factory=dict)
