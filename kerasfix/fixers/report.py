"""What a fix run tells the user (stderr), in Ruff's words where Ruff has them."""

from __future__ import annotations

from collections import Counter

from kerasfix.findings import Finding
from kerasfix.fixers.policy import replacement
from kerasfix.fixers.run import FixRun

RETRAIN = (
    "The fixed models have a different architecture: retrain them "
    "(weights saved before the fix no longer fit the Dense layers after the pooling)."
)


def summary(run: FixRun, *, preview: bool) -> list[str]:
    """A few lines: how many findings were (or would be) fixed, and what that means."""
    lines: list[str] = []
    fixed = run.fixed
    files = len(run.changed)
    if fixed:
        verb = "Would fix" if preview else "Fixed"
        by_rule = ", ".join(
            f"{rule}: {n}" for rule, n in sorted(Counter(f.rule for f in fixed).items())
        )
        lines.append(
            f"{verb} {_count(len(fixed), 'finding')} in {_count(files, 'file')} ({by_rule})."
        )
        lines.append(RETRAIN)
    elif not run.abandoned:
        lines.append("No fixes to apply." if not preview else "No fixes would be applied.")
    if run.needs_unsafe:
        n = len(run.needs_unsafe)
        lines.append(
            f"{_count(n, 'more fix', 'more fixes')} available with `--unsafe-fixes` "
            "(KF002: the parameter saving is not known statically)."
        )
    if run.unfixable:
        n = len(run.unfixable)
        lines.append(
            f"{_count(n, 'remaining finding')} {'has' if n == 1 else 'have'} no automatic fix "
            "(each `not fixed` warning says why)."
        )
    return lines


def show_fixes(run: FixRun, pooling: str = "avg") -> list[str]:
    """`--show-fixes`: one line per fixed finding."""
    lines = []
    for outcome in run.changed:
        for finding in outcome.fixed:
            lines.append(f"{_where(finding)}: {finding.rule} {_what(finding, pooling)}")
        lines.extend(f"{outcome.path}: {note}" for note in outcome.notes)
    return lines


def _where(finding: Finding) -> str:
    cell = f"cell {finding.cell}:" if finding.cell else ""
    return f"{finding.path}:{cell}{finding.line}:{finding.column}"


def _what(finding: Finding, pooling: str) -> str:
    change = f"Flatten -> {replacement(finding, pooling)}"
    facts = finding.data.report()
    flat, pooled = facts.get("params_flatten"), facts.get("params_pooling")
    per_unit = facts.get("params_flatten_per_unit"), facts.get("params_pooling_per_unit")
    if flat is not None and pooled is not None:
        change += f" (Dense parameters {flat:,} -> {pooled:,})"
    elif None not in per_unit:  # KF002 with the Dense width unknown
        change += f" (Dense parameters per unit {per_unit[0]:,} -> {per_unit[1]:,})"
    return change


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
