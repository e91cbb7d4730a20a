"""How the report pages write figures: one place, so the inspect and rewrite parts agree."""

from __future__ import annotations


def number(value: int | None) -> str:
    """`12,816`, or `?` for a count that is not known."""
    return "?" if value is None else f"{value:,}"


def megabytes(value: int | None) -> str:
    if value is None:
        return "?"
    return f"{value / 1e6:,.1f} MB" if value >= 100_000 else f"{value:,} bytes"
