"""The report pages in a real headless Chromium: no console errors, a visible chart, and the
numbers the browser shows equal to `inspect --output-format json` (and the rewrite report)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kerasfix.html_report.chart import AFTER_COLOUR, BEFORE_COLOUR, SITE_COLOUR
from tests.cli_here import run_here
from tests.html_report.page_data import assert_page_matches, read_page
from tests.html_report.test_source_tables import NESTED, inspect_cli, inspect_json

MIN_CHART_PIXELS = 200  # each chart colour covers at least this many pixels


def rgb(colour: str) -> bytes:
    return bytes.fromhex(colour.lstrip("#"))


def assert_chart_visible(chromium: ModuleType, png: bytes) -> None:
    counts = chromium.colour_count(png)
    pixels = sum(counts.values())
    assert max(counts.values()) < 0.95 * pixels, "the screenshot is (nearly) one colour"
    for colour in (BEFORE_COLOUR, AFTER_COLOUR, SITE_COLOUR):
        assert counts.get(rgb(colour), 0) >= MIN_CHART_PIXELS, colour


def render(chromium: ModuleType, browser: str, page: Path, height: int = 900) -> tuple[str, bytes]:
    """The DOM the browser built and a screenshot; neither run may log to the console."""
    dom = chromium.dump_dom(browser, page)
    shot = chromium.screenshot(browser, page, page.with_suffix(".png"), 900, height)
    assert dom.console == [] and shot.console == []
    return dom.output.decode("utf-8"), shot.output


def test_console_messages_are_caught(chromium: ModuleType, browser: str, tmp_path: Path) -> None:
    """The console check can fail: a page that logs an error is seen to."""
    page = tmp_path / "noisy.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>console.error('kf-marker')</script>")
    messages = chromium.dump_dom(browser, page).console
    assert any("kf-marker" in message for message in messages)


def test_blank_page_is_caught(chromium: ModuleType, browser: str, tmp_path: Path) -> None:
    page = tmp_path / "blank.html"
    page.write_text("<!DOCTYPE html><title>blank</title>")
    png = chromium.screenshot(browser, page, tmp_path / "blank.png", 300, 200).output
    with pytest.raises(AssertionError):
        assert_chart_visible(chromium, png)


def test_source_page_in_chromium(chromium: ModuleType, browser: str, tmp_path: Path) -> None:
    page = tmp_path / "nested.html"
    assert inspect_cli(str(NESTED), "--html", str(page)).returncode == 0
    # Tall enough for the second model, the first with a Flatten -> Dense site.
    dom, png = render(chromium, browser, page, height=1300)
    shown = read_page(dom)
    models = inspect_json(NESTED)["models"]
    assert len(shown.models) == len(models) == 4
    for view, model in zip(shown.models, models, strict=True):
        assert_page_matches(view, model)
    assert_chart_visible(chromium, png)


def run_kerasfix(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kerasfix", *args], capture_output=True, text=True, timeout=600
    )


@pytest.mark.keras
def test_rewrite_report_in_chromium(
    chromium: ModuleType, browser: str, cnn_with_data: tuple[Path, Path], tmp_path: Path
) -> None:
    model, data = cnn_with_data
    page, out = tmp_path / "rewrite.html", tmp_path / "out.keras"
    before = model.read_bytes()
    result = run_here(
        "rewrite", str(model), "-o", str(out), "--verify-data", str(data),
        "--report-format", "json", "--html-report", str(page),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert model.read_bytes() == before
    report = json.loads(result.stdout)
    dom, png = render(chromium, browser, page)
    shown = read_page(dom)
    (view,) = shown.models
    assert_page_matches(view, inspect_json_of(model))
    # The page's "after" is what the rewrite really wrote.
    assert view.cards["kf-total"].split(" (")[0] == (
        f"{report['params_before']:,} → {report['params_after']:,}"
    )
    outputs: dict[str, Any] = report["outputs"]
    assert shown.pairs["Samples compared"] == f"{int(outputs['samples']):,}"
    assert shown.pairs["Max |output difference|"] == f"{outputs['max_abs_diff']:.4g}"
    assert shown.pairs["Mean |output difference|"] == f"{outputs['mean_abs_diff']:.4g}"
    assert shown.pairs["Top-1 agreement"] == f"{outputs['top1_agreement']:.1%}"
    assert shown.pairs["Accuracy before → after"] == (
        f"{outputs['accuracy_before']:.1%} → {outputs['accuracy_after']:.1%}"
    )
    assert shown.pairs["Parameters"] == f"{report['params_before']:,} → {report['params_after']:,}"
    assert_chart_visible(chromium, png)


def inspect_json_of(model: Path) -> dict[str, Any]:
    result = run_kerasfix("inspect", str(model), "--output-format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.keras
def test_rewrite_report_over_a_model_is_refused(cnn_with_data: tuple[Path, Path], tmp_path: Path):
    model, _ = cnn_with_data
    before = model.read_bytes()
    out = tmp_path / "out.keras"
    result = run_kerasfix("rewrite", str(model), "-o", str(out), "--html-report", str(model))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "overwrite a model file" in result.stderr
    assert model.read_bytes() == before and not out.exists()


@pytest.mark.keras
@pytest.mark.slow
@pytest.mark.xdist_group("big-models")  # the worker that builds VGG16 (tests/conftest.py)
def test_vgg16_page_shows_the_saving_at_a_glance(
    chromium: ModuleType, browser: str, vgg16_path: Path, tmp_path: Path
) -> None:
    page = tmp_path / "vgg16.html"
    result = run_kerasfix("inspect", str(vgg16_path), "--html", str(page))
    assert result.returncode == 0, result.stderr
    dom, png = render(chromium, browser, page)
    (view,) = read_page(dom).models
    assert view.swap_cards == ["102,764,544 → 2,101,248"]
    assert_page_matches(view, inspect_json_of(vgg16_path))
    assert_chart_visible(chromium, png)
