"""`kerasfix rule KF001`: print a rule's page from the catalogue; `--all` lists every rule."""

from __future__ import annotations

import json

import click


@click.command(short_help="Explain a rule: KF001 or its name, or --all.")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
@click.option(
    "--output-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for tools.",
)
def rule(code: str | None, show_all: bool, output_format: str) -> int:
    """Explain rule CODE (e.g. KF001 or flatten-before-dense)."""
    from kerasfix.catalogue import get, load

    if show_all == (code is not None):
        raise click.UsageError("give a rule code, or --all")
    if show_all:
        rules = list(load().values())
        if output_format == "json":
            click.echo(json.dumps([doc.to_dict() for doc in rules], indent=2))
        else:
            width = max(len(doc.name) for doc in rules)
            for doc in rules:
                click.echo(f"{doc.id}  {doc.name:<{width}}  {doc.summary}")
        return 0
    assert code is not None
    doc = get(code)
    if doc is None:
        known = ", ".join(load())
        raise click.BadParameter(f"unknown rule '{code}' (known: {known})", param_hint="CODE")
    if output_format == "json":
        click.echo(json.dumps(doc.to_dict(), indent=2))
    else:
        click.echo(_header(doc) + doc.help_markdown(), nl=False)
    return 0


def _header(doc: object) -> str:
    from kerasfix.catalogue import RuleDoc

    assert isinstance(doc, RuleDoc)
    return f"{doc.id} {doc.name}\nSeverity: {doc.severity_text()}.\nFix: {doc.fix_text()}.\n\n"
