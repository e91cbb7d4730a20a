"""`%run other.ipynb` / `%run utils.py` in a notebook: IPython runs that project file and its
names land in the notebook's namespace; read statically like an import (never run)."""

from __future__ import annotations

import json
from pathlib import Path

from kerasfix.frontends.source.magics import blank_magic_lines
from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

MODEL = (
    "from tensorflow.keras import layers, models\n"
    "model = models.Sequential([layers.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, CHANNELS)),\n"
    "    layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(10)])"
)


def _notebook(path: Path, cells: list[str]) -> None:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    document = {
        "cells": [{**cell, "source": source} for source in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document), encoding="utf-8")


def _lint(path: Path) -> list[tuple[str, object, str]]:
    result = lint_paths([path], Settings())
    assert not result.errors, result.errors
    return [(f.rule, f.data.shape, f.message) for f in result.findings]


def test_a_run_notebook_defines_the_sizes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    _notebook(
        tmp_path / "data_exploration.ipynb",
        [
            "import tensorflow as tf",
            "%matplotlib inline\nBATCH = 32\nIMAGE_SIZE = 64\nCHANNELS = 3",
        ],
    )
    _notebook(tmp_path / "training.ipynb", ["%run data_exploration.ipynb", MODEL])
    # Keras: 64x64x3 -> Conv2D 3x3 valid -> 62x62x8 -> Dense(10).
    [(rule, shape, message)] = _lint(tmp_path / "training.ipynb")
    assert (rule, shape) == ("KF001", (62, 62, 8))
    assert "IMAGE_SIZE = 64 (data_exploration.ipynb:cell 2:3)" in message


def test_a_run_script_runs_as_main(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "settings.py").write_text(
        "IMAGE_SIZE = 5\nif __name__ == '__main__':\n    IMAGE_SIZE = 32\n    CHANNELS = 1\n",
        encoding="utf-8",
    )
    _notebook(tmp_path / "training.ipynb", ["%run -i settings", MODEL])
    # Keras: 32x32x1 -> 30x30x8.
    assert [(rule, shape) for rule, shape, _ in _lint(tmp_path / "training.ipynb")] == [
        ("KF001", (30, 30, 8))
    ]


def test_a_run_file_that_is_missing_leaves_the_names_unknown(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    _notebook(tmp_path / "training.ipynb", ["%run missing.ipynb", MODEL])
    assert [rule for rule, _, _ in _lint(tmp_path / "training.ipynb")] == ["KF002"]


def test_only_literal_run_paths_become_runs() -> None:
    text = "%run prep.ipynb\n  %run -i 'a b.py' x\n%run $path\n%run {name}.py\n%time x = 1"
    assert blank_magic_lines(text).split("\n") == [
        "__kerasfix_run__('prep.ipynb')",
        "  __kerasfix_run__('a b.py')",
        "pass",
        "pass",
        "pass",
    ]


def test_a_run_notebook_with_large_outputs_is_read(tmp_path: Path) -> None:
    """A notebook's plots make it megabytes long; its code is what counts (bounded as
    callers' notebooks are, 8 MB), not the 1 MB bound of a Python module."""
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    _notebook(tmp_path / "data_exploration.ipynb", ["IMAGE_SIZE = 32\nCHANNELS = 1"])
    document = json.loads((tmp_path / "data_exploration.ipynb").read_text(encoding="utf-8"))
    plot = {"output_type": "display_data", "data": {"image/png": "A" * 1_500_000}, "metadata": {}}
    document["cells"][0]["outputs"] = [plot]
    (tmp_path / "data_exploration.ipynb").write_text(json.dumps(document), encoding="utf-8")
    assert (tmp_path / "data_exploration.ipynb").stat().st_size > 1_000_000
    _notebook(tmp_path / "training.ipynb", ["%run data_exploration.ipynb", MODEL])
    # Keras: 32x32x1 -> 30x30x8.
    assert [(rule, shape) for rule, shape, _ in _lint(tmp_path / "training.ipynb")] == [
        ("KF001", (30, 30, 8))
    ]
