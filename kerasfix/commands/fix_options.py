"""`--fix`, `--diff`, `--unsafe-fixes`, `--pooling`, `--show-fixes` for `kerasfix lint`.

The options arrive in the command as one `FixRequest` (`fixes=`), and `apply_fixes` runs
between linting and reporting, so the command itself needs only a decorator and one call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from kerasfix.config import Resolver
    from kerasfix.results import LintResult


@dataclass(frozen=True)
class FixRequest:
    fix: bool = False
    diff: bool = False
    unsafe_fixes: bool = False
    pooling: str = "avg"
    show_fixes: bool = False

    @property
    def active(self) -> bool:
        return self.fix or self.diff


def fix_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add the fix options; the command receives them as `fixes: FixRequest`."""

    @functools.wraps(function)
    def command(
        *args: Any,
        fix: bool,
        diff: bool,
        unsafe_fixes: bool,
        pooling: str,
        show_fixes: bool,
        **kwargs: Any,
    ) -> Any:
        request = FixRequest(fix, diff, unsafe_fixes, pooling, show_fixes)
        return function(*args, fixes=request, **kwargs)

    decorators = [
        click.option(
            "--fix",
            is_flag=True,
            help="Replace each KF001 Flatten with global pooling, in place (retrain afterwards).",
        ),
        click.option(
            "--diff",
            is_flag=True,
            help="Print the fixes as a unified diff and write nothing (exit 1 if any).",
        ),
        click.option(
            "--unsafe-fixes",
            is_flag=True,
            help="Also fix KF002 findings, where the size (and so the saving) is unknown.",
        ),
        click.option(
            "--pooling",
            type=click.Choice(["avg", "max"]),
            default="avg",
            show_default=True,
            help="Replacement layer: GlobalAveragePooling or GlobalMaxPooling.",
        ),
        click.option("--show-fixes", is_flag=True, help="List every fix applied (or previewed)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def apply_fixes(
    request: FixRequest,
    result: LintResult,
    resolver: Resolver | None,
    *,
    missing: bool = False,
    exit_zero: bool = False,
) -> tuple[LintResult, int | None]:
    """Run the fixes the request asks for.

    Returns the result to report (the findings left after `--fix`) and, for `--diff`, the
    exit code: the command is then done, as Ruff's `--diff` prints no findings.
    """
    if not request.active:
        return result, None
    from kerasfix.fixers.policy import FixOptions
    from kerasfix.fixers.report import show_fixes, summary
    from kerasfix.fixers.run import fix_result

    options = FixOptions(pooling=request.pooling, unsafe_fixes=request.unsafe_fixes)
    settings_for = resolver.settings_for if resolver is not None else None
    run = fix_result(result, options, settings_for, apply=not request.diff)
    if request.diff:
        for outcome in run.changed:
            click.echo(outcome.diff, nl=False)
        for note in run.result.notes[len(result.notes) :]:
            click.echo(f"warning: {note}", err=True)
        for error in run.result.errors:
            click.echo(f"error: {error}", err=True)
    lines = (show_fixes(run, request.pooling) if request.show_fixes else []) + summary(
        run, preview=request.diff
    )
    for line in lines:
        click.echo(line, err=True)
    if not request.diff:
        return run.result, None
    if missing or run.result.errors:
        return run.result, 2
    return run.result, 1 if run.changed and not exit_zero else 0
