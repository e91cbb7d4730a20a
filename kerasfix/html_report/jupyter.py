"""An inspect table that Jupyter draws: the same data, with the headline numbers and chart as
its HTML (the inspect data itself knows nothing of HTML)."""

from __future__ import annotations

from dataclasses import fields

from kerasfix.html_report.page import fragment
from kerasfix.inspection.summary import Summary


class ShownSummary(Summary):
    """A `Summary` with `_repr_html_`."""

    def _repr_html_(self) -> str:
        return fragment(self)


def shown(summary: Summary) -> ShownSummary:
    """The same table, drawn by Jupyter."""
    return ShownSummary(**{f.name: getattr(summary, f.name) for f in fields(summary)})
