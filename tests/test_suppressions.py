"""`# noqa`, `# kerasfix: ignore[...]` and `# kerasfix: skip-file`, in scripts and notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kerasfix.findings import Finding, Severity
from kerasfix.graph.model import SourceSpan
from kerasfix.suppressions import Suppressions, filter_findings, parse_comment, should_skip_file


def at(line: int, end_line: int | None = None, rule: str = "KF001", cell=None) -> Finding:
    span = SourceSpan(line, 1, end_line or line, 10, cell=cell)
    return Finding(rule=rule, severity=Severity.WARNING, message="m", path="x.py", span=span)


@pytest.mark.parametrize(
    ("comment", "codes"),
    [
        ("# noqa", set()),
        ("#noqa", set()),
        ("# NOQA", set()),
        ("# noqa: KF001", {"KF001"}),
        ("# noqa:KF001,KF002", {"KF001", "KF002"}),
        ("# noqa: KF001 KF002", {"KF001", "KF002"}),
        ("# noqa: kf001, E501  # a reason", {"KF001", "E501"}),
        ("# noqa: this is fine", set()),  # flake8: no codes parsed means a blanket noqa
    ],
)
def test_noqa_grammar(comment: str, codes: set[str]) -> None:
    (directive,) = parse_comment(comment, own_line=False)
    assert directive.kind == "noqa" and set(directive.codes) == codes


@pytest.mark.parametrize(
    ("comment", "codes"),
    [
        ("# kerasfix: ignore[KF001]", {"KF001"}),
        ("# KERASFIX: IGNORE[kf001, KF002]", {"KF001", "KF002"}),
        ("# kerasfix: ignore", set()),
        ("#kerasfix:ignore[KF]", {"KF"}),
    ],
)
def test_ignore_grammar(comment: str, codes: set[str]) -> None:
    (directive,) = parse_comment(comment, own_line=True)
    assert directive.kind == "ignore" and set(directive.codes) == codes


def test_not_directives() -> None:
    assert parse_comment("# noqaKF001 is not it", False)[0].codes == frozenset()  # like flake8
    assert parse_comment("# kerasfix: ignored", False) == []
    assert parse_comment("# nothing here", False) == []


SOURCE = """\
a = Flatten()  # noqa: KF001
b = Flatten()  # noqa: KF002
c = Flatten()  # noqa
d = Flatten()  # kerasfix: ignore[KF001]
# kerasfix: ignore[KF001]
e = Flatten()
# noqa: KF001
f = Flatten()
x = Flatten(
    name="g",  # noqa: KF001
)
s = "# noqa"; h = Flatten()
# kerasfix: ignore[KF001]

i = Flatten()
"""


@pytest.mark.parametrize(
    ("line", "end", "suppressed"),
    [
        (1, None, True),
        (2, None, False),  # other code
        (3, None, True),  # blanket
        (4, None, True),
        (6, None, True),  # own line directly above
        (8, None, False),  # a no-qa comment above does not count (flake8)
        (9, 11, True),  # anywhere in the flagged range
        (12, None, False),  # the directive inside a string is not a comment
        (15, None, False),  # a blank line in between
    ],
)
def test_where_comments_apply(line: int, end: int | None, suppressed: bool) -> None:
    assert Suppressions(SOURCE).suppresses("KF001", line, end) is suppressed


def test_prefix_and_other_rules() -> None:
    table = Suppressions("x = 1  # noqa: KF\ny = 2  # kerasfix: ignore[KF002]\n")
    assert table.suppresses("KF001", 1) and table.suppresses("KF002", 1)
    assert not table.suppresses("KF001", 2) and table.suppresses("KF002", 2)


def test_notebook_lines_are_relative_to_the_cell() -> None:
    cells = ["import keras\n", "%matplotlib inline\nx = Flatten()  # noqa\n", "y = Flatten()\n"]
    kept = filter_findings([at(2, cell=2), at(1, cell=3), at(2, cell=1)], None, cells)
    assert [(f.cell, f.line) for f in kept] == [(3, 1), (1, 2)]


def test_model_findings_are_never_suppressed_inline() -> None:
    model = Finding(rule="KF001", severity=Severity.WARNING, message="m", layer_path=("f",))
    assert filter_findings([model], "# noqa\n", None) == [model]


def test_skip_file(tmp_path: Path) -> None:
    skipped = tmp_path / "a.py"
    skipped.write_text('"""Doc."""\n# kerasfix: skip-file\nimport keras\n')
    in_string = tmp_path / "b.py"
    in_string.write_text('x = """\n# kerasfix: skip-file\n"""\n')
    trailing = tmp_path / "c.py"
    trailing.write_text("x = 1  # kerasfix: skip-file\n")
    assert should_skip_file(skipped)
    assert not should_skip_file(in_string)
    assert not should_skip_file(trailing)  # must stand on its own line
    notebook = tmp_path / "n.ipynb"
    cell = {"cell_type": "code", "source": ["# kerasfix: skip-file\n", "x = 1\n"]}
    notebook.write_text(json.dumps({"cells": [cell]}))
    assert should_skip_file(notebook)
    markdown = tmp_path / "m.ipynb"
    md = {"cell_type": "markdown", "source": ["# kerasfix: skip-file"]}
    markdown.write_text(json.dumps({"cells": [md]}))
    assert not should_skip_file(markdown)


def test_skip_file_does_not_parse(tmp_path: Path) -> None:
    from kerasfix.runner import lint_paths

    broken = tmp_path / "broken.py"
    broken.write_text("# kerasfix: skip-file\ndef (:\n")
    result = lint_paths([broken])
    assert result.errors == [] and result.files == []
    assert [s.path for s in result.skipped] == [broken.as_posix()]


# End to end through the source and notebook frontends.
BLOWUP = """\
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3),
        layers.Flatten(),{comment}
        layers.Dense(128),
    ]
)
"""


@pytest.mark.parametrize(
    ("comment", "found"),
    [
        ("", 1),
        ("  # noqa", 0),
        ("  # noqa: KF001", 0),
        ("  # noqa: KF002", 1),
        ("  # kerasfix: ignore[KF001]", 0),
    ],
)
def test_end_to_end_script(tmp_path: Path, comment: str, found: int) -> None:
    from kerasfix.runner import lint_paths

    path = tmp_path / "m.py"
    path.write_text(BLOWUP.format(comment=comment))
    result = lint_paths([path])
    assert result.errors == []
    assert len(result.findings) == found


def test_end_to_end_line_above_and_notebook(tmp_path: Path) -> None:
    from kerasfix.runner import lint_paths

    above = BLOWUP.format(comment="").replace(
        "        layers.Flatten()", "        # kerasfix: ignore[KF001]\n        layers.Flatten()"
    )
    script = tmp_path / "above.py"
    script.write_text(above)
    cells = [BLOWUP.format(comment=""), BLOWUP.format(comment="  # noqa: KF001")]
    notebook = tmp_path / "n.ipynb"
    notebook.write_text(
        json.dumps(
            {
                "nbformat": 4,
                "nbformat_minor": 5,
                "metadata": {},
                "cells": [
                    {"cell_type": "code", "metadata": {}, "outputs": [],
                     "execution_count": None, "source": source}
                    for source in cells
                ],
            }
        )
    )  # fmt: skip
    result = lint_paths([script, notebook])
    assert result.errors == []
    assert [(Path(f.path).name, f.cell, f.line) for f in result.findings] == [("n.ipynb", 1, 8)]
