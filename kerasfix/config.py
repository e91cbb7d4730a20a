"""Configuration files: `[tool.kerasfix]` in pyproject.toml, or the same keys in kerasfix.toml.

Discovery follows Ruff: for each linted path the nearest configuration file up the tree
wins, with no merging between files; in one directory `kerasfix.toml` beats
`pyproject.toml`, and a pyproject.toml without `[tool.kerasfix]` is skipped. Globs are
relative to the directory of the file that defines them. Command-line flags are applied on
top of whichever file was found. Any unknown key or bad value is a `ConfigError` (exit 2).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kerasfix.rule_registry import options_types, rule_codes
from kerasfix.settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_NAMES: tuple[str, ...] = ("kerasfix.toml", "pyproject.toml")  # precedence order
LIST_KEYS = ("select", "ignore", "exclude", "extend-exclude")
# `src`: folders where the project's own modules are found for `from config import X`
# (as Ruff's `src`; default the project root and `root/src`), read by project_files.py.
GENERAL_KEYS = frozenset({*LIST_KEYS, "src", "per-file-ignores", "respect-gitignore", "fail-level"})
FAIL_LEVELS = ("info", "warning", "error")


class ConfigError(Exception):
    """A configuration problem, reported as one line naming the file and the key."""


@dataclass
class Overrides:
    """What the command line says; `None` means 'not given, use the file'."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] | None = None
    respect_gitignore: bool | None = None
    fail_level: str | None = None
    # Rule options by configuration table: {"kf001": {"min_params": 7}}.
    options: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_table(path: Path) -> dict[str, Any] | None:
    """The kerasfix table of `path`; None for a pyproject.toml without `[tool.kerasfix]`."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        table = tool.get("kerasfix") if isinstance(tool, dict) else None
        if table is None:
            return None
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: 'tool.kerasfix' must be a table")
        return table
    return data


def find_config(directory: Path) -> Path | None:
    """The nearest configuration file at or above `directory`."""
    for parent in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = parent / name
            if candidate.is_file() and read_table(candidate) is not None:
                return candidate
    return None


def validate(table: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Check every key and value of a kerasfix table; returns it with normalised values."""
    where = "[tool.kerasfix]" if source.endswith("pyproject.toml") else "top level"
    clean: dict[str, Any] = {}
    rule_tables = options_types()
    for key, value in table.items():
        if key not in GENERAL_KEYS and key not in rule_tables:
            raise ConfigError(f"{source}: unknown key '{key}' in {where}")
        if key in ("select", "ignore"):
            clean[key] = _codes(value, key, source)
        elif key in ("exclude", "extend-exclude", "src"):
            clean[key] = _strings(value, key, source)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: 'per-file-ignores' must be a table of glob = [codes]")
            clean[key] = {
                str(glob): _codes(codes, f"per-file-ignores.{glob}", source)
                for glob, codes in value.items()
            }
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise ConfigError(f"{source}: 'respect-gitignore' must be true or false")
            clean[key] = value
        elif key == "fail-level":
            if value not in FAIL_LEVELS:
                raise ConfigError(f"{source}: 'fail-level' must be one of {', '.join(FAIL_LEVELS)}")
            clean[key] = value
        else:
            clean[key] = _rule_table(key, rule_tables[key], value, source)
    return clean


def _rule_table(table: str, options: type, value: Any, source: str) -> dict[str, Any]:
    """A rule's options table: its keys are the options type's fields, dashed."""
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: '{table}' must be a table")
    known = {spec.name.replace("_", "-"): spec for spec in fields(options)}
    clean: dict[str, Any] = {}
    for key, item in value.items():
        spec = known.get(key)
        if spec is None:
            raise ConfigError(f"{source}: unknown key '{table}.{key}'")
        default = spec.default
        if isinstance(default, bool):
            if not isinstance(item, bool):
                raise ConfigError(f"{source}: '{table}.{key}' must be true or false")
        elif isinstance(default, int):
            if not isinstance(item, int) or isinstance(item, bool) or item < 0:
                raise ConfigError(f"{source}: '{table}.{key}' must be a non-negative integer")
        elif not isinstance(item, type(default)):
            raise ConfigError(f"{source}: '{table}.{key}' must be a {type(default).__name__}")
        clean[spec.name] = item
    return clean


def _strings(value: Any, key: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{source}: '{key}' must be a list of strings")
    return tuple(value)


def _codes(value: Any, key: str, source: str) -> tuple[str, ...]:
    codes = tuple(code.strip().upper() for code in _strings(value, key, source))
    for code in codes:
        if not is_selector(code):
            raise ConfigError(f"{source}: '{key}' has unknown rule selector '{code}'")
    return codes


def is_selector(code: str) -> bool:
    """'ALL', a rule code, or a prefix of one ('KF', 'KF00')."""
    return code == "ALL" or (bool(code) and any(rule.startswith(code) for rule in rule_codes()))


def build_settings(
    table: Mapping[str, Any], root: Path | None, config_path: Path | None, cli: Overrides
) -> Settings:
    """Defaults, then the (validated) file table, then the command line."""
    base = Settings(project_root=root, config_path=config_path)
    select = table.get("select", base.select)
    ignore = table.get("ignore", base.ignore)
    if cli.select is not None:  # Ruff's layering: a new selection starts from scratch
        select, ignore = cli.select, cli.ignore or ()
    elif cli.ignore is not None:
        ignore = (*ignore, *cli.ignore)
    rule_options = dict(base.rule_options)
    for name in options_types():
        values = {**table.get(name, {}), **cli.options.get(name, {})}
        configured = replace(rule_options[name], **values)
        problem = configured.validate() if hasattr(configured, "validate") else None
        if problem is not None:
            origin = "the command line" if cli.options.get(name) else str(config_path)
            raise ConfigError(f"{origin}: {problem}")
        rule_options[name] = configured
    return replace(
        base,
        select=select,
        ignore=ignore,
        exclude=cli.exclude if cli.exclude is not None else table.get("exclude", base.exclude),
        extend_exclude=(*table.get("extend-exclude", ()), *cli.extend_exclude),
        per_file_ignores=(
            cli.per_file_ignores
            if cli.per_file_ignores is not None
            else table.get("per-file-ignores", {})
        ),
        respect_gitignore=(
            cli.respect_gitignore
            if cli.respect_gitignore is not None
            else table.get("respect-gitignore", base.respect_gitignore)
        ),
        fail_level=cli.fail_level or table.get("fail-level", base.fail_level),
        rule_options=rule_options,
        src=table.get("src", base.src),
    )


def settings_for_file(path: Path) -> Settings:
    """The settings `lint` would use for `path` (its nearest configuration file)."""
    return Resolver().settings_for(path)


class Resolver:
    """Settings for any path: one fixed configuration, or the nearest file per directory."""

    def __init__(
        self,
        overrides: Overrides | None = None,
        config: Path | None = None,
        isolated: bool = False,
        inline: Mapping[str, Any] | None = None,
    ) -> None:
        self.overrides = overrides or Overrides()
        self.inline = validate(inline, "--config") if inline else {}
        self._by_dir: dict[str, Settings] = {}
        self._by_file: dict[Path, Settings] = {}
        self.fixed: Settings | None = None
        if config is not None:
            table = read_table(config)
            if table is None:
                raise ConfigError(f"{config}: no [tool.kerasfix] table")
            # Like Ruff, globs in an explicit --config file are relative to the cwd.
            self.fixed = self._settings(validate(table, str(config)), None, config)
        elif isolated:
            self.fixed = self._settings({}, None, None)

    def settings_for(self, path: Path) -> Settings:
        """The settings that govern `path` (a file or a directory)."""
        if self.fixed is not None:
            return self.fixed
        absolute = Path(os.path.abspath(path))
        directory = absolute if absolute.is_dir() else absolute.parent
        key = str(directory)
        if key not in self._by_dir:
            found = find_config(directory)
            if found is None:
                self._by_dir[key] = self._settings({}, None, None)
            elif found not in self._by_file:
                table = validate(read_table(found) or {}, str(found))
                self._by_file[found] = self._by_dir[key] = self._settings(
                    table, found.parent, found
                )
            else:
                self._by_dir[key] = self._by_file[found]
        return self._by_dir[key]

    def _settings(self, table: dict[str, Any], root: Path | None, path: Path | None) -> Settings:
        merged = {**table, **self.inline}
        if "kf001" in table and "kf001" in self.inline:
            merged["kf001"] = {**table["kf001"], **self.inline["kf001"]}
        return build_settings(merged, root, path, self.overrides)


def parse_inline(text: str) -> dict[str, Any]:
    """`--config "kf001.min-params = 1000"`: a TOML fragment instead of a file (as in Ruff)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"--config: neither a file nor valid TOML: {text!r} ({exc})") from exc
