"""The unused `Flatten` import is found by names, not text (issue 23 point 4): a comment or a
docstring saying "Flatten", in any notebook cell, does not keep it; a real use anywhere does.
The removal keeps the import's formatting."""

from __future__ import annotations

import json
from pathlib import Path

import libcst as cst
import pytest

from kerasfix.fixers.unused_imports import drop_import, uses_name
from tests.fixers.helpers import notebook_json, run

IMPORTS = "import keras\nfrom keras.layers import Conv2D, Dense, Flatten\n"
MODEL = "model = keras.Sequential([keras.Input((32, 32, 3)), Conv2D(8, 3), Flatten(), Dense(4)])\n"
FIXED_IMPORT = "from keras.layers import Conv2D, Dense, GlobalAveragePooling2D\n"


def _fixed_cells(cells: list[str], tmp_path: Path, capsys) -> list[str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook_json(cells), encoding="utf-8")
    assert run(["lint", "--isolated", "--fix", str(path)], capsys)[0] == 0
    return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]


def test_a_comment_cell_saying_flatten_does_not_keep_the_import(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    comment = "# Flatten the features, then classify\n"
    cells = _fixed_cells([comment, IMPORTS, MODEL], tmp_path, capsys)
    assert cells[0] == comment  # the comment itself is untouched
    assert cells[1] == "import keras\n" + FIXED_IMPORT
    # The same code as a script gets the same import.
    script = tmp_path / "m.py"
    script.write_text(comment + IMPORTS + MODEL, encoding="utf-8")
    run(["lint", "--isolated", "--fix", str(script)], capsys)
    assert FIXED_IMPORT in script.read_text(encoding="utf-8")


def test_a_docstring_saying_flatten_does_not_keep_the_import(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    doc = '"""Flatten the features (the old head)."""\n'
    cells = _fixed_cells([IMPORTS, doc + MODEL], tmp_path, capsys)
    assert cells[0] == "import keras\n" + FIXED_IMPORT


@pytest.mark.parametrize(
    "use",
    [
        "v = Flatten()\n",  # called in another cell
        "__all__ = ['Flatten']\n",  # exported by name
        "def head(x: 'Flatten') -> None: ...\n",  # a string annotation
        "layer_class = Flatten\n",  # referred to, not called
    ],
)
def test_a_use_in_another_cell_keeps_the_import(use: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    cells = _fixed_cells([IMPORTS, MODEL, use], tmp_path, capsys)
    assert "Flatten, GlobalAveragePooling2D" in cells[0]


@pytest.mark.parametrize(
    ("text", "used"),
    [
        ("x = layers.Flatten()\n", False),  # another module's attribute
        ("f(Flatten=1)\n", False),  # a keyword argument's name
        ("from torch.nn import Flatten\n", False),  # an import is a binding, not a use
        ("print('Flatten me')\n", False),
        ("y = [Flatten]\n", True),
        ("y = f'{Flatten}'\n", True),
        ("if True print(Flatten)\n", True),  # does not parse: assumed used
    ],
)
def test_uses_name(text: str, used: bool) -> None:
    assert uses_name(["import keras\n", text], "Flatten") is used


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("from x import A, Flatten, B\n", "from x import A, B\n"),
        ("from x import A, Flatten\n", "from x import A\n"),
        ("import os\nfrom x import Flatten\nimport sys\n", "import os\nimport sys\n"),
        ("from x import Flatten as F, B\n", "from x import Flatten as F, B\n"),  # another local
        ("from y import A, Flatten\n", "from y import A, Flatten\n"),  # another module
        (  # a comment on a line of its own stays; one on the dropped name's line goes
            "from x import (\n    A,\n    Flatten,  # old\n    # the head\n    B,\n)\n",
            "from x import (\n    A,\n    # the head\n    B,\n)\n",
        ),
    ],
)
def test_drop_import_keeps_the_formatting(before: str, after: str) -> None:
    assert drop_import(cst.parse_module(before), "x", "Flatten", "Flatten").code == after
