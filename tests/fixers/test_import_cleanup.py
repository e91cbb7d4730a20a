"""`--fix` leaves no lint debt (issue 11, point 8): the unused `Flatten` import goes, a fixed
import line keeps the project's line length, remaining KF002 findings say why, and the
"more fixes" count agrees with the findings listed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixers.helpers import notebook_json, run

MODEL = """\
import keras
from keras.layers import BatchNormalization, Conv2D, Dense, Dropout, Flatten, MaxPooling2D

model = keras.Sequential(
    [
        keras.Input((32, 32, 3)),
        Conv2D(8, 3),
        BatchNormalization(),
        MaxPooling2D(),
        Flatten(),
        Dropout(0.5),
        Dense(10),
    ]
)
"""
STILL_USED = MODEL + "vector = Flatten()  # used again: the import must stay\n"
UNKNOWN = """\
import keras
from keras.layers import Conv1D, Conv2D, Dense, Flatten


def head(x):
    return keras.Sequential([keras.layers.BatchNormalization(input_shape=x.shape[1:]),
                             Conv1D(8, 3), Flatten(), Dense(4)])


def sized(size):
    return keras.Sequential([keras.Input((size, size, 3)), Conv2D(8, 3), Flatten(), Dense(4)])
"""


def ruff(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, str(path)], capture_output=True, text=True
    )


def test_the_unused_flatten_import_is_removed_and_ruff_agrees(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    assert run(["lint", "--isolated", "--fix", str(path)], capsys)[0] == 0
    text = path.read_text()
    assert "Flatten" not in text
    check = ruff(path, "check", "--isolated", "--select", "F401,E501")
    assert check.returncode == 0, check.stdout


def test_a_flatten_still_used_keeps_its_import(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(STILL_USED)
    run(["lint", "--isolated", "--fix", str(path)], capsys)
    assert "    Dropout,\n    Flatten,\n    GlobalAveragePooling2D,\n" in path.read_text()


def test_a_flatten_used_in_another_notebook_cell_keeps_its_import(tmp_path: Path, capsys) -> None:
    cells = [
        "import keras\nfrom keras.layers import Conv2D, Dense, Flatten\n",
        "m = keras.Sequential([keras.Input((32, 32, 3)), Conv2D(8, 3), Flatten(), Dense(4)])\n",
        "v = Flatten()\n",
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook_json(cells), encoding="utf-8")
    run(["lint", "--isolated", "--fix", str(path)], capsys)
    first = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
    assert "Conv2D, Dense, Flatten, GlobalAveragePooling2D" in first


@pytest.mark.parametrize(("config", "limit"), [("", 88), ("[tool.ruff]\nline-length = 79\n", 79)])
def test_a_fixed_import_line_is_wrapped_at_the_projects_line_length(
    tmp_path: Path, capsys, config: str, limit: int
) -> None:
    if config:
        (tmp_path / "pyproject.toml").write_text(config)
    path = tmp_path / "m.py"
    path.write_text(STILL_USED)  # Flatten stays, so the import line grows past the limit
    run(["lint", "--isolated", "--fix", str(path)], capsys)
    text = path.read_text()
    assert max(len(line) for line in text.splitlines()) <= max(limit, 79)
    assert "from keras.layers import (\n    BatchNormalization,\n" in text
    assert "    GlobalAveragePooling2D,\n    MaxPooling2D,\n)\n" in text
    formatted = ruff(path, "format", "--diff", f"--line-length={limit}", "--isolated")
    assert formatted.returncode == 0, formatted.stdout  # as Ruff's formatter would write it


def test_remaining_kf002_say_why_and_counts_agree(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(UNKNOWN)
    code, out, err = run(["lint", "--isolated", "--fix", str(path)], capsys)
    listed = len(re.findall(r": KF002 \[", out))
    more = int(re.search(r"(\d+) more fix(?:es)? available", err).group(1))  # type: ignore[union-attr]
    none = int(re.search(r"(\d+) remaining findings? ha(?:s|ve) no automatic fix", err).group(1))  # type: ignore[union-attr]
    assert (listed, more, none) == (2, 1, 1)
    assert more + none == listed
    (reason,) = [line for line in err.splitlines() if line.startswith("warning:")]
    assert (
        reason.startswith(f"warning: {path.as_posix()}:7:") and "rank of the feature map" in reason
    )
    code, out, err = run(["lint", "--isolated", "--fix", "--unsafe-fixes", str(path)], capsys)
    assert code == 1  # one KF002 is left
    assert len(re.findall(r": KF002 \[", out)) == 1
    assert "more fix" not in err and "not fixed: the rank of the feature map" in err
