"""A notebook cell indented as a whole (heldout6: xslittlegrass/CarND-Behavioral-Cloning
project-3.ipynb cell 17, every line tab-indented): IPython removes the first line's
indentation from every line before running the cell (its `leading_indent` transformer), so
the cell runs and its model is linted; positions stay those of the cell as written.

Counts: Conv2D(4, 3) valid on 16x16x1 gives 14x14x4, Dense(2) after Flatten 14*14*4*2 + 2
= 1,570 parameters (as Keras builds it: tests/source/test_data_shapes.py's arithmetic).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kerasfix.cli import main
from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

IMPORTS = "from keras import layers, models\n"
MODEL = [
    "model = models.Sequential([\n",
    "    layers.Input((16, 16, 1)),\n",
    "    layers.Conv2D(4, 3),\n",
    "    layers.Flatten(),\n",  # line 4 of the cell
    "    layers.Dense(2),\n",
    "])\n",
]


def _notebook(path: Path, *cells: str) -> Path:
    document = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": c,
                "outputs": [],
                "execution_count": None,
            }
            for c in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _indented(prefix: str) -> str:
    return "".join(prefix + line if line.strip() else line for line in MODEL)


@pytest.mark.parametrize("prefix", ["\t", "    "], ids=["tab", "spaces"])
def test_a_cell_indented_as_a_whole_is_linted_at_its_own_positions(
    tmp_path: Path, prefix: str
) -> None:
    cell = _indented(prefix)
    path = _notebook(tmp_path / "nb.ipynb", IMPORTS, cell)
    result = lint_paths([path], Settings())
    assert result.errors == []
    (finding,) = result.findings
    assert (finding.rule, finding.cell, finding.line) == ("KF001", 2, 4)
    assert (finding.data.shape, finding.data.params_flatten) == ((14, 14, 4), 1_570)
    line = cell.splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith("layers.Flatten()")


def test_a_cell_whose_later_lines_are_less_indented_is_still_skipped(tmp_path: Path) -> None:
    # IPython takes the first line's indentation off the lines that start with it only:
    # a statement less indented than the first line stays a syntax error there too.
    cell = "    size = 16\n  " + "".join(MODEL)
    path = _notebook(tmp_path / "nb.ipynb", IMPORTS, cell)
    result = lint_paths([path], Settings())
    assert result.findings == []
    assert any("cell 2" in note and "skipped" in note for note in result.notes), result.notes


def test_fix_rewrites_an_indented_cell_and_keeps_its_indentation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    indented = _indented("\t").replace("Dense(2)", "Dense(3)")
    path = _notebook(tmp_path / "nb.ipynb", IMPORTS + "".join(MODEL), indented)
    main(["lint", "--no-cache", "--fix", str(path)])
    captured = capsys.readouterr()
    assert "Fixed 2 findings" in captured.out + captured.err
    cells = [c["source"] for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    assert "GlobalAveragePooling2D()" in cells[0] and "Flatten" not in cells[0]
    assert cells[1] == indented.replace("layers.Flatten()", "layers.GlobalAveragePooling2D()")
