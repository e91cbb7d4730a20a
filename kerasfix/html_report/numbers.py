"""How the report pages write figures: one place, so the inspect and rewrite parts agree."""

from __future__ import annotations


def number(value: int | None) -> str:
    """`12,816`, or `?` for a count that is not known."""
    return "?" if value is None else f"{value:,}"
