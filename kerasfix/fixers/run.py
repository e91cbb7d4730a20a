"""Fix every file of a lint result, after the runner's selection, config and suppressions.

The findings given are exactly what the user would have seen; the result returned reports
what is left after fixing (re-linted from the fixed text), as Ruff reports "remaining".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kerasfix.findings import Finding
from kerasfix.fixers.apply import FileFix, fix_file, write
from kerasfix.fixers.policy import FixOptions, has_fix, should_fix, why_no_fix
from kerasfix.frontends import kind_of
from kerasfix.results import FileError, LintResult
from kerasfix.settings import Settings


@dataclass
class FixRun:
    files: list[FileFix] = field(default_factory=list)
    result: LintResult = field(default_factory=LintResult)
    needs_unsafe: list[Finding] = field(default_factory=list)  # fixes held back by policy
    unfixable: list[Finding] = field(default_factory=list)  # remaining, no fix exists

    @property
    def changed(self) -> list[FileFix]:
        return [f for f in self.files if f.changed]

    @property
    def abandoned(self) -> list[FileFix]:
        return [f for f in self.files if f.abandoned is not None]

    @property
    def fixed(self) -> list[Finding]:
        return [finding for f in self.changed for finding in f.fixed]


def _where(finding: Finding) -> str:
    """`path:line:col` (notebooks: `path:cell N:line:col`), as the text report prints it."""
    from kerasfix.reporters.text import location

    return location(finding)


def fix_result(
    result: LintResult,
    options: FixOptions,
    settings_for: Callable[[Path], Settings] | None = None,
    *,
    apply: bool = True,
) -> FixRun:
    """Fix (or with `apply=False`, only plan) every file holding a fixable finding."""
    settings_for = settings_for or (lambda _: Settings())
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_path.setdefault(finding.path, []).append(finding)
    run = FixRun()
    remaining: list[Finding] = []
    errors = list(result.errors)
    notes = list(result.notes)
    for path, findings in by_path.items():
        kind = kind_of(Path(path))
        if kind not in ("source", "notebook") or not any(should_fix(f, options) for f in findings):
            remaining.extend(findings)
            continue
        outcome = fix_file(
            path, kind, findings, options, settings_for(Path(path)), result.sources.get(path)
        )
        if apply and outcome.changed:
            try:
                write(outcome)
            except OSError as exc:
                errors.append(FileError(path, f"cannot write the fix: {exc.strerror or exc}"))
                outcome.abandoned = "not written"
                outcome.remaining = list(findings)
        if outcome.abandoned is not None and outcome.abandoned != "not written":
            notes.append(f"{path}: fix abandoned, file left untouched: {outcome.abandoned}")
        notes.extend(f"{path}: {note}" for note in outcome.notes if "not fixed" in note)
        run.files.append(outcome)
        remaining.extend(outcome.remaining)
    remaining.sort(key=Finding.sort_key)
    # Held back by policy and still there (a KF002 head of a Flatten fixed for its KF001
    # head went with it).
    run.needs_unsafe = [f for f in remaining if has_fix(f) and not should_fix(f, options)]
    for finding in remaining:  # say why each one left without a fix was not fixed
        reason = why_no_fix(finding)
        if reason is not None:
            run.unfixable.append(finding)
            notes.append(f"{_where(finding)}: {finding.rule} not fixed: {reason}")
    run.result = replace(result, findings=remaining, errors=errors, notes=notes)
    return run
