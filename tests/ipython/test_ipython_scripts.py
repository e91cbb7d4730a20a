"""`%load_ext kerasfix` when IPython runs code as a script (issue 23 point 15): `ipython -c
CODE` keeps no history and `ipython file.ipy` / `ipython notebook.ipynb` run each cell
silently (no post_run_cell), yet the extension must find the same models as interactively.
Run with the real `ipython` executable of this environment, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("IPython", reason="needs the test extra (ipykernel brings IPython)")

IPYTHON = Path(sys.executable).with_name("ipython")

# Keras is imported only if build() runs, which it never does: the check is static.
MODEL = """\
def build():
    import keras
    from keras import layers

    return keras.Sequential(
        [keras.Input((32, 32, 3)), layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(10)]
    )
"""
FINDING = "KF001 Flatten over 30x30x8 feeds Dense(10): 72,010 parameters"


def ipython(*args: str, cwd: Path) -> str:
    assert IPYTHON.is_file(), f"no ipython executable beside {sys.executable}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPYTHON")}
    env["IPYTHONDIR"] = str(cwd / ".ipython")  # a fresh profile: no user startup files
    result = subprocess.run(
        [str(IPYTHON), "--no-banner", "--colors=nocolor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def test_ipython_c(tmp_path: Path) -> None:
    out = ipython("-c", f"%load_ext kerasfix\n{MODEL}print('ran')", cwd=tmp_path)
    assert "ran" in out and out.count(FINDING) == 1, out
    assert "line 7" in out  # the Flatten's line in the code given (after %load_ext)


def test_ipython_file_ipy(tmp_path: Path) -> None:
    script = tmp_path / "model.ipy"
    script.write_text(f"%load_ext kerasfix\n%matplotlib --list\n{MODEL}")
    out = ipython(str(script), cwd=tmp_path)
    assert out.count(FINDING) == 1, out


def test_ipython_notebook_cells_in_order_each_finding_once(tmp_path: Path) -> None:
    """Cells run silently one by one: names carry across cells, nothing is shown twice."""
    cells = ["%load_ext kerasfix", MODEL, "clean = 1 + 1", "print('done')"]
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": source}
            for source in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    path = tmp_path / "session.ipynb"
    path.write_text(json.dumps(notebook))
    out = ipython(str(path), cwd=tmp_path)
    assert out.count(FINDING) == 1 and "done" in out, out


def test_a_clean_script_shows_nothing(tmp_path: Path) -> None:
    out = ipython("-c", "%load_ext kerasfix\nx = [1, 2]\nprint(len(x))", cwd=tmp_path)
    assert out.strip() == "2"
