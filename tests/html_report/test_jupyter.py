"""`_repr_html_`: `kerasfix.check(model)` and `kerasfix.inspect(...)` draw the inspect chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kerasfix
from tests.html_report.page_data import read_page
from tests.html_report.test_source_tables import NESTED


def shown(fragment: str) -> Any:
    (view,) = read_page(f'<section class="kf-model">{fragment}</section>').models
    return view


def test_inspect_of_a_source_file_renders_every_model() -> None:
    tables = kerasfix.inspect(NESTED)
    html = tables._repr_html_()
    assert html.count('<svg class="kf-chart"') == len(tables) == 4
    assert "After 1 KF001 swap to global pooling: 38,602 params" in str(tables)


@pytest.mark.keras
def test_live_model_check_and_inspect_show_the_chart(cnn_with_data: tuple[Path, Path]) -> None:
    keras = pytest.importorskip("keras")
    model = keras.saving.load_model(cnn_with_data[0])
    findings = kerasfix.check(model)
    view = shown(findings._repr_html_().split("<table>")[0])
    # Conv2D(8, 3) on 12x12x3 -> 10x10x8 = 800 features; Dense(16): 800*16 + 16 = 12,816;
    # after pooling: 8*16 + 16 = 144.
    assert view.swap_cards == ["12,816 → 144"]
    bars = {(name, kind): value for name, kind, value in view.bars}
    assert (bars[("fc", "before")], bars[("fc", "after")]) == (12_816, 144)
    assert bars[("conv", "before")] == model.get_layer("conv").count_params()
    (table,) = kerasfix.inspect(model)
    assert table.total_params == model.count_params()
    assert shown(table._repr_html_()).swap_cards == ["12,816 → 144"]
    assert "<table>" in findings._repr_html_()  # the findings table is still there
