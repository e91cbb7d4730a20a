"""Parameters per layer as an inline SVG bar chart: before and after every KF001 swap.

Hand-written SVG (no plotting stack, no script): each charted layer gets a "before" and an
"after" bar; the Flatten -> Dense sites sit on a highlighted band. The axis turns
logarithmic when the largest layer dwarfs the smallest, so a 1,792-parameter convolution
and a 102-million-parameter Dense are both visible.
"""

from __future__ import annotations

import math
from html import escape

from kerasfix.inspection.summary import Row, Summary

LABEL_WIDTH = 190
PLOT_WIDTH = 460
VALUE_WIDTH = 230
ROW_HEIGHT = 26
BAR_HEIGHT = 9
TOP = 48
BOTTOM = 12
LOG_THRESHOLD = 100  # largest / smallest non-zero layer above which the axis is logarithmic
BEFORE_COLOUR = "#7f8fb5"
AFTER_COLOUR = "#1b9e77"
SITE_COLOUR = "#ffe9a8"


def charted_rows(summary: Summary) -> list[Row]:
    """Layers worth a bar: those with parameters, and every marked (finding) layer."""
    return [row for row in summary.rows if row.params or row.markers]


def is_log_scale(rows: list[Row]) -> bool:
    """Log when the bars (before or after the swaps) span more than LOG_THRESHOLD×."""
    values = [v for row in rows for v in (row.params, row.params_after) if v]
    return bool(values) and max(values) / min(values) > LOG_THRESHOLD


def parameter_chart(summary: Summary) -> str:
    """The SVG element (a string) for one model's table."""
    rows = charted_rows(summary)
    largest = max((row.params or 0 for row in rows), default=0)
    log = is_log_scale(rows)
    scale = _Scale(largest, log)
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + BOTTOM
    title = "Parameters per layer" + (" (log scale)" if log else "")
    parts = [
        f'<svg class="kf-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" data-scale="{"log" if log else "linear"}">',
        f'<text x="0" y="14" class="kf-chart-title">{escape(title)}</text>',
        _legend(width),
    ]
    parts.extend(_grid(scale, height))
    for index, row in enumerate(rows):
        parts.append(_row(row, TOP + index * ROW_HEIGHT, scale))
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{TOP + 16}">no layer with parameters</text>')
    parts.append("</svg>")
    return "\n".join(parts)


class _Scale:
    def __init__(self, largest: int, log: bool) -> None:
        self.log = log
        if log:
            self.top = 10 ** math.ceil(math.log10(max(largest, 10)))
        else:
            self.top = _nice_ceiling(largest)

    def x(self, value: int) -> float:
        if value <= 0:
            return 0.0
        if self.log:
            return PLOT_WIDTH * math.log10(max(value, 1)) / math.log10(self.top)
        return PLOT_WIDTH * value / self.top

    def ticks(self) -> list[int]:
        if self.log:
            return [10**k for k in range(round(math.log10(self.top)) + 1)]
        return [self.top * k // 4 for k in range(5)]


def _nice_ceiling(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _grid(scale: _Scale, height: int) -> list[str]:
    lines = []
    for tick in scale.ticks():
        x = LABEL_WIDTH + scale.x(tick) if tick else LABEL_WIDTH
        lines.append(
            f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{height - BOTTOM}" '
            'class="kf-grid"/>'
            f'<text x="{x:.1f}" y="{TOP - 8}" class="kf-tick">{_short(tick)}</text>'
        )
    return lines


def _legend(width: int) -> str:
    x = width - 250
    return (
        f'<rect x="{x}" y="4" width="12" height="10" fill="{BEFORE_COLOUR}"/>'
        f'<text x="{x + 16}" y="13" class="kf-legend">now</text>'
        f'<rect x="{x + 50}" y="4" width="12" height="10" fill="{AFTER_COLOUR}"/>'
        f'<text x="{x + 66}" y="13" class="kf-legend">after KF001 swaps</text>'
        f'<rect x="{x + 180}" y="4" width="12" height="10" fill="{SITE_COLOUR}"/>'
        f'<text x="{x + 196}" y="13" class="kf-legend">site</text>'
    )


def _row(row: Row, y: int, scale: _Scale) -> str:
    name = "/".join(row.path)
    label = name if len(name) <= 26 else "…" + name[-25:]
    before = row.params or 0
    after = row.params_after if row.params_after is not None else before
    site = bool(row.markers)
    parts = [f'<g class="kf-bar-row{" kf-site" if site else ""}" data-layer="{escape(name)}">']
    if site:
        parts.append(
            f'<rect x="0" y="{y}" width="{LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH}" '
            f'height="{ROW_HEIGHT - 2}" fill="{SITE_COLOUR}" class="kf-site-band"/>'
        )
    parts.append(
        f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" class="kf-label" text-anchor="end">'
        f"<title>{escape(name)} ({escape(row.class_name)})</title>{escape(label)}</text>"
    )
    for offset, value, colour, kind in (
        (3, before, BEFORE_COLOUR, "before"),
        (3 + BAR_HEIGHT + 2, after, AFTER_COLOUR, "after"),
    ):
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + offset}" width="{scale.x(value):.1f}" '
            f'height="{BAR_HEIGHT}" fill="{colour}" class="kf-bar" data-kind="{kind}" '
            f'data-params="{value}"/>'
        )
    text = f"{before:,}" if after == before else f"{before:,} → {after:,}"
    if row.params is None:
        text = "?"
    parts.append(
        f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 6}" y="{y + 16}" '
        f'class="kf-value{" kf-changed" if after != before else ""}">{escape(text)}</text>'
    )
    parts.append("</g>")
    return "".join(parts)


def _short(value: int) -> str:
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if value >= size:
            number = value / size
            return f"{number:.0f}{unit}" if number == int(number) else f"{number:.1f}{unit}"
    return str(value)
