"""`kerasfix inspect PATH`: the layer table of a saved model, or of every model a source file
or notebook builds, findings marked, with totals.

Like `model.summary()` but without TensorFlow: reads only the architecture and the weight
metadata (or interprets the source statically), then shows what every KF001 swap would leave.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

if TYPE_CHECKING:
    from kerasfix.findings import Finding
    from kerasfix.frontends.saved_model.summary import Row, Summary

MARK = "<-- "


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
    kind = kind_of(model)
    try:
        if kind in ("source", "notebook"):
            summaries = build_source_summaries(model, kind)
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
    except (RecursionError, MemoryError) as exc:
        click.echo(
            f"error: {model.as_posix()}: too large to analyse ({type(exc).__name__})", err=True
        )
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
        for index, summary in enumerate(summaries):
            if index:
                sys.stdout.write("\n")
            render_text(summary, sys.stdout)
        if not summaries:
            sys.stdout.write(f"{model.as_posix()}: no Keras model built in this file\n")
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


def build_source_summaries(path: Path, kind: str) -> list[Summary]:
    """Read and lint a source file or notebook; one table per model it builds."""
    from kerasfix.config import settings_for_file
    from kerasfix.engine import lint_program
    from kerasfix.frontends.source.tables import layer_table, read_every_model

    program = read_every_model(path, kind)
    if program.errors:
        # lint reports what parses around a bad statement; a table of half a file would
        # mislead, so inspect stops at the first syntax error, in one line.
        from kerasfix.frontends.base import InputError

        first = program.errors[0].split(" (skipped ", 1)[0]  # nothing else is shown either
        raise InputError(f"{path.as_posix()}:{first}")
    findings = lint_program(program, settings_for_file(path))
    summaries = layer_table(program, findings)
    for summary in summaries:
        summary.notes.extend(program.notes)
    return summaries


def build_summary(path: Path) -> Summary:
    """Read, lint and tabulate one model file."""
    from kerasfix.config import settings_for_file
    from kerasfix.engine import lint_program
    from kerasfix.frontends.base import Program
    from kerasfix.frontends.saved_model import graph_of, load_model_file
    from kerasfix.frontends.saved_model.crosscheck import weight_mismatches
    from kerasfix.frontends.saved_model.summary import summarize, weights_for

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


def format_shape(shape: tuple[int | None, ...] | None) -> str:
    if shape is None:
        return "?"
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


def render_text(summary: Summary, out: TextIO) -> None:
    facts = ", ".join(f"{k} {v}" for k, v in sorted(summary.facts.items()))
    kind = {
        "keras": ".keras archive",
        "h5": "legacy HDF5",
        "savedmodel": "SavedModel",
        "source": "built in source",
        "notebook": "built in notebook",
    }.get(summary.format or "", summary.format or "")
    out.write(
        f'Model: "{summary.name or "?"}"  ({summary.path}; {kind}{"; " + facts if facts else ""})\n'
    )
    table = [
        (
            "  " * row.depth + f"{row.path[-1]} ({row.class_name})",
            format_shape(row.output_shape),
            "?" if row.params is None else f"{row.params:,}",
            _mark(row),
        )
        for row in summary.rows
    ]
    header = ("Layer (type)", "Output Shape", "Param #", "")
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(3)]
    line = "-" * (sum(widths) + 6)
    out.write(f"{header[0]:<{widths[0]}}  {header[1]:<{widths[1]}}  {header[2]:>{widths[2]}}\n")
    out.write(line + "\n")
    for name, shape, params, mark in table:
        out.write(
            f"{name:<{widths[0]}}  {shape:<{widths[1]}}  {params:>{widths[2]}}  {mark}".rstrip()
            + "\n"
        )
    out.write(line + "\n")
    total = summary.total_params
    out.write(f"Total params: {'unknown' if total is None else f'{total:,}'}\n")
    after = summary.params_after_swaps
    swaps = len(summary.swaps)
    if swaps and total and after is not None:
        change = (after - total) / total * 100
        noun = "swap" if swaps == 1 else "swaps"
        out.write(
            f"After {swaps} KF001 {noun} to global pooling: {after:,} params ({change:+.1f}%)\n"
        )
    size = summary.weight_bytes
    if size is not None:
        source = (
            f"stored {summary.weights.dtype_text()}" if summary.weights else "estimated at float32"
        )
        tail = ""
        after_bytes = summary.weight_bytes_after_swaps
        if swaps and after_bytes is not None:
            tail = f"; after swaps {_bytes(after_bytes)}"
        out.write(f"Weights: {_bytes(size)} ({source}){tail}\n")
    for note in summary.notes:
        out.write(f"note: {note}\n")
    if summary.findings:
        out.write("Findings:\n")
        for finding in summary.findings:
            out.write(f"  {where_of(finding)}: {finding.rule} {finding.message}\n")


def where_of(finding: Finding) -> str:
    """`path` for model files, `path:line:col` (`path:cell N:line:col`) for source."""
    if finding.span is None:
        return finding.path
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.line}:{finding.column}"


def _bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            text = f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
            return f"{count:,} bytes ({text})" if unit != "B" else f"{count:,} bytes"
        size /= 1024
    return f"{count:,} bytes"


def _mark(row: Row) -> str:
    if row.markers:
        return MARK + ", ".join(row.markers)
    if row.opaque:
        return "opaque: not loaded"
    return "unknown" if row.output_shape is None else ""
