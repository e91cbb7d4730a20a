"""The rewrite part of the report page: what was written, and how closely the new model's
predictions follow the old one's when data was given."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from kerasfix.units import format_bytes

if TYPE_CHECKING:
    from kerasfix.model_rewrite.report import Report


def rewrite_section(report: Report) -> str:
    """What the rewrite did, and how closely the new model's predictions follow the old."""
    rows = [
        ("Output", report.output or "(dry run)"),
        ("Init", report.init),
        ("Parameters", f"{report.params_before:,} → {report.params_after:,}"),
    ]
    if report.weight_bytes_before is not None and report.weight_bytes_after is not None:
        rows.append(
            ("Weight bytes", _change(report.weight_bytes_before, report.weight_bytes_after))
        )
    if report.file_bytes_after is not None:
        rows.append(("File size", _change(report.file_bytes_before, report.file_bytes_after)))
    for site in report.sites:
        rows.append(
            (
                f"{site.flatten} → {site.pooling_layer}, {site.dense}",
                f"{site.params_before:,} → {site.params_after:,} params",
            )
        )
    outputs = report.outputs or {}
    fidelity = []
    if outputs:
        fidelity.append(("Samples compared", f"{int(outputs['samples']):,}"))
        fidelity.append(("Max |output difference|", f"{outputs['max_abs_diff']:.4g}"))
        fidelity.append(("Mean |output difference|", f"{outputs['mean_abs_diff']:.4g}"))
        if "top1_agreement" in outputs:
            fidelity.append(("Top-1 agreement", f"{outputs['top1_agreement']:.1%}"))
        if "accuracy_before" in outputs:
            fidelity.append(
                (
                    "Accuracy before → after",
                    f"{outputs['accuracy_before']:.1%} → {outputs['accuracy_after']:.1%}",
                )
            )
    verification = report.verification
    if verification is not None:
        rows.append(("Verification", verification.status))
    table = _pairs(rows, "kf-rewrite")
    fid = (
        "<h3>Prediction fidelity</h3>" + _pairs(fidelity, "kf-fidelity")
        if fidelity
        else '<p class="kf-sub">No data given: prediction fidelity not measured '
        "(pass --verify-data or --calibration-data).</p>"
    )
    return f'<section class="kf-rewrite-report"><h2>Rewrite</h2>{table}{fid}</section>'


def _pairs(rows: list[tuple[str, str]], cls: str) -> str:
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="kf-table {cls}"><tbody>{body}</tbody></table>'


def _change(before: int, after: int) -> str:
    return f"{format_bytes(before)} → {format_bytes(after)}"
