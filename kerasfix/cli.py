"""The `kerasfix` command: a thin click group; each subcommand lives in kerasfix/commands/.

Importing this module must stay cheap (no TensorFlow, no Keras, no LibCST): a pre-commit
hook pays for every import on every commit.
"""

from __future__ import annotations

import sys

import click

from kerasfix.commands.inspect import inspect
from kerasfix.commands.lint import lint
from kerasfix.commands.rewrite import rewrite
from kerasfix.commands.rule import rule
from kerasfix.commands.server import server
from kerasfix.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="kerasfix")
def cli() -> None:
    """Find and fix Flatten -> Dense parameter blow-ups in Keras models."""


cli.add_command(lint)
cli.add_command(rule)
cli.add_command(inspect)
cli.add_command(rewrite)
cli.add_command(server)


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
