"""`kerasfix server`: the Language Server for editors (LSP over stdio)."""

from __future__ import annotations

import click


@click.command(short_help="Run the Language Server for editors (LSP over stdio).")
def server() -> None:
    """Run the Language Server on stdin/stdout (diagnostics, quick fixes, inlay hints)."""
    try:
        from kerasfix.server.app import main
    except ImportError as exc:
        from kerasfix.commands.extras import install_hint

        click.echo(
            f"error: the server needs pygls ({exc.name} is missing): {install_hint('server')}",
            err=True,
        )
        raise SystemExit(2) from None
    main()
