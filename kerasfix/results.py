"""What linting a file or a run produces: plain data every layer above the engine shares.

The runner fills these, the cache stores them, the process pool pickles them, reporters
and fixers read them. This module imports nothing of kerasfix but `findings`, so all of
those import downward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kerasfix.findings import Finding

POSITION = re.compile(r"\d+:\d+: ")


@dataclass(frozen=True)
class FileError:
    path: str
    message: str

    def __str__(self) -> str:
        # `PATH:3:7: syntax error` (as Ruff prints it) when the message starts at a position.
        separator = ":" if POSITION.match(self.message) else ": "
        return f"{self.path}{separator}{self.message}"


@dataclass(frozen=True)
class SourceText:
    """The text findings point into: a script's `text`, or a notebook's code `cells`."""

    text: str | None = None
    cells: tuple[str, ...] | None = None


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_checked: int = 0
    files: list[str] = field(default_factory=list)  # every file read, errors included
    skipped: list[FileError] = field(default_factory=list)  # not read, with the reason
    notes: list[str] = field(default_factory=list)  # warnings for stderr (not findings)
    # path -> source text, so reporters can fingerprint the flagged code.
    sources: dict[str, SourceText] = field(default_factory=dict)


@dataclass
class FileOutcome:
    findings: list[Finding] = field(default_factory=list)
    error: FileError | None = None
    skipped: str | None = None
    source: SourceText | None = None
    notes: list[str] = field(default_factory=list)  # warnings for stderr, path included
    # Other files the result depends on (project modules read): path -> content digest.
    depends_on: dict[str, str] = field(default_factory=dict)
