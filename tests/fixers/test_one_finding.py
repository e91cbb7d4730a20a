"""Fixing one finding of several (an editor's quick fix, issue 23 point 2): the fix must remove
that finding and bring no new one; the file's other findings stay as they were, so a second
pass that would fix them does not make the fix "not converge"."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.fixers.apply import fix_text
from kerasfix.fixers.codemod import Rewrite, SourceEdit, rewrite
from kerasfix.fixers.convergence import identity
from kerasfix.fixers.policy import FixOptions
from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.fixers.helpers import FIXTURES

TWO_FINDINGS = [FIXTURES / "source" / "functional.py", FIXTURES / "source" / "backbones.py"]
NEW_MODEL = """
extra = keras.Sequential(
    [keras.Input(shape=({size}, 3)), layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)]
)
"""


@pytest.mark.parametrize("path", TWO_FINDINGS, ids=lambda p: p.name)
@pytest.mark.parametrize("which", [0, 1])
def test_each_finding_is_fixed_alone(path: Path, which: int) -> None:
    text = path.read_text(encoding="utf-8")
    found = lint_paths([path]).findings
    assert len(found) == 2 and all(f.rule == "KF001" for f in found)
    chosen = found[which]
    outcome = fix_text(str(path), "source", [text], found, FixOptions(), Settings(), [chosen])
    assert outcome.abandoned is None and outcome.changed
    assert outcome.fixed == [chosen]
    (left,) = outcome.remaining
    assert identity(left) == identity(found[1 - which])  # the other one, as it was
    lines = outcome.texts[0].splitlines()
    # Only the chosen Flatten changed (an added import may move lines: count from the end).
    before = text.splitlines()
    shift = len(lines) - len(before)
    assert "GlobalAveragePooling2D" in lines[chosen.line - 1 + shift]
    other = found[1 - which]
    assert lines[other.line - 1 + shift] == before[other.line - 1]


def test_fix_all_still_fixes_both() -> None:
    path = TWO_FINDINGS[0]
    found = lint_paths([path]).findings
    text = path.read_text(encoding="utf-8")
    outcome = fix_text(str(path), "source", [text], found, FixOptions(), Settings())
    assert outcome.abandoned is None
    assert outcome.fixed == found and outcome.remaining == []


def _adding_a_model(size: str):  # type: ignore[no-untyped-def]
    """The real codemod, followed by a model the fix had no business adding."""

    def rewriter(units: list[str], sites: list[SourceEdit]) -> Rewrite:
        result = rewrite(units, sites)
        result.texts[0] += NEW_MODEL.format(size=size)
        return result

    return rewriter


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ("8, 8", "does not converge"),  # a KF001 a second pass would fix
        ("None, None", "should not leave (KF002 at line"),  # a KF002 plain --fix leaves
    ],
)
def test_a_fix_that_brings_a_new_finding_is_abandoned(
    size: str, reason: str, tmp_path: Path
) -> None:
    from kerasfix.fixers.apply import fix_file

    path = tmp_path / "functional.py"
    path.write_bytes(TWO_FINDINGS[0].read_bytes())
    found = lint_paths([path]).findings
    outcome = fix_file(
        str(path), "source", found, FixOptions(), Settings(), rewriter=_adding_a_model(size)
    )
    assert outcome.abandoned is not None and reason in outcome.abandoned
    assert not outcome.changed and outcome.remaining == found


CELLS = [
    "import keras\nfrom keras.layers import Conv2D, Dense, Flatten\n",
    "a = keras.Sequential([keras.Input((32, 32, 3)), Conv2D(8, 3), Flatten(), Dense(4)])\n",
    "b = keras.Sequential([keras.Input((16, 16, 3)), Conv2D(8, 3), Flatten(), Dense(4)])\n",
]


@pytest.mark.parametrize("which", [0, 1])
def test_one_finding_of_a_notebook_is_fixed_alone(which: int) -> None:
    from kerasfix.engine import lint_program
    from kerasfix.frontends.notebook import program_from_cells

    found = lint_program(program_from_cells(CELLS, "nb.ipynb"), Settings())
    assert [f.cell for f in found] == [2, 3]
    outcome = fix_text(
        "nb.ipynb", "notebook", CELLS, found, FixOptions(), Settings(), [found[which]]
    )
    assert outcome.abandoned is None and outcome.fixed == [found[which]]
    assert [f.cell for f in outcome.remaining] == [found[1 - which].cell]
    fixed_cell, other_cell = 1 + which, 2 - which
    assert "GlobalAveragePooling2D()" in outcome.texts[fixed_cell]
    assert outcome.texts[other_cell] == CELLS[other_cell]
    assert "Flatten, GlobalAveragePooling2D" in outcome.texts[0]  # Flatten is still used
