"""Find the files to lint: recurse into directories, skip excluded and git-ignored paths."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kerasfix.frontends import is_savedmodel_dir, kind_of
from kerasfix.settings import FOLD_CASE, Settings, exclude_globs

if TYPE_CHECKING:
    import pathspec


def discover(paths: list[Path], settings: Settings) -> Iterator[tuple[Path, str]]:
    """Yield (path, kind) for every lintable file under `paths`, in a stable order.

    Paths named explicitly are always linted (like Ruff without --force-exclude); files
    found by recursion obey `exclude`, `extend-exclude` and `.gitignore`.
    """
    seen: set[Path] = set()
    for root in paths:
        if root.is_dir() and not is_savedmodel_dir(root):
            yield from _walk(root, settings, seen)
            continue
        kind = kind_of(root) or ("source" if root.exists() and not root.is_dir() else None)
        if root not in seen:
            seen.add(root)
            yield root, kind or "source"


def is_excluded(path: Path, settings: Settings) -> bool:
    """Whether a name glob matches a part of `path`, or a path glob matches `path`."""
    name_regex, path_patterns = exclude_globs(settings.exclude + settings.extend_exclude)
    parts = [os.path.normcase(p) for p in path.parts] if FOLD_CASE else path.parts
    if name_regex is not None and any(name_regex.match(part) for part in parts):
        return True
    for pattern in path_patterns:
        if fnmatch.fnmatch(path.as_posix(), pattern) or fnmatch.fnmatch(
            path.as_posix(), f"*/{pattern.strip('/')}"
        ):
            return True
    return False


def _walk(root: Path, settings: Settings, seen: set[Path]) -> Iterator[tuple[Path, str]]:
    ignores: list[tuple[str, pathspec.PathSpec]] = []
    if settings.respect_gitignore:
        ignores = _parent_gitignores(root)
        if _ignored_with_parents(os.path.abspath(root), ignores):
            ignores = []  # the user named an ignored directory: lint it, as Ruff does
    yield from _walk_dir(root, os.path.abspath(root), settings, seen, ignores, root)


def _walk_dir(
    directory: Path,
    absolute: str,
    settings: Settings,
    seen: set[Path],
    ignores: list[tuple[str, pathspec.PathSpec]],
    root: Path,
) -> Iterator[tuple[Path, str]]:
    if settings.respect_gitignore:
        spec = _read_gitignore(directory / ".gitignore")
        if spec is not None:
            ignores = [*ignores, (absolute, spec)]
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        entry_abs = os.path.join(absolute, entry.name)
        is_dir = entry.is_dir(follow_symlinks=False)
        # Only what lies below the walked root can be excluded here, never its ancestors.
        if is_excluded(path.relative_to(root), settings):
            continue
        if _ignored(entry_abs, is_dir, ignores):
            continue
        if is_dir:
            if (path / "pyvenv.cfg").exists():
                continue  # a virtual environment under any name
            if is_savedmodel_dir(path):
                if path not in seen:
                    seen.add(path)
                    yield path, "model"
                continue
            yield from _walk_dir(path, entry_abs, settings, seen, ignores, root)
        elif entry.is_file():
            kind = kind_of(path)
            if kind is not None and path not in seen:
                seen.add(path)
                yield path, kind


def _ignored(absolute: str, is_dir: bool, ignores: list[tuple[str, pathspec.PathSpec]]) -> bool:
    for base, spec in ignores:
        rel = os.path.relpath(absolute, base).replace(os.sep, "/")
        if rel.startswith(".."):
            continue
        if spec.match_file(rel + ("/" if is_dir else "")):
            return True
    return False


def _ignored_with_parents(absolute: str, ignores: list[tuple[str, pathspec.PathSpec]]) -> bool:
    path = absolute
    while True:
        if _ignored(path, True, ignores):
            return True
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent


def _read_gitignore(path: Path) -> pathspec.PathSpec | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import pathspec  # lazily: 20-50 ms of start-up that a run without .gitignore never needs

    return pathspec.PathSpec.from_lines("gitwildmatch", lines)


def _parent_gitignores(root: Path) -> list[tuple[str, pathspec.PathSpec]]:
    """.gitignore files above `root`, up to the repository top, so `lint src/` obeys them."""
    found: list[tuple[str, pathspec.PathSpec]] = []
    start = Path(os.path.abspath(root))
    for parent in start.parents:
        spec = _read_gitignore(parent / ".gitignore")
        if spec is not None:
            found.append((str(parent), spec))
        if (parent / ".git").exists():
            break
    return list(reversed(found))
