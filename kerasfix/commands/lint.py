"""`kerasfix lint`: lint source files, notebooks and saved models."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kerasfix.reporters import FORMATS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output-format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="How findings are printed.",
)
@click.option("--select", default=None, help="Comma-separated rule codes or prefixes to enable.")
@click.option("--ignore", default=None, help="Comma-separated rule codes or prefixes to disable.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
def lint(
    paths: tuple[Path, ...],
    output_format: str,
    select: str | None,
    ignore: str | None,
    exit_zero: bool,
) -> int:
    """Lint PATHS (files or directories; default: the current directory)."""
    from kerasfix.reporters import get_reporter
    from kerasfix.runner import lint_paths
    from kerasfix.settings import Settings

    settings = Settings()
    if select:
        settings.select = _codes(select)
    if ignore:
        settings.ignore = _codes(ignore)
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        click.echo(f"error: {path}: no such file or directory", err=True)
    result = lint_paths(
        [p for p in paths if p.exists()] or ([] if paths else [Path(".")]), settings
    )
    get_reporter(output_format)(result, sys.stdout)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if missing or result.errors:
        return 2
    if result.findings and not exit_zero:
        return 1
    return 0


def _codes(text: str) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in text.split(",") if code.strip())
