"""One unit system for sizes (issue 23 point 13): inspect's text, its HTML page and the
rewrite's report and page write the same byte count the same way, in binary units."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kerasfix.cli import main
from kerasfix.units import format_bytes, format_bytes_exact

DECIMAL_UNITS = re.compile(r"\d (kB|KB|MB|GB|TB)\b")


def test_format_bytes() -> None:
    shown = [format_bytes(n) for n in (None, 0, 956, 1023)]
    assert shown == ["?", "0 bytes", "956 bytes", "1,023 bytes"]
    assert format_bytes(11_944) == "11.7 KiB"
    assert format_bytes(553_467_096) == "527.8 MiB"
    assert format_bytes(3 << 30) == "3.0 GiB"
    assert format_bytes_exact(512_872) == "512,872 bytes (500.9 KiB)"
    assert format_bytes_exact(116) == "116 bytes"


@pytest.mark.keras
def test_inspect_text_html_and_rewrite_agree(
    small_models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = small_models / "functional_bn.keras"
    inspect_page, rewrite_page = tmp_path / "inspect.html", tmp_path / "rewrite.html"
    assert main(["inspect", str(model), "--html", str(inspect_page)]) == 0
    text = capsys.readouterr().out
    assert main(["inspect", str(model), "--output-format", "json"]) == 0
    table = json.loads(capsys.readouterr().out)
    out = tmp_path / "slim.keras"
    args = ["rewrite", str(model), "-o", str(out), "--no-verify", "--html-report"]
    assert main([*args, str(rewrite_page), "--report-format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert main(["rewrite", str(model), "-o", str(out), "--no-verify", "--force"]) == 0
    rewrite_text = capsys.readouterr().out

    before, after = table["weight_bytes"], table["weight_bytes_after_swaps"]
    assert before >= 1024 and (report["weight_bytes_before"], report["weight_bytes_after"]) == (
        before,
        after,
    )
    assert f"Weights: {format_bytes_exact(before)} (stored float32)" in text
    assert f"weight bytes (float32): {format_bytes(before)} -> {format_bytes(after)}" in (
        rewrite_text
    )
    sizes = f"{format_bytes(before)} → {format_bytes(after)}"
    assert sizes in inspect_page.read_text(encoding="utf-8")
    assert sizes in rewrite_page.read_text(encoding="utf-8")
    files = f"{format_bytes(model.stat().st_size)} -> {format_bytes(out.stat().st_size)}"
    assert f"file size: {files}" in rewrite_text
    for shown in (text, rewrite_text, inspect_page.read_text(), rewrite_page.read_text()):
        assert not DECIMAL_UNITS.search(shown), DECIMAL_UNITS.search(shown)
