"""Notebook round trip: only the changed source lines differ in the JSON, byte for byte."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from tests.fixers.helpers import NOTEBOOK_FIXTURES, copy, findings, notebook_json, run

CELLS = [
    "%matplotlib inline\nimport keras\nfrom keras.layers import Conv2D, Dense, Flatten\n",
    "!pip install keras\nmodel = keras.Sequential()\nmodel.add(keras.Input((32, 32, 3)))\n"
    "model.add(Conv2D(8, 3))  # é\n",
    "model.add(Flatten())  # flatten the “features”\nmodel.add(Dense(10))\nmodel.fit?",
]


def _changed_lines(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


@pytest.mark.parametrize("fixture", NOTEBOOK_FIXTURES, ids=[p.name for p in NOTEBOOK_FIXTURES])
def test_fixture_notebook_only_source_lines_change(fixture: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = copy(fixture, tmp_path)
    before = path.read_bytes()
    run(["lint", "--fix", str(path)], capsys)
    after = path.read_bytes()
    removed, added = _changed_lines(before, after)
    assert len(removed) == len(added) == len(findings(Path(fixture), "KF001"))
    for old, new in zip(removed, added, strict=True):
        assert old.replace(b"Flatten", b"GlobalAveragePooling2D") == new
    # Everything else (metadata, outputs, key order) is the same JSON.
    old_doc, new_doc = json.loads(before), json.loads(after)
    for cell in old_doc["cells"] + new_doc["cells"]:
        cell.pop("source")
    assert old_doc == new_doc


@pytest.mark.parametrize(
    ("indent", "ensure_ascii", "newline", "bom", "trailing"),
    [
        (1, False, "\n", False, "\n"),
        (2, True, "\n", False, ""),
        (1, False, "\r\n", True, "\r\n"),
        (4, True, "\r\n", False, ""),
    ],
)
def test_layout_is_preserved_byte_for_byte(  # type: ignore[no-untyped-def]
    tmp_path: Path, capsys, indent: int, ensure_ascii: bool, newline: str, bom: bool, trailing: str
) -> None:
    text = notebook_json(CELLS, indent=indent, ensure_ascii=ensure_ascii) + trailing
    text = text.replace("\n", newline) if newline != "\n" else text
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    path = tmp_path / "nb.ipynb"
    path.write_bytes(data)
    code, _, err = run(["lint", "--fix", str(path)], capsys)
    assert code == 0, err
    after = path.read_bytes()
    removed, added = _changed_lines(data, after)
    # The import line gains the new name; the Flatten line is renamed; nothing else moves.
    assert len(removed) == len(added) == 2, (removed, added)
    assert b"Conv2D, Dense, GlobalAveragePooling2D\\n" in added[0]  # unused Flatten gone
    assert added[1] == removed[1].replace(b"Flatten()", b"GlobalAveragePooling2D()")
    assert after.startswith(b"\xef\xbb\xbf") == bom
    assert after.endswith(trailing.encode()) and (trailing or not after.endswith(b"\n"))
    assert (b"\\u201c" in after) == ensure_ascii  # the quote in the comment keeps its escaping
    cells = json.loads(after.decode("utf-8-sig"))["cells"]
    assert cells[0]["source"][0] == "%matplotlib inline\n"  # magics survive
    assert cells[2]["source"][-1] == "model.fit?"


def test_string_source_and_cross_cell_import(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(notebook_json(CELLS))
    for cell in document["cells"]:
        cell["source"] = "".join(cell["source"])  # nbformat also allows one string
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    run(["lint", "--fix", str(path)], capsys)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    # The import in cell 1 gains the new name and loses Flatten, which no cell uses now.
    assert "from keras.layers import Conv2D, Dense, GlobalAveragePooling2D\n" in cells[0]["source"]
    assert not any("Flatten" in cell["source"] for cell in cells)
    assert cells[2]["source"].startswith("model.add(GlobalAveragePooling2D())  # flatten")
    assert findings(path, "KF001") == []
