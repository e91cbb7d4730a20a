"""`kerasfix inspect` as text: the table `model.summary()` prints, then totals and findings."""

from __future__ import annotations

from typing import TextIO

from kerasfix.findings import Finding
from kerasfix.inspection.layer_view import format_shape
from kerasfix.inspection.summary import Row, Summary
from kerasfix.units import format_bytes_exact

MARK = "<-- "


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
    lines = any(row.span is not None for row in summary.rows)  # a source file's table
    table = [
        (
            "  " * row.depth + f"{row.path[-1]} ({row.class_name})",
            format_shape(row.output_shape),
            "?" if row.params is None else f"{row.params:,}",
            _line(row) if lines else "",
            _mark(row),
        )
        for row in summary.rows
    ]
    header = ("Layer (type)", "Output Shape", "Param #", "Line" if lines else "", "")
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(4)]
    rule = "-" * (sum(widths) + 6 + (2 if lines else 0))
    for index, cells in enumerate([header, None, *table]):
        if cells is None:
            out.write(rule + "\n")
            continue
        name, shape, params, where, mark = cells
        text = f"{name:<{widths[0]}}  {shape:<{widths[1]}}  {params:>{widths[2]}}"
        if lines:
            text += f"  {where:>{widths[3]}}"
        out.write(f"{text}  {mark if index else ''}".rstrip() + "\n")
    out.write(rule + "\n")
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
            tail = f"; after swaps {format_bytes_exact(after_bytes)}"
        out.write(f"Weights: {format_bytes_exact(size)} ({source}){tail}\n")
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


def _line(row: Row) -> str:
    """Where the code creates the layer: `12`, or `cell 3:12` in a notebook."""
    if row.span is None:
        return ""
    cell = f"cell {row.span.cell}:" if row.span.cell is not None else ""
    return f"{cell}{row.span.line}"


def _mark(row: Row) -> str:
    if row.markers:
        return MARK + ", ".join(row.markers)
    if row.opaque:
        return "opaque: not loaded"
    return "unknown" if row.output_shape is None else ""
