"""`kerasfix lint`: lint source files, notebooks and saved models.

The command is three steps, kept apart so flags such as `--fix` can slot in: resolve
settings (config files + flags), lint, then report and choose the exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from kerasfix.commands.fix_options import FixRequest, apply_fixes, fix_options
from kerasfix.reporters import FORMATS

if TYPE_CHECKING:
    from kerasfix.config import Resolver
    from kerasfix.findings import Finding
    from kerasfix.results import LintResult


class ConfigUsageError(click.ClickException):
    """Bad configuration or flags: one line on stderr, exit 2 (as Ruff)."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def rule_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by commands that select rules and files (lint, and later fix)."""
    decorators = [
        click.option(
            "--select", default=None, help="Comma-separated rule codes or prefixes to enable."
        ),
        click.option(
            "--ignore", default=None, help="Comma-separated rule codes or prefixes to disable."
        ),
        click.option(
            "--exclude",
            default=None,
            help="Comma-separated globs to exclude (replaces the configured list).",
        ),
        click.option(
            "--extend-exclude", default=None, help="Comma-separated globs to exclude in addition."
        ),
        click.option(
            "--per-file-ignores",
            multiple=True,
            metavar="GLOB:CODES",
            help="Ignore CODES (comma-separated) in files matching GLOB; repeatable.",
        ),
        click.option(
            "--respect-gitignore/--no-respect-gitignore",
            default=None,
            help="Skip files ignored by .gitignore (default: yes).",
        ),
        click.option(
            "--force-exclude",
            is_flag=True,
            help="Apply excludes even to files named on the command line (for pre-commit).",
        ),
        click.option(
            "--config",
            "config",
            multiple=True,
            metavar="PATH|TOML",
            help="A config file to use for every path, or a 'key = value' override; repeatable.",
        ),
        click.option("--isolated", is_flag=True, help="Ignore all configuration files."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


# The formats `--statistics` writes its counts in (write_statistics).
STATISTICS_FORMATS = ("text", "json", "json-lines")


@click.command(short_help="Lint source files, notebooks and saved models (default: cwd).")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output-format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    envvar="KERASFIX_OUTPUT_FORMAT",
    show_envvar=True,
    help="How findings are printed.",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="KERASFIX_OUTPUT_FILE",
    help="Write the report to this file instead of stdout.",
)
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead.")
@rule_options
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option(
    "--fail-level",
    type=click.Choice(["info", "warning", "error"]),
    default=None,
    help="Exit 1 only for findings at least this severe (default: info, every finding; "
    "config key: fail-level).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Re-analyse every file instead of reusing results in .kerasfix_cache/ in the "
    "project root "
    "(also KERASFIX_NO_CACHE=1).",
)
@fix_options
def lint(
    paths: tuple[Path, ...],
    output_format: str,
    output_file: Path | None,
    statistics: bool,
    exit_zero: bool,
    fail_level: str | None,
    force_exclude: bool,
    no_cache: bool,
    fixes: FixRequest,
    **selection: Any,
) -> int:
    """Lint PATHS (files or directories; default: the current directory)."""
    from kerasfix.results import FileError
    from kerasfix.runner import lint_paths

    if statistics and output_format not in STATISTICS_FORMATS:
        # Counts have no SARIF/GitHub/GitLab/JUnit form: printing text instead would feed a
        # CI upload something it cannot read.
        raise ConfigUsageError(
            f"--statistics prints counts as text or JSON (--output-format "
            f"{', '.join(STATISTICS_FORMATS)}), not as {output_format}"
        )
    resolver = make_resolver(**selection, fail_level=fail_level)
    missing = [p for p in paths if not p.exists()]
    existing = [p for p in paths if p.exists()] or ([] if paths else [Path(".")])
    try:
        result = lint_paths(
            existing, resolver=resolver, force_exclude=force_exclude, **_speedups(no_cache)
        )
    except _config_error() as exc:
        raise ConfigUsageError(str(exc)) from exc
    # A missing path is an error like an unreadable file: no "All checks passed" after it.
    result.errors[:0] = [FileError(p.as_posix(), "no such file or directory") for p in missing]
    if not (result.files or result.skipped or result.errors or result.notes or missing):
        # As Ruff does: an empty run is worth saying, not only "All checks passed (0 files)".
        click.echo(
            "warning: no Python files, notebooks or Keras model files found under the given "
            "path(s)",
            err=True,
        )
    result, done = apply_fixes(fixes, result, resolver, missing=bool(missing), exit_zero=exit_zero)
    if done is not None:  # --diff: the diff was the output
        return done
    write_report(result, output_format, output_file, statistics)
    return exit_code(result, bool(missing), exit_zero, resolver)


def _speedups(no_cache: bool) -> dict[str, Any]:
    """Cache and process pool: findings are plain data (no graph nodes), so `--fix` and
    `--diff` work from cached or pooled results as well as fresh ones."""
    from kerasfix.parallel import default_jobs

    if no_cache:  # the cache module is not even imported (start-up of a one-file run)
        return {"cache_dir": None, "jobs": default_jobs()}
    from kerasfix.cache import cache_disabled_by_env, default_cache_dir

    disabled = cache_disabled_by_env()
    return {"cache_dir": None if disabled else default_cache_dir(), "jobs": default_jobs()}


def make_resolver(
    select: str | None,
    ignore: str | None,
    exclude: str | None,
    extend_exclude: str | None,
    per_file_ignores: tuple[str, ...],
    respect_gitignore: bool | None,
    config: tuple[str, ...],
    isolated: bool,
    fail_level: str | None = None,
) -> Resolver:
    """Settings source for the run: config files (or --config/--isolated) under the flags."""
    from kerasfix.config import ConfigError, Overrides, Resolver, is_selector, parse_inline

    try:
        overrides = Overrides(
            select=_codes(select, "--select", is_selector),
            ignore=_codes(ignore, "--ignore", is_selector),
            exclude=_globs(exclude),
            extend_exclude=_globs(extend_exclude) or (),
            per_file_ignores=_per_file(per_file_ignores, is_selector),
        )
        overrides.respect_gitignore = respect_gitignore
        overrides.fail_level = fail_level
        config_file: Path | None = None
        inline: dict[str, Any] = {}
        for value in config:
            if Path(value).is_file():
                if config_file is not None:
                    raise ConfigError("--config: only one configuration file may be given")
                config_file = Path(value)
            else:
                _merge(inline, parse_inline(value))
        if isolated and config_file is not None:
            raise ConfigError("--config PATH and --isolated cannot be used together")
        return Resolver(overrides, config=config_file, isolated=isolated, inline=inline)
    except ConfigError as exc:
        raise ConfigUsageError(str(exc)) from exc


def write_report(
    result: LintResult, output_format: str, output_file: Path | None, statistics: bool
) -> None:
    from kerasfix.reporters import get_reporter

    try:
        context = (
            output_file.open("w", encoding="utf-8", newline="\n")
            if output_file is not None
            else nullcontext(sys.stdout)
        )
    except OSError as exc:
        raise ConfigUsageError(
            f"--output-file: cannot write {output_file}: {exc.strerror}"
        ) from exc
    with context as stream:
        if statistics:
            write_statistics(result, output_format, stream)
        else:
            get_reporter(output_format)(result, stream)
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)


def write_statistics(result: LintResult, output_format: str, stream: TextIO) -> None:
    """Counts per rule, most frequent first (Ruff's `--statistics`)."""
    import json
    from collections import Counter

    from kerasfix.catalogue import get

    counts = Counter(finding.rule for finding in result.findings)
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        doc = get(code)
        rows.append({"code": code, "name": doc.name if doc else "", "count": count})
    if output_format in ("json", "json-lines"):
        json.dump(rows, stream, indent=2)
        stream.write("\n")
        return
    width = max((len(str(row["count"])) for row in rows), default=1)
    for row in rows:
        stream.write(f"{row['count']:>{width}}\t{row['code']}\t{row['name']}\n")


def exit_code(
    result: LintResult, missing: bool, exit_zero: bool, resolver: Resolver | None = None
) -> int:
    """2 on errors; 1 when a finding reaches its file's `fail-level`; else 0."""
    if missing or result.errors:
        return 2
    if not exit_zero and any(_fails(finding, resolver) for finding in result.findings):
        return 1
    return 0


def _fails(finding: Finding, resolver: Resolver | None) -> bool:
    from kerasfix.findings import Severity

    level = resolver.settings_for(Path(finding.path)).fail_level if resolver else "info"
    return finding.severity.rank >= Severity(level).rank


def _config_error() -> type[Exception]:
    from kerasfix.config import ConfigError

    return ConfigError


def _codes(text: str | None, flag: str, valid: Callable[[str], bool]) -> tuple[str, ...] | None:
    if text is None:
        return None
    codes = tuple(code.strip().upper() for code in text.split(",") if code.strip())
    from kerasfix.config import ConfigError

    for code in codes:
        if not valid(code):
            raise ConfigError(f"{flag}: unknown rule selector '{code}'")
    return codes


def _globs(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(glob.strip() for glob in text.split(",") if glob.strip())


def _per_file(
    values: tuple[str, ...], valid: Callable[[str], bool]
) -> dict[str, tuple[str, ...]] | None:
    from kerasfix.config import ConfigError

    if not values:
        return None
    table: dict[str, tuple[str, ...]] = {}
    for value in values:
        glob, sep, codes = value.rpartition(":")
        if not sep or not glob:
            raise ConfigError(f"--per-file-ignores: expected GLOB:CODES, got '{value}'")
        table[glob] = _codes(codes, "--per-file-ignores", valid) or ()
    return table


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
