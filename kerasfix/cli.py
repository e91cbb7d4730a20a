"""The `kerasfix` command: a thin click group; each subcommand lives in kerasfix/commands/.

Importing this module must stay cheap (no TensorFlow, no Keras, no LibCST): a pre-commit
hook pays for every import on every commit. The group therefore names its subcommands
without importing them (`LazyGroup`): `kerasfix lint` imports kerasfix.commands.lint only,
and `kerasfix --version` no command module at all (`tests/test_import_budget.py`).
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

import click
from click.utils import make_str

from kerasfix.version import __version__

# command name -> the kerasfix.commands module defining a click command of that name.
COMMANDS: dict[str, str] = {
    "inspect": "kerasfix.commands.inspect",
    "lint": "kerasfix.commands.lint",
    "rewrite": "kerasfix.commands.rewrite",
    "rule": "kerasfix.commands.rule",
    "server": "kerasfix.commands.server",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when first looked up (run, help, completion)."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module = import_module(self.lazy_commands[cmd_name])
            command = getattr(module, cmd_name)
            assert isinstance(command, click.Command), self.lazy_commands[cmd_name]
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and self.get_command(ctx, make_str(args[0])) is None:
            # A typo: load every command so click's "Did you mean ...?" sees them all.
            for name in self.lazy_commands:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "-V", "--version", prog_name="kerasfix")
def cli() -> None:
    """Find and fix Flatten -> Dense parameter blow-ups in Keras models."""


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: exit 0 clean, 1 findings, 2 usage or internal error."""
    try:
        code = cli.main(args=argv, prog_name="kerasfix", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 2
    except click.ClickException as exc:
        exc.show()
        return 2
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 2
    if isinstance(code, int):
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
