"""What a rule is: one `Rule` per code, declared by the check module that finds it.

A check module in `kerasfix/checks/` lists its rules in a module-level `RULES` tuple; the
registry (rule_registry.py) collects them, and everything that needs to know the rules
(the engine, configuration, fix policy, the catalogue tests) asks the registry. Several
rules may share one check function (KF001 and KF002 are one pattern, with and without
known sizes): the engine runs each check once and keeps the findings of selected rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from kerasfix.findings import Finding, RuleData
from kerasfix.graph.model import Graph

# check(graph, options, prefix): findings for one graph (nested graphs are walked by the
# engine, `prefix` naming the models around it). `options` is an instance of the rule's
# options type, or None for a rule without options.
Check = Callable[[Graph, Any, tuple[str, ...]], Iterable[Finding]]

FixAvailability = Literal["always", "sometimes", "never"]
FixSafety = Literal["safe", "unsafe", "display-only"]


@dataclass(frozen=True)
class Rule:
    """One rule: its identity, how it is checked and configured, and how it is fixed.

    `options` is a frozen dataclass with defaults; its `TABLE` class attribute names the
    configuration table (`[tool.kerasfix.<TABLE>]`) whose keys are its fields with dashes.
    `prefilter`: words at least one of which a source file must contain to have findings
    of this rule (cheap text test before any parsing); empty means "every file".
    `fix_applied_by`: "--fix" or "--unsafe-fixes" (Ruff's safe/unsafe split); the rule's
    page in `rules/<code>.md` documents the same, and a test holds the two together.
    """

    code: str
    name: str
    check: Check
    options: type | None = None
    prefilter: tuple[str, ...] = ()
    fix: FixAvailability = "never"
    fix_safety: FixSafety = "unsafe"
    fix_applied_by: Literal["--fix", "--unsafe-fixes"] = "--unsafe-fixes"
    data: type[RuleData] = RuleData  # the type of its findings' `data` (decoded by the cache)

    @property
    def page_name(self) -> str:
        """The rule's documentation page, in `rules/` (a checkout) or `kerasfix/_catalogue`."""
        return f"{self.code}.md"

    @property
    def options_table(self) -> str | None:
        return getattr(self.options, "TABLE", None) if self.options is not None else None
