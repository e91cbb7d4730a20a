"""One self-contained HTML page: headline numbers, the chart, the layer table, the findings.

Standard library only (`html.escape` and string building). Inline CSS and SVG, no script,
no external style, font or image, so the page works offline and as a CI artifact.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from kerasfix.findings import Finding
from kerasfix.html_report.chart import parameter_chart
from kerasfix.html_report.numbers import number
from kerasfix.inspection.layer_view import format_shape
from kerasfix.inspection.summary import Row, Summary
from kerasfix.inspection.text import where_of
from kerasfix.units import format_bytes

if TYPE_CHECKING:
    from kerasfix.model_rewrite.report import Report

PAGE_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
margin:24px auto;max-width:960px;padding:0 16px;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}
"""
# Only `kf-` classes: safe to inline into a Jupyter output without restyling the notebook.
COMPONENT_CSS = """
.kf-sub{color:#5b6475;margin:0 0 12px}
.kf-cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0 14px}
.kf-card{border:1px solid #d7dce5;border-radius:6px;padding:8px 12px;min-width:200px}
.kf-card b{display:block;font-size:12px;color:#5b6475;font-weight:600}
.kf-card span{font-size:18px;font-variant-numeric:tabular-nums}
.kf-card small{display:block;font-size:11px;color:#5b6475}
.kf-card.kf-swap{border-color:#e0b400;background:#fff8dc}
.kf-card.kf-swap span{font-size:22px;font-weight:700}
.kf-saving{color:#1b7e5f;font-weight:700}
.kf-chart{max-width:100%;height:auto;font-size:12px}
.kf-chart-title{font-weight:600;font-size:13px}.kf-legend{font-size:12px}
.kf-grid{stroke:#e3e7ee;stroke-width:1}.kf-tick{font-size:11px;fill:#5b6475;text-anchor:middle}
.kf-label{font-size:12px}.kf-value{font-size:12px;font-variant-numeric:tabular-nums}
.kf-changed{font-weight:700;fill:#1b7e5f}
table.kf-table{border-collapse:collapse;width:100%;font-size:13px;margin-top:8px}
.kf-table th,.kf-table td{border-bottom:1px solid #e3e7ee;padding:3px 8px;text-align:left}
.kf-table td.kf-num{text-align:right;font-variant-numeric:tabular-nums}
.kf-table tr.kf-site td{background:#fff3c4}
.kf-mark{color:#a15c00;font-weight:600}
.kf-findings li{margin:4px 0}
pre.kf-rule{white-space:pre-wrap;background:#f6f8fa;padding:10px;border-radius:6px;font-size:12px}
"""


def render_page(summaries: list[Summary], title: str, rewrite: Report | None = None) -> str:
    """The whole page for one or more model tables (and a rewrite, when there was one)."""
    body = [f"<h1>{escape(title)}</h1>"]
    if not summaries:
        body.append('<p class="kf-sub">No Keras model is built in this file.</p>')
    for index, summary in enumerate(summaries):
        body.append(model_section(summary, index))
    if rewrite is not None:
        from kerasfix.html_report.rewrite import rewrite_section

        body.append(rewrite_section(rewrite))
    body.append(rules_section([f for s in summaries for f in s.findings]))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{PAGE_CSS}{COMPONENT_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def fragment(summary: Summary) -> str:
    """Headline numbers and chart, for Jupyter's `_repr_html_` (scoped styles, no page)."""
    return (
        f'<div class="kf-report"><style>{COMPONENT_CSS}</style>'
        + headline(summary)
        + parameter_chart(summary)
        + "</div>"
    )


def model_section(summary: Summary, index: int = 0) -> str:
    """Headline cards, chart, table and findings of one model."""
    kind = summary.format or "model"
    facts = ", ".join(f"{k} {v}" for k, v in sorted(summary.facts.items()))
    sub = f"{summary.path} · {kind}" + (f" · {facts}" if facts else "")
    return (
        f'<section class="kf-model" id="model-{index}">'
        f'<h2>Model "{escape(summary.name or "?")}"</h2>'
        f'<p class="kf-sub">{escape(sub)}</p>'
        + headline(summary)
        + parameter_chart(summary)
        + layer_table(summary)
        + findings_list(summary.findings)
        + "".join(f'<p class="kf-note">note: {escape(n)}</p>' for n in summary.notes)
        + "</section>"
    )


def headline(summary: Summary) -> str:
    """The numbers to take in at a glance: each swap, total parameters, weight bytes."""
    cards = []
    for finding in summary.swaps:
        facts = finding.data  # KF001's PoolingFacts
        before, after = facts.params_flatten or 0, facts.params_pooling or 0
        cards.append(
            _card(
                f"{facts.flatten_layer} → {facts.dense_layer} (KF001 swap)",
                escape(f"{before:,} → {after:,}"),
                "kf-swap",
            )
        )
    total, after_total = summary.total_params, summary.params_after_swaps
    if total is None:
        cards.append(_card("Total parameters", "unknown", "kf-total"))
    elif summary.swaps and after_total is not None:
        change = (after_total - total) / total * 100 if total else 0.0
        value = f'{total:,} → {after_total:,} <em class="kf-saving">({change:+.1f}%)</em>'
        cards.append(_card("Total parameters", value, "kf-total"))
    else:
        cards.append(_card("Total parameters", f"{total:,}", "kf-total"))
    size, size_after = summary.weight_bytes, summary.weight_bytes_after_swaps
    if size is not None:
        source = f"stored {summary.weights.dtype_text()}" if summary.weights else "float32 est."
        both = bool(summary.swaps) and size_after is not None
        value = f"{format_bytes(size)} → {format_bytes(size_after)}" if both else format_bytes(size)
        exact = f"{size:,} → {size_after:,} bytes" if both else f"{size:,} bytes"
        shown_exact = exact if exact != value else None  # small sizes are already exact
        cards.append(_card(f"Weight bytes ({source})", escape(value), "kf-bytes", shown_exact))
    return '<div class="kf-cards">' + "".join(cards) + "</div>"


def _card(label: str, value_html: str, cls: str, exact: str | None = None) -> str:
    """One headline figure; `exact` is shown small below a rounded one."""
    small = f"<small>{escape(exact)}</small>" if exact else ""
    return (
        f'<div class="kf-card {cls}"><b>{escape(label)}</b><span>{value_html}</span>{small}</div>'
    )


def layer_table(summary: Summary) -> str:
    """The model.summary()-style table, Flatten -> Dense sites highlighted."""
    head = (
        "<tr><th>Layer (type)</th><th>Output shape</th><th>Param #</th>"
        "<th>After swaps</th><th>Findings</th></tr>"
    )
    rows = "".join(_table_row(row, format_shape(row.output_shape)) for row in summary.rows)
    return f'<table class="kf-table"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def _table_row(row: Row, shape: str) -> str:
    indent = "&nbsp;&nbsp;" * row.depth
    cls = ' class="kf-site"' if row.markers else ""
    mark = ", ".join(row.markers) or (
        "opaque: not loaded" if row.opaque else ("" if row.output_shape is not None else "?")
    )
    return (
        f'<tr{cls} data-layer="{escape("/".join(row.path))}">'
        f"<td>{indent}{escape(row.path[-1])} ({escape(row.class_name)})</td>"
        f"<td>{escape(shape)}</td>"
        f'<td class="kf-num kf-params">{number(row.params)}</td>'
        f'<td class="kf-num kf-after">{number(row.params_after)}</td>'
        f'<td class="kf-mark">{escape(mark)}</td></tr>'
    )


def findings_list(findings: list[Finding]) -> str:
    if not findings:
        return '<p class="kf-findings">No findings.</p>'
    items = []
    for finding in findings:
        where = "/".join(finding.layer_path) if finding.layer_path else where_of(finding)
        items.append(
            f'<li><a href="#rule-{escape(finding.rule)}">{escape(finding.rule)}</a> '
            f"<code>{escape(where)}</code>: {escape(finding.message)}</li>"
        )
    return '<ul class="kf-findings">' + "".join(items) + "</ul>"


def rules_section(findings: list[Finding]) -> str:
    """Each reported rule's documentation, embedded so the rule links work offline."""
    import kerasfix.catalogue as catalogue

    parts = []
    for code in sorted({f.rule for f in findings}):
        doc = catalogue.get(code)
        if doc is None:
            continue
        parts.append(
            f'<details id="rule-{escape(code)}"><summary>{escape(code)} {escape(doc.name)}: '
            f"{escape(doc.summary)}</summary>"
            f'<pre class="kf-rule">{escape(doc.help_markdown())}</pre></details>'
        )
    return f"<h2>Rules</h2>{''.join(parts)}" if parts else ""
