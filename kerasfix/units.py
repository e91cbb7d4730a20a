"""How kerasfix writes a size in bytes, everywhere (inspect text and HTML, rewrite report and
page, limits): binary units, so `inspect`'s 527.8 MiB is the rewrite's 527.8 MiB."""

from __future__ import annotations

UNITS = ("KiB", "MiB", "GiB", "TiB")


def format_bytes(count: int | None) -> str:
    """`956 bytes`, `11.7 KiB`, `527.8 MiB`; `?` for a size that is not known."""
    if count is None:
        return "?"
    if abs(count) < 1024:
        return f"{count:,} bytes"
    size = float(count)
    for unit in UNITS:
        size /= 1024
        if abs(size) < 1024 or unit == UNITS[-1]:
            break
    return f"{size:,.1f} {unit}"


def format_bytes_exact(count: int) -> str:
    """`512,872 bytes (500.9 KiB)`: the exact count, and the unit for people to read."""
    short = format_bytes(count)
    return short if short.endswith(" bytes") else f"{count:,} bytes ({short})"
