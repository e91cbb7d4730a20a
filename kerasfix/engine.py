"""Run the registered rules over a layer graph, and the one way into that for a read file.

`lint_program` is the entry every caller uses (lint, the API, inspect, rewrite, the
editor server, IPython): the settings choose the rules and their options, and inline
suppression comments apply to whatever has source text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kerasfix.findings import Finding
from kerasfix.graph.inference import infer
from kerasfix.graph.model import Graph
from kerasfix.rule import Check, Rule
from kerasfix.rule_registry import all_rules, rule_codes
from kerasfix.suppressions import filter_findings

if TYPE_CHECKING:
    from kerasfix.frontends.base import Program
    from kerasfix.settings import Settings


def lint_program(program: Program, settings: Settings) -> list[Finding]:
    """Findings for one read file: rule selection and options (configuration, per-file
    ignores), then inline comments for files that have them."""
    findings = lint_graph(
        program.graph,
        path=program.path,
        selected=settings.enabled_rules(program.path),
        options=settings.rule_options,
    )
    if program.kind == "model":
        return findings  # a model file has no comments to read
    return filter_findings(findings, program.text, program.cells)


def lint_graph(
    graph: Graph,
    path: str = "",
    selected: Iterable[str] | None = None,
    options: dict[str, object] | None = None,
) -> list[Finding]:
    """Findings of the `selected` rules (default: all) for `graph` and every model nested in
    it, sorted. `options` maps a configuration table name to its options (default: each
    rule's defaults)."""
    wanted = set(rule_codes() if selected is None else selected)
    infer(graph)
    best: dict[object, Finding] = {}
    for check, rules in _checks(wanted):
        check_options = _options_for(rules[0], options)
        for prefix, sub in graph.walk():
            for finding in check(sub, check_options, prefix):
                if finding.rule not in wanted:
                    continue
                finding.path = path
                # The same place can be reached standalone and as part of an outer model:
                # of one check's findings there, keep the most informative (the rule's
                # `precedence`); another check's finding at the same place is kept too.
                key = (id(check), finding.span or finding.layer_path, finding.data.subject())
                current = best.get(key)
                if current is None or finding.data.precedence() > current.data.precedence():
                    best[key] = finding
    return sorted(best.values(), key=Finding.sort_key)


def _checks(wanted: set[str]) -> list[tuple[Check, list[Rule]]]:
    """Each check function once (rules may share one), with its rules, if any is wanted."""
    grouped: dict[int, tuple[Check, list[Rule]]] = {}
    for rule in all_rules():
        grouped.setdefault(id(rule.check), (rule.check, []))[1].append(rule)
    return [(check, rules) for check, rules in grouped.values() if wanted & {r.code for r in rules}]


def _options_for(rule: Rule, options: dict[str, object] | None) -> object:
    table = rule.options_table
    if table is None or rule.options is None:
        return None
    if options is not None and table in options:
        return options[table]
    return rule.options()
