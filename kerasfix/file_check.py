"""Lint one file: read it through its frontend, run the engine, never raise.

Every failure becomes a one-line `FileError` (exit code 2 at the end of the run); what a
frontend noticed without failing (a notebook cell skipped for a syntax error, an analysis
stopped early, stored weights disagreeing with the config) becomes a note on stderr.
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.engine import lint_program
from kerasfix.frontends import InputError, Program, read
from kerasfix.frontends.base import NoArchitecture
from kerasfix.limits import Deadline, FileTimeout, MemoryBound, memory_limit, time_limit
from kerasfix.results import FileError, FileOutcome, SourceText
from kerasfix.settings import Settings
from kerasfix.suppressions import should_skip_file


def check_file(path: Path, kind: str, settings: Settings) -> FileOutcome:
    """Lint one file; never raises (every failure becomes a one-line `FileError`)."""
    deadline, memory = Deadline(), MemoryBound()
    with memory_limit(bound=memory):
        outcome = _check_file(path, kind, settings, deadline, memory)
    if deadline.expired and outcome.error is not None:
        # The timeout may surface as another error (raised inside C code): say what it was.
        outcome.error = FileError(path.as_posix(), deadline.message)
    return outcome


def _check_file(
    path: Path, kind: str, settings: Settings, deadline: Deadline, memory: MemoryBound
) -> FileOutcome:
    display = path.as_posix()
    if kind in ("source", "notebook") and should_skip_file(path):
        return FileOutcome(skipped="'# kerasfix: skip-file'")
    try:
        with time_limit(deadline=deadline):
            program = read(path, kind)
            findings = lint_program(program, settings)
        source = SourceText(program.text, tuple(program.cells) if program.cells else None)
        return FileOutcome(
            findings,
            error=recovered_error(display, program),
            source=source,
            notes=[f"{display}: {note}" for note in program.notes],
            depends_on=program.depends_on,
        )
    except FileTimeout as exc:
        return FileOutcome(error=FileError(display, str(exc)))
    except NoArchitecture as exc:  # not bad input: a warning, and the run goes on
        reason = _one_line(str(exc), display)
        return FileOutcome(skipped=reason, notes=[f"{display}: {reason}; not linted"])
    except InputError as exc:
        return FileOutcome(error=FileError(display, _one_line(str(exc), display)))
    except RecursionError:
        return FileOutcome(error=FileError(display, "nesting too deep to analyse"))
    except MemoryError:
        return FileOutcome(error=FileError(display, memory.message()))
    except Exception as exc:  # an internal error must still be one line, never a traceback
        return FileOutcome(error=FileError(display, f"internal error: {type(exc).__name__}: {exc}"))


def recovered_error(display: str, program: Program) -> FileError | None:
    """A file analysed around its errors still reports them: the first, and how many more."""
    if not program.errors:
        return None
    more = len(program.errors) - 1
    tail = f" (and {more} more syntax error{'s' if more > 1 else ''})" if more else ""
    return FileError(display, f"{program.errors[0]}{tail}")


def _one_line(message: str, display: str) -> str:
    """One line without the path the `error: PATH:` prefix already shows (a leading
    `PATH:LINE:COL:` keeps `LINE:COL:`, printed as `PATH:LINE:COL:` like Ruff's)."""
    text = " ".join(message.split())
    for prefix in (f"{display}: ", f"{display}:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text
