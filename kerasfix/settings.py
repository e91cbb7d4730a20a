"""Resolved settings for one run: which rules, which files, which thresholds.

Built from defaults, then configuration files, then command-line flags (see config.py).
A `Settings` also remembers where its configuration lives (`project_root`), because
`exclude` and `per-file-ignores` globs are relative to that directory, as in Ruff.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kerasfix.rule_registry import options_types, rule_codes

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints",
    ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache",
    ".svn", ".tox", ".venv", ".vscode", "__pycache__", "__pypackages__", "_build", "buck-out",
    "dist", "node_modules", "site-packages", "venv",
)  # fmt: skip


def default_rule_options() -> dict[str, object]:
    """Each registered options type at its defaults, by configuration table."""
    return {table: options() for table, options in options_types().items()}


@dataclass
class Settings:
    select: tuple[str, ...] = field(default_factory=rule_codes)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    respect_gitignore: bool = True
    # Each rule's options, by configuration table (`kf001`): the registry's defaults unless
    # configured.
    rule_options: dict[str, object] = field(default_factory=default_rule_options)
    # The least severe finding that makes `lint` exit 1 ("info": every finding does).
    fail_level: str = "info"
    # Folders (relative to the config file) where the project's modules are found for
    # `from config import X` (the source frontend reads them: project_files.py); here so a
    # changed `src` changes the result cache's key.
    src: tuple[str, ...] = ()
    # The directory globs are relative to (the config file's directory; None: the cwd).
    project_root: Path | None = None
    # The file these settings came from, for messages (None: defaults or --isolated).
    config_path: Path | None = None

    def enabled_rules(self, path: str | os.PathLike[str] | None = None) -> tuple[str, ...]:
        """Selected rules minus ignored ones, minus `per-file-ignores` matching `path`."""
        ignored = self.ignore + (self.ignores_for(path) if path is not None else ())
        return tuple(
            rule
            for rule in rule_codes()
            if _matches(rule, self.select) and not _matches(rule, ignored)
        )

    def options_for(self, table: str) -> object:
        """The options read from `[tool.kerasfix.<table>]` (defaults when not configured)."""
        return self.rule_options[table]

    def ignores_for(self, path: str | os.PathLike[str]) -> tuple[str, ...]:
        """Rule selectors `per-file-ignores` switches off for `path`."""
        if not self.per_file_ignores:
            return ()
        rel, name = self._relative(path), Path(path).name
        found: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if _glob_match(rel, name, pattern):
                found.extend(codes)
        return tuple(found)

    def excludes(self, path: str | os.PathLike[str]) -> bool:
        """Whether `exclude`/`extend-exclude` (anchored at `project_root`) match `path`.

        Paths outside the project are left to discovery's own name-based check.
        """
        rel = self._relative(path)
        if rel.startswith("/"):
            return False
        parts = rel.split("/")
        if FOLD_CASE:
            parts = [os.path.normcase(part) for part in parts]
        name_regex, path_patterns = exclude_globs(self.exclude + self.extend_exclude)
        if name_regex is not None and any(name_regex.match(part) for part in parts):
            return True
        for pattern in path_patterns:
            # A pattern naming a path matches it and everything below it.
            for depth in range(1, len(parts) + 1):
                if _glob_match("/".join(parts[:depth]), "", pattern):
                    return True
        return False

    def _relative(self, path: str | os.PathLike[str]) -> str:
        root = os.path.abspath(self.project_root or os.getcwd())
        absolute = os.path.abspath(path)
        rel = os.path.relpath(absolute, root)
        return (absolute if rel.startswith("..") else rel).replace(os.sep, "/")


FOLD_CASE = os.path.normcase("A") != "A"  # Windows: path names compare case-insensitively


@functools.lru_cache(maxsize=64)
def exclude_globs(patterns: tuple[str, ...]) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    """Slash-free globs folded into one regex matched against each path part (every file is
    tested, so one regex beats a loop of fnmatch calls); globs naming a path, kept apart.

    Where the platform folds case, match parts through `os.path.normcase` too.
    """
    names = [p.strip("/") for p in patterns if "/" not in p.strip("/")]
    if FOLD_CASE:
        names = [os.path.normcase(p) for p in names]
    paths = tuple(p for p in patterns if "/" in p.strip("/"))
    regex = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in names)) if names else None
    return regex, paths


def _glob_match(rel: str, name: str, pattern: str) -> bool:
    """Ruff-style globs: with a slash, match the project-relative path; without, the name."""
    pattern = pattern.removeprefix("./")
    if "/" in pattern:
        return fnmatch.fnmatchcase(rel, pattern.lstrip("/"))
    return fnmatch.fnmatchcase(name or rel.rsplit("/", 1)[-1], pattern)


def _matches(rule: str, patterns: tuple[str, ...]) -> bool:
    """Ruff-style selectors: 'ALL', a full code, or a prefix such as 'KF'."""
    return any(p == "ALL" or rule.startswith(p) for p in patterns)
