"""Read the numbers a report page shows (its visible text), to compare with inspect's JSON.

Works on the page as written and on the DOM a browser dumps after rendering it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class ModelView:
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # data-layer, cell texts
    cards: dict[str, str] = field(default_factory=dict)  # card class -> its value text
    swap_cards: list[str] = field(default_factory=list)
    bars: list[tuple[str, str, int]] = field(default_factory=list)  # layer, kind, params


class PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.models: list[ModelView] = []
        self.links: list[str] = []
        self.pairs: dict[str, str] = {}  # the rewrite section's "label: value" rows
        self._pair: list[list[str]] | None = None
        self._pair_part: list[str] | None = None
        self.tags: set[str] = set()
        self._row: tuple[str, list[str]] | None = None
        self._cell: list[str] | None = None
        self._card: str | None = None
        self._card_text: list[str] | None = None
        self._bar_layer: str | None = None
        self._card_part = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        classes = a.get("class", "").split()
        for name in ("href", "src"):
            if name in a:
                self.links.append(a[name])
        if tag == "section" and "kf-model" in classes:
            self.models.append(ModelView())
        elif tag == "tr" and "data-layer" not in a:
            self._pair = []
        elif tag in ("th", "td") and self._pair is not None:
            self._pair_part = []
            self._pair.append(self._pair_part)
        if not self.models:
            return
        model = self.models[-1]
        if tag == "tr" and "data-layer" in a:
            self._row = (a["data-layer"], [])
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "div" and "kf-card" in classes:
            self._card = next(c for c in classes if c != "kf-card")
        elif tag in ("span", "small") and self._card is not None:
            self._card_text = []
            self._card_part = "" if tag == "span" else "-exact"
        elif tag == "g" and "kf-bar-row" in classes:
            self._bar_layer = a["data-layer"]
        elif tag == "rect" and "kf-bar" in classes and self._bar_layer is not None:
            model.bars.append((self._bar_layer, a["data-kind"], int(a["data-params"])))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td"):
            self._pair_part = None
        if tag == "tr" and self._pair is not None:
            if len(self._pair) == 2:
                key, value = ("".join(part).strip() for part in self._pair)
                self.pairs[key] = value
            self._pair = None
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row[1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.models[-1].rows.append(self._row)
            self._row = None
        elif tag in ("span", "small") and self._card_text is not None and self._card is not None:
            text = " ".join("".join(self._card_text).split())
            if self._card == "kf-swap":
                self.models[-1].swap_cards.append(text)
            else:
                self.models[-1].cards[self._card + self._card_part] = text
            self._card_text = None
        elif tag == "div" and self._card is not None and self._card_text is None:
            self._card = None
        elif tag == "g":
            self._bar_layer = None

    def handle_data(self, data: str) -> None:
        if self._pair_part is not None:
            self._pair_part.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._card_text is not None:
            self._card_text.append(data)


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


def numbers(text: str) -> list[int]:
    """The integers written in `text` with thousands separators ("1,234 → 56" -> [1234, 56])."""
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


def assert_page_matches(view: ModelView, model: dict[str, Any]) -> None:
    """Every number the page shows for a model equals inspect's JSON for it."""
    layers = model["layers"]
    assert [name for name, _ in view.rows] == [layer["layer"] for layer in layers]
    for (name, cells), layer in zip(view.rows, layers, strict=True):
        assert numbers(cells[2]) == [layer["params"]], name
        assert numbers(cells[3]) == [layer["params_after_swaps"]], name
        assert bool(cells[4].startswith("KF")) == bool(layer["findings"]), name
    total, after = model["total_params"], model["params_after_swaps"]
    shown = numbers(view.cards["kf-total"])
    assert shown[: 2 if model["swaps"] else 1] == ([total, after] if model["swaps"] else [total])
    if model["weight_bytes"] is not None:
        exact = numbers(view.cards.get("kf-bytes-exact") or view.cards["kf-bytes"])
        expected_bytes = [model["weight_bytes"]]
        if model["swaps"]:
            expected_bytes.append(model["weight_bytes_after_swaps"])
        assert exact == expected_bytes
    swaps = [f for f in model["findings"] if f["rule"] == "KF001"]
    expected = [[f["params_flatten"], f["params_pooling"]] for f in swaps]
    assert [numbers(text) for text in view.swap_cards] == expected
    charted = {layer["layer"]: layer for layer in layers if layer["params"] or layer["findings"]}
    bars = {(name, kind): value for name, kind, value in view.bars}
    assert {name for name, _ in bars} == set(charted)
    for name, layer in charted.items():
        assert bars[(name, "before")] == layer["params"], name
        assert bars[(name, "after")] == layer["params_after_swaps"], name
