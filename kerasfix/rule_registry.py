"""The registry of rules: every `RULES` tuple of the modules in `kerasfix/checks/`.

Adding a rule is one check module declaring `RULES = (Rule(...),)` plus one page in
`rules/`: nothing else lists rule codes. The modules are found with `pkgutil` over the
package's path (collected once per process, in code order).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

import kerasfix.checks
from kerasfix.rule import Rule


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code; a code declared twice is a programming error."""
    found: dict[str, Rule] = {}
    for module_info in pkgutil.iter_modules(kerasfix.checks.__path__):
        module = importlib.import_module(f"kerasfix.checks.{module_info.name}")
        for rule in getattr(module, "RULES", ()):
            if not isinstance(rule, Rule):
                raise TypeError(f"kerasfix.checks.{module_info.name}.RULES holds {rule!r}")
            if rule.code in found:
                raise ValueError(f"rule {rule.code} is declared twice")
            found[rule.code] = rule
    return tuple(found[code] for code in sorted(found))


def rule_codes() -> tuple[str, ...]:
    return tuple(rule.code for rule in all_rules())


def get_rule(code: str) -> Rule | None:
    return next((rule for rule in all_rules() if rule.code == code), None)


@lru_cache(maxsize=1)
def prefilter_tokens() -> tuple[str, ...] | None:
    """The words a source file must contain one of to have any finding; None when some rule
    has no prefilter (then every file is analysed)."""
    tokens: list[str] = []
    for rule in all_rules():
        if not rule.prefilter:
            return None
        tokens.extend(token for token in rule.prefilter if token not in tokens)
    return tuple(tokens)


def options_types() -> dict[str, type]:
    """Configuration table name -> the options type read from it."""
    return {
        rule.options_table: rule.options
        for rule in all_rules()
        if rule.options is not None and rule.options_table is not None
    }
