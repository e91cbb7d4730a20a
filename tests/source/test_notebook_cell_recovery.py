"""A notebook cell with a syntax error far below its model (heldout7: harshan7090/Gesture-to-
Speech-Conversion-using-image-processing CODE.ipynb cell 1, an unterminated string 170 lines
under the model) is read around the error as a `.py` file is (recovery.py): the model is
linted at the cell's own positions, the skipped lines are said, and `--fix` leaves that cell
as it is (a rewrite needs the whole cell's code) while it fixes the other cells.

Counts: the model of test_indented_cells.py (14x14x4 into Dense(2): 1,570 parameters).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kerasfix.cli import main
from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.source.test_indented_cells import IMPORTS, MODEL, _notebook

BROKEN = "".join(MODEL) + "x = 1\nprint('unterminated)\ny = 2\n"  # error at line 8


def test_a_cell_with_a_syntax_error_below_its_model_is_linted(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "nb.ipynb", IMPORTS, BROKEN)
    result = lint_paths([path], Settings())
    assert result.errors == []
    (finding,) = result.findings
    assert (finding.rule, finding.cell, finding.line, finding.column) == ("KF001", 2, 4, 5)
    assert (finding.data.shape, finding.data.params_flatten) == ((14, 14, 4), 1_570)
    (note,) = [n for n in result.notes if "cell 2" in n]
    assert "cell 2:8:7: syntax error: unterminated string literal" in note
    assert "skipped line 8 of the cell" in note


def test_a_syntax_error_inside_the_model_leaves_nothing_to_report(tmp_path: Path) -> None:
    broken_model = "".join(MODEL).replace("layers.Dense(2)", "layers.Dense(2 2)")
    path = _notebook(tmp_path / "nb.ipynb", IMPORTS, broken_model + "z = 3\n")
    result = lint_paths([path], Settings())
    assert result.findings == []
    assert any("cell 2:5:" in note and "skipped lines 1-6" in note for note in result.notes)


def test_fix_leaves_the_broken_cell_and_fixes_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _notebook(tmp_path / "nb.ipynb", IMPORTS + "".join(MODEL), BROKEN)
    main(["lint", "--no-cache", "--fix", str(path)])
    captured = capsys.readouterr()
    cells = [c["source"] for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    assert "GlobalAveragePooling2D()" in cells[0] and "Flatten" not in cells[0]
    assert cells[1] == BROKEN
    assert "cell 2 not fixed: it does not parse (cell 2:8:7: syntax error" in captured.err
    assert "nb.ipynb:cell 2:4:5: KF001" in captured.out
