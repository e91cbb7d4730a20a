"""Lint a set of paths: discover, read each file through its frontend, run the rules.

A file that cannot be read becomes one `FileError` (one line, exit code 2 at the end);
the other files are still linted. Settings may differ per file: a `config.Resolver`
gives each file the settings of its nearest configuration file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kerasfix.discovery import discover, is_excluded
from kerasfix.engine import lint_graph
from kerasfix.findings import Finding
from kerasfix.frontends import InputError, Program, read
from kerasfix.frontends.base import NoArchitecture
from kerasfix.limits import Deadline, FileTimeout, time_limit
from kerasfix.settings import Settings
from kerasfix.suppressions import filter_findings, should_skip_file

if TYPE_CHECKING:
    from kerasfix.config import Resolver


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
    note: str | None = None


def lint_program(program: Program, settings: Settings) -> list[Finding]:
    """Findings for one already-read file: rule selection, per-file ignores, inline comments."""
    findings = lint_graph(
        program.graph,
        options=settings.options,
        path=program.path,
        selected=settings.enabled_rules(program.path),
    )
    if program.kind == "model":
        return findings  # a model file has no comments to read
    return filter_findings(findings, program.text, program.cells)


def lint_file(path: Path, kind: str, settings: Settings) -> tuple[list[Finding], FileError | None]:
    outcome = check_file(path, kind, settings)
    return outcome.findings, outcome.error


def check_file(path: Path, kind: str, settings: Settings) -> FileOutcome:
    """Lint one file; never raises (every failure becomes a one-line `FileError`)."""
    deadline = Deadline()
    outcome = _check_file(path, kind, settings, deadline)
    if deadline.expired and outcome.error is not None:
        # The timeout may surface as another error (raised inside C code): say what it was.
        outcome.error = FileError(path.as_posix(), deadline.message)
    return outcome


def _check_file(path: Path, kind: str, settings: Settings, deadline: Deadline) -> FileOutcome:
    display = path.as_posix()
    if kind in ("source", "notebook") and should_skip_file(path):
        return FileOutcome(skipped="'# kerasfix: skip-file'")
    try:
        with time_limit(deadline=deadline):
            program = read(path, kind)
            findings = lint_program(program, settings)
        source = SourceText(program.text, tuple(program.cells) if program.cells else None)
        return FileOutcome(findings, error=_recovered_error(display, program), source=source)
    except FileTimeout as exc:
        return FileOutcome(error=FileError(display, str(exc)))
    except NoArchitecture as exc:  # not bad input: a warning, and the run goes on
        reason = _one_line(str(exc), display)
        return FileOutcome(skipped=reason, note=f"{display}: {reason}; not linted")
    except InputError as exc:
        return FileOutcome(error=FileError(display, _one_line(str(exc), display)))
    except ImportError as exc:
        if kind == "model" and (exc.name or "").startswith("kerasfix.frontends.saved_model"):
            # The saved-model reader ships separately; until it does, a model file is
            # skipped with a note rather than failing a pre-commit hook.
            reason = "model files are not readable by this kerasfix version"
            return FileOutcome(skipped=reason, note=f"{display}: skipped: {reason}")
        return FileOutcome(error=FileError(display, f"internal error: {type(exc).__name__}: {exc}"))
    except RecursionError:
        return FileOutcome(error=FileError(display, "nesting too deep to analyse"))
    except MemoryError:
        return FileOutcome(error=FileError(display, "too large to analyse in memory"))
    except Exception as exc:  # an internal error must still be one line, never a traceback
        return FileOutcome(error=FileError(display, f"internal error: {type(exc).__name__}: {exc}"))


def _recovered_error(display: str, program: Program) -> FileError | None:
    """A file analysed around its errors still reports them: the first, and how many more."""
    if not program.errors:
        return None
    more = len(program.errors) - 1
    tail = f" (and {more} more syntax error{'s' if more > 1 else ''})" if more else ""
    return FileError(display, f"{program.errors[0]}{tail}")


def lint_paths(
    paths: Iterable[Path],
    settings: Settings | None = None,
    *,
    resolver: Resolver | None = None,
    force_exclude: bool = False,
    cache_dir: Path | None = None,
    jobs: int = 1,
) -> LintResult:
    """Lint every file under `paths`.

    With a `resolver`, each file gets the settings of its nearest configuration file;
    otherwise `settings` (default: built-in defaults) applies to all. Files named
    explicitly are linted even when excluded, unless `force_exclude` (for pre-commit).
    `cache_dir` reuses results of unchanged files (kerasfix/cache.py); `jobs` > 1 checks
    large inputs across processes (kerasfix/parallel.py). Neither changes the result.
    """
    if resolver is None:
        fixed = settings or Settings()

        def settings_for(_: Path) -> Settings:
            return fixed
    else:
        settings_for = resolver.settings_for

    result = LintResult()
    seen: set[Path] = set()
    todo: list[tuple[Path, str, Settings]] = []
    for root in paths:
        root_settings = settings_for(root)
        # A directory the user names is linted even inside an excluded area (like Ruff:
        # `kerasfix lint .venv/lib/.../keras/src` works); excludes below it still apply.
        inside_excluded = root.is_dir() and _excluded(root, root_settings)
        for path, kind in discover([root], root_settings):
            if path in seen:
                continue
            seen.add(path)
            file_settings = settings_for(path)
            explicit = path == root
            if explicit:
                if force_exclude and _excluded(path, file_settings):
                    continue
            elif not inside_excluded and _excluded(path, file_settings):
                continue
            todo.append((path, kind, file_settings))
    for (path, _, _), outcome in zip(todo, _check_all(todo, cache_dir, jobs), strict=True):
        display = path.as_posix()
        if outcome.skipped is not None:
            result.skipped.append(FileError(display, f"skipped: {outcome.skipped}"))
            if outcome.note:
                result.notes.append(outcome.note)
            continue
        result.files_checked += 1
        result.files.append(display)
        result.findings.extend(outcome.findings)
        if outcome.source is not None:
            result.sources[display] = outcome.source
        if outcome.error is not None:
            result.errors.append(outcome.error)
    result.findings.sort(key=Finding.sort_key)
    return result


def _check_all(
    todo: list[tuple[Path, str, Settings]], cache_dir: Path | None, jobs: int
) -> list[FileOutcome]:
    """Outcomes in `todo` order: from the cache where the file is unchanged, else checked."""
    if cache_dir is None:
        if jobs <= 1:
            return [check_file(path, kind, settings) for path, kind, settings in todo]
        from kerasfix.parallel import check_files

        return check_files(todo, jobs)
    from kerasfix.cache import CACHED_KINDS, ResultCache, content_digest, settings_key
    from kerasfix.parallel import check_files, portable

    cache = ResultCache(cache_dir)
    outcomes: list[FileOutcome | None] = [None] * len(todo)
    keys: dict[int, tuple[str, str, str]] = {}
    missing: list[int] = []
    for index, (path, kind, settings) in enumerate(todo):
        if kind in CACHED_KINDS:
            try:
                digest = content_digest(path.read_bytes())
            except OSError:
                missing.append(index)  # check_file reports the unreadable file
                continue
            display = path.as_posix()
            key = settings_key(settings, display)
            outcomes[index] = cache.get(display, key, digest)
            keys[index] = (display, key, digest)
        if outcomes[index] is None:
            missing.append(index)
    checked = check_files([todo[i] for i in missing], jobs)
    for index, outcome in zip(missing, checked, strict=True):
        outcome = portable(outcome)  # what the cache can hold, so hits and misses agree
        outcomes[index] = outcome
        internal = outcome.error is not None and "internal error" in outcome.error.message
        if index in keys and not internal:
            cache.put(*keys[index], outcome)
    cache.save()
    return [outcome for outcome in outcomes if outcome is not None]


def _excluded(path: Path, settings: Settings) -> bool:
    return is_excluded(path, settings) or settings.excludes(path)


def _one_line(message: str, display: str) -> str:
    """One line without the path the `error: PATH:` prefix already shows (a leading
    `PATH:LINE:COL:` keeps `LINE:COL:`, printed as `PATH:LINE:COL:` like Ruff's)."""
    text = " ".join(message.split())
    for prefix in (f"{display}: ", f"{display}:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text
