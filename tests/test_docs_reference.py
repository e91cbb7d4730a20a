"""The reference pages name what the code declares, all of it and nothing more (issue 23).

docs/configuration.md lists every option of every command (read from the click commands),
every configuration key (its example file is parsed and validated by kerasfix's own reader)
and every `KERASFIX_` variable kerasfix reads; docs/integrations.md every input of the GitHub
Action. An option added without a row here, or a row left after its option went, fails.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import click
import yaml

from kerasfix import config
from kerasfix.cli import cli
from kerasfix.rule_registry import options_types

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
CONFIGURATION = REPO / "docs" / "configuration.md"
INTEGRATIONS = REPO / "docs" / "integrations.md"
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
ENV_VAR = re.compile(r"\bKERASFIX_[A-Z0-9_]+\b")


def section(page: Path, title: str) -> str:
    """The text under the heading `title` (any level) up to the next heading as high."""
    text = page.read_text(encoding="utf-8")
    match = re.search(rf"^(#+) {re.escape(title)}\n(.*?)(?=^\1 |\Z)", text, re.M | re.S)
    assert match, f"{page.name} has no '{title}' heading"
    return match.group(2)


def first_column(text: str) -> str:
    """The first cell of every table row, header and rule lines left out."""
    rows = [re.split(r"(?<!\\)\|", line)[1] for line in text.splitlines() if line.startswith("|")]
    return "\n".join(cell for cell in rows[2:] if not set(cell) <= set("-: "))


def declared_options(command: click.Command) -> set[str]:
    return {
        name
        for param in command.params
        if isinstance(param, click.Option)
        for name in (*param.opts, *param.secondary_opts)
    }


def test_every_option_of_every_command_is_documented() -> None:
    context = click.Context(cli)
    commands = {name: cli.get_command(context, name) for name in cli.list_commands(context)}
    assert {"lint", "inspect", "rewrite", "rule", "server"} <= set(commands)
    problems = []
    for name, command in {"": cli, **commands}.items():
        assert command is not None
        title = f"`kerasfix {name}`" if name else "`kerasfix`"
        documented = set(OPTION.findall(first_column(section(CONFIGURATION, title))))
        declared = declared_options(command)
        if not name:
            declared |= {"-h", "--help"}
        problems += [f"{title}: {o} is not documented" for o in sorted(declared - documented)]
        problems += [f"{title}: {o} is documented, not declared" for o in documented - declared]
    assert problems == []


def test_the_server_initialization_options_are_documented() -> None:
    source = (REPO / "kerasfix" / "server" / "app.py").read_text(encoding="utf-8")
    read = set(re.findall(r"options\.get\(\"(\w+)\"", source))
    documented = set(
        re.findall(r"`(\w+)`", first_column(section(CONFIGURATION, "`kerasfix server`")))
    )
    assert read and read == documented


def test_the_configuration_example_holds_every_key_and_kerasfix_accepts_it() -> None:
    (block,) = re.findall(
        r"^```toml\n(.*?)^```", section(CONFIGURATION, "Configuration file"), re.M | re.S
    )
    table = tomllib.loads(block)["tool"]["kerasfix"]
    config.validate(table, "pyproject.toml")  # raises ConfigError on a key kerasfix rejects
    rule_tables = options_types()
    assert set(table) == set(config.GENERAL_KEYS) | set(rule_tables)
    for name, options in rule_tables.items():
        fields = {field.name.replace("_", "-") for field in dataclasses.fields(options)}
        assert set(table[name]) == fields, name


def test_every_environment_variable_is_documented() -> None:
    read = {
        name
        for path in (REPO / "kerasfix").rglob("*.py")
        for name in ENV_VAR.findall(path.read_text(encoding="utf-8"))
    }
    documented = set(ENV_VAR.findall(first_column(section(CONFIGURATION, "Environment variables"))))
    assert read and read == documented


def test_every_action_input_is_documented() -> None:
    inputs = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))["inputs"]
    documented = set(
        re.findall(r"`([\w-]+)`", first_column(section(INTEGRATIONS, "GitHub Actions")))
    )
    assert set(inputs) <= documented
