"""The HTML page as written: self-contained, escaped, and showing inspect's own numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kerasfix
from kerasfix.inspection.tables import layer_table, read_every_model
from tests.html_report.page_data import assert_page_matches, read_page
from tests.html_report.test_source_tables import NESTED, NOTEBOOK, inspect_cli, inspect_json

SELF_CONTAINED_TAGS = {"script", "link", "img", "iframe", "object", "embed", "audio", "video"}


def write_page(source: Path, page: Path) -> str:
    result = inspect_cli(str(source), "--html", str(page))
    assert result.returncode == 0, result.stderr
    return page.read_text(encoding="utf-8")


@pytest.mark.parametrize("source", [NESTED, NOTEBOOK], ids=lambda p: p.name)
def test_page_numbers_equal_inspect_json(source: Path, tmp_path: Path) -> None:
    html = write_page(source, tmp_path / "page.html")
    page = read_page(html)
    models = inspect_json(source)["models"]
    assert len(page.models) == len(models)
    for view, model in zip(page.models, models, strict=True):
        assert_page_matches(view, model)


def test_page_is_self_contained(tmp_path: Path) -> None:
    html = write_page(NESTED, tmp_path / "page.html")
    page = read_page(html)
    assert not page.tags & SELF_CONTAINED_TAGS
    assert page.links and all(link.startswith("#rule-") for link in page.links)
    assert "url(" not in html and "@import" not in html
    # Every rule link has its target in the page (the rule text is embedded).
    for link in set(page.links):
        assert f'id="{link[1:]}"' in html


def test_names_from_the_file_are_escaped(tmp_path: Path) -> None:
    source = tmp_path / "hostile.py"
    source.write_text(
        "import keras\n"
        "m = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(name='<u>f</u>'),\n"
        "    keras.layers.Dense(4)], name='<script>alert(1)</script>')\n"
    )
    html = write_page(source, tmp_path / "page.html")
    page = read_page(html)
    assert "script" not in page.tags and "u" not in page.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    (view,) = page.models
    assert view.rows[0][0] == "<u>f</u>"  # a Sequential lists no Input


def test_axis_is_logarithmic_only_when_layers_differ_by_orders(tmp_path: Path) -> None:
    tables = layer_table(read_every_model(NESTED, "source"))
    by_name = {t.name: t for t in tables}
    from kerasfix.html_report.chart import parameter_chart

    # 896 .. 4,194,560 parameters: log; 896 and 18,496: linear; one layer whose swap takes
    # it from 524,320 to 2,080: log, or the bar after the swap would be invisible.
    assert 'data-scale="log"' in parameter_chart(by_name["functional_1"])
    assert 'data-scale="linear"' in parameter_chart(by_name["trunk"])
    assert 'data-scale="log"' in parameter_chart(by_name["classifier"])


def test_summary_renders_in_jupyter() -> None:
    (table,) = kerasfix.inspect(NOTEBOOK)  # what a notebook displays
    fragment = table._repr_html_()
    view = read_page(f'<section class="kf-model">{fragment}</section>').models[0]
    assert view.swap_cards == ["1,569 → 9"]
    assert {(name, kind): value for name, kind, value in view.bars} == {
        ("conv2d", "before"): 80,
        ("conv2d", "after"): 80,
        ("flatten", "before"): 0,
        ("flatten", "after"): 0,
        ("dense", "before"): 1_569,
        ("dense", "after"): 9,
    }
    assert "<style>" in fragment and "body{" not in fragment  # never restyles the notebook


PROBE = """
import sys
from kerasfix.cli import main
main(["lint", "--exit-zero", {path!r}])
lint = sorted(m for m in sys.modules if m.startswith("kerasfix.html_report"))
main(["inspect", {path!r}, "--html", {page!r}])
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{"tensorflow", "keras"}})
print(json.dumps({{"lint": lint, "heavy": heavy}}) if (json := __import__("json")) else "")
"""


def test_lint_never_loads_the_report_and_the_report_never_loads_keras(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    script = PROBE.format(path=str(NESTED), page=str(page))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"lint": [], "heavy": []}
    assert page.stat().st_size > 0
