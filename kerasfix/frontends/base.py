"""What every frontend returns, and the one error type they raise."""

from __future__ import annotations

from dataclasses import dataclass, field

from kerasfix.graph.model import Graph


class InputError(Exception):
    """Input kerasfix cannot read: reported as one line naming the file, exit code 2."""


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
    # Problems that did not stop the analysis (a statement skipped for a syntax error):
    # reported as the file's one-line error (exit 2) next to its findings.
    errors: list[str] = field(default_factory=list)
