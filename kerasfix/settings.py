"""Resolved settings for one run: which rules, which files, which thresholds.

Built from defaults, then configuration files, then command-line flags (see config.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kerasfix.checks.options import RuleOptions
from kerasfix.engine import ALL_RULES

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints",
    ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache",
    ".svn", ".tox", ".venv", ".vscode", "__pycache__", "__pypackages__", "_build", "buck-out",
    "dist", "node_modules", "site-packages", "venv",
)  # fmt: skip


@dataclass
class Settings:
    select: tuple[str, ...] = ALL_RULES
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    respect_gitignore: bool = True
    options: RuleOptions = field(default_factory=RuleOptions)

    def enabled_rules(self) -> tuple[str, ...]:
        return tuple(
            rule
            for rule in ALL_RULES
            if _matches(rule, self.select) and not _matches(rule, self.ignore)
        )


def _matches(rule: str, patterns: tuple[str, ...]) -> bool:
    """Ruff-style selectors: 'ALL', a full code, or a prefix such as 'KF'."""
    return any(p == "ALL" or rule.startswith(p) for p in patterns)
