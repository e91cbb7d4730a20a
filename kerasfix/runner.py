"""Lint a set of paths: discover, read each file through its frontend, run the rules.

A file that cannot be read becomes one `FileError` (one line, exit code 2 at the end);
the other files are still linted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kerasfix.discovery import discover
from kerasfix.engine import lint_graph
from kerasfix.findings import Finding
from kerasfix.frontends import InputError, Program, read
from kerasfix.settings import Settings


@dataclass(frozen=True)
class FileError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_checked: int = 0


def lint_program(program: Program, settings: Settings) -> list[Finding]:
    """Findings for one already-read file, honouring rule selection."""
    return lint_graph(
        program.graph,
        options=settings.options,
        path=program.path,
        selected=settings.enabled_rules(),
    )


def lint_file(path: Path, kind: str, settings: Settings) -> tuple[list[Finding], FileError | None]:
    display = path.as_posix()
    try:
        program = read(path, kind)
        return lint_program(program, settings), None
    except InputError as exc:
        return [], FileError(display, _one_line(str(exc), display))
    except RecursionError:
        return [], FileError(display, "nesting too deep to analyse")
    except MemoryError:
        return [], FileError(display, "too large to analyse in memory")
    except Exception as exc:  # an internal error must still be one line, never a traceback
        return [], FileError(display, f"internal error: {type(exc).__name__}: {exc}")


def lint_paths(paths: Iterable[Path], settings: Settings) -> LintResult:
    result = LintResult()
    for path, kind in discover(list(paths), settings):
        findings, error = lint_file(path, kind, settings)
        result.files_checked += 1
        result.findings.extend(findings)
        if error is not None:
            result.errors.append(error)
    result.findings.sort(key=Finding.sort_key)
    return result


def _one_line(message: str, display: str) -> str:
    text = " ".join(message.split())
    prefix = f"{display}: "
    return text[len(prefix) :] if text.startswith(prefix) else text
