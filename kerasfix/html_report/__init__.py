"""Self-contained HTML reports for `inspect --html`, `rewrite --html-report` and Jupyter.

Never imported on the lint path: only the commands and `_repr_html_` load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kerasfix.html_report.page import fragment, render_page

if TYPE_CHECKING:
    from kerasfix.fixers.model_rewrite.report import Report
    from kerasfix.frontends.saved_model.summary import Summary

__all__ = ["fragment", "render_page", "write_page"]


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
