"""`kerasfix inspect PATH`: the layer table of a saved model, or of every model a source file
or notebook builds, findings marked, with totals.

Like `model.summary()` but without TensorFlow: reads only the architecture and the weight
metadata (or interprets the source statically), then shows what every KF001 swap would leave.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from kerasfix.inspection.summary import Summary


@click.command(short_help="Show the layers, parameters and findings of a model or source file.")
@click.argument("model", type=click.Path(path_type=Path))
@click.option(
    "--output-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Table for people, or the same data as JSON.",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write a self-contained HTML page (chart, table, findings) to this file.",
)
def inspect(model: Path, output_format: str, html_file: Path | None) -> int:
    """Show the layers of MODEL (.keras, .h5, SavedModel dir) or of every model a .py/.ipynb
    builds, with findings and totals."""
    from kerasfix.config import ConfigError
    from kerasfix.frontends import InputError, kind_of

    if not model.exists():
        click.echo(f"error: {model}: no such file or directory", err=True)
        return 2
    if html_file is not None and html_file.resolve() == model.resolve():
        click.echo(f"error: {html_file}: --html would overwrite the input", err=True)
        return 2
    from kerasfix.limits import MemoryBound, memory_limit

    kind = kind_of(model)
    skipped: str | None = None  # a syntax error analysed around, reported as lint does
    memory = MemoryBound()
    try:
        with memory_limit(bound=memory):  # the same bound as lint's on one file
            if kind in ("source", "notebook"):
                summaries, skipped = build_source_summaries(model, kind)
            else:
                summaries = [build_summary(model)]
    except InputError as exc:
        reason = " ".join(str(exc).split())  # source frontends already name the file
        where = "" if reason.startswith(model.as_posix()) else f"{model.as_posix()}: "
        click.echo(f"error: {where}{reason}", err=True)
        return 2
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except RecursionError:
        click.echo(f"error: {model.as_posix()}: too large to analyse (RecursionError)", err=True)
        return 2
    except MemoryError:
        click.echo(f"error: {model.as_posix()}: {memory.message()}", err=True)
        return 2
    if html_file is not None:
        from kerasfix.html_report import write_page

        try:
            write_page(html_file, summaries, title=f"kerasfix inspect {model.as_posix()}")
        except OSError as exc:
            click.echo(f"error: {html_file}: cannot write ({exc.strerror or exc})", err=True)
            return 2
    if output_format == "json":
        json.dump(inspect_json(model, kind, summaries), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        from kerasfix.inspection.text import render_text

        for index, summary in enumerate(summaries):
            if index:
                sys.stdout.write("\n")
            render_text(summary, sys.stdout)
        if not summaries:
            sys.stdout.write(f"{model.as_posix()}: no Keras model built in this file\n")
    if skipped is not None:
        click.echo(f"error: {skipped}", err=True)
        return 2
    return 0


def inspect_json(path: Path, kind: str | None, summaries: list[Summary]) -> dict[str, Any]:
    """A model file's summary as is; a source file's as {"path", "kind", "models"}."""
    if kind in ("source", "notebook"):
        return {
            "path": path.as_posix(),
            "kind": kind,
            "models": [summary.to_dict() for summary in summaries],
        }
    return summaries[0].to_dict()


def build_source_summaries(path: Path, kind: str) -> tuple[list[Summary], str | None]:
    """Read and lint a source file or notebook: one table per model it builds, and the
    syntax error the analysis went around (lint's one line for it), if any."""
    from kerasfix.config import settings_for_file
    from kerasfix.engine import lint_program
    from kerasfix.file_check import recovered_error
    from kerasfix.inspection.tables import layer_table, read_every_model

    program = read_every_model(path, kind)  # the same recovery as lint's
    findings = lint_program(program, settings_for_file(path))
    summaries = layer_table(program, findings)
    for summary in summaries:
        summary.notes.extend(program.notes)
    error = recovered_error(path.as_posix(), program)
    return summaries, None if error is None else str(error)


def build_summary(path: Path) -> Summary:
    """Read, lint and tabulate one model file."""
    from kerasfix.config import settings_for_file
    from kerasfix.engine import lint_program
    from kerasfix.frontends.base import Program
    from kerasfix.frontends.saved_model import graph_of
    from kerasfix.frontends.saved_model.crosscheck import weight_mismatches
    from kerasfix.inspection.summary import summarize, weights_for
    from kerasfix.kerasfile.model_file import load_model_file

    model_file = load_model_file(path)
    graph = graph_of(model_file)
    program = Program(path.as_posix(), "model", graph)
    findings = lint_program(program, settings_for_file(path))
    notes = weight_mismatches(path, graph) if model_file.format == "h5" else []
    return summarize(
        graph,
        findings,
        path=program.path,
        model_format=model_file.format,
        facts=model_file.facts,
        weights=weights_for(path, model_file.format),
        notes=notes,
    )
