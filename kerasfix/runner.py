"""Lint a set of paths: discover, check each file (file_check.py), gather one result.

A file that cannot be read becomes one `FileError` (one line, exit code 2 at the end);
the other files are still linted. Settings may differ per file: a `config.Resolver`
gives each file the settings of its nearest configuration file. Unchanged files come from
the cache (cache.py) and large runs are spread over processes (parallel.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kerasfix.discovery import discover, is_excluded
from kerasfix.file_check import check_file
from kerasfix.findings import Finding
from kerasfix.parallel import check_files, portable
from kerasfix.results import FileError, FileOutcome, LintResult
from kerasfix.settings import Settings

if TYPE_CHECKING:
    from kerasfix.config import Resolver


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
            result.notes.extend(outcome.notes)
            continue
        result.files_checked += 1
        result.files.append(display)
        result.findings.extend(outcome.findings)
        result.notes.extend(outcome.notes)
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
        return check_files(todo, jobs)
    # Only a cached run pays for the cache's imports (hashlib, json): not `--no-cache`.
    from kerasfix.cache import CACHED_KINDS, ResultCache, content_digest, settings_key

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
