"""Self-contained HTML reports for `inspect --html`, `rewrite --html-report` and Jupyter.

Never imported on the lint path: only the commands and `_repr_html_` load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kerasfix.html_report.page import fragment, render_page

if TYPE_CHECKING:
    from kerasfix.inspection.summary import Summary
    from kerasfix.model_rewrite.report import Report

__all__ = ["clashes", "fragment", "render_page", "write_page", "write_rewrite_page"]


def clashes(page: Path, *others: Path | None) -> bool:
    """Whether the page would be written over one of the command's model files."""
    target = page.resolve()
    return any(other is not None and other.resolve() == target for other in others)


def write_page(
    path: Path, summaries: list[Summary], title: str, rewrite: Report | None = None
) -> None:
    """Write the page; an existing file is replaced in one step (never half a page)."""
    data = render_page(summaries, title, rewrite).encode("utf-8")
    if path.exists():
        from kerasfix.fixers.textfile import write_atomic

        write_atomic(path, data)
    else:
        path.write_bytes(data)


def write_rewrite_page(path: Path, model: Path, summary: Summary, report: Report) -> None:
    """The inspect page of the rewritten model's input (`summary`, its `inspect` table),
    counting only the swaps done, followed by what the rewrite wrote and measured."""
    from kerasfix.inspection.summary import summarize

    done = {(site.flatten, site.dense) for site in report.sites}
    kept = [
        f
        for f in summary.findings
        if f.rule != "KF001" or (f.data.flatten_layer, f.data.dense_layer) in done
    ]
    graph = summary.graph
    if graph is not None and len(kept) != len(summary.findings):
        summary = summarize(
            graph,
            kept,
            path=summary.path,
            model_format=summary.format,
            facts=summary.facts,
            weights=summary.weights,
            notes=summary.notes,
        )
    title = f"kerasfix rewrite {model.as_posix()}"
    write_page(path, [summary], title, rewrite=report)
