"""One path into the engine: configuration, suppressions and frontend notes reach every
caller (lint, `--fix` from cached results, `kerasfix.check`, `inspect`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kerasfix
from kerasfix.findings import Finding
from kerasfix.runner import lint_paths
from kerasfix.suppressions import should_skip_file

REPO = Path(__file__).resolve().parents[1]
MODEL = """import keras
from keras import layers

model = keras.Sequential(
    [keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)]{comment}
)
"""


def kerasfix_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "KERASFIX_CACHE_DIR": str(cwd / "cache"), **env}
    command = [sys.executable, "-m", "kerasfix", *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env=environ, timeout=120
    )


def rules(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in findings]


def test_check_on_a_file_honours_noqa_like_the_cli(tmp_path: Path) -> None:
    flagged = tmp_path / "flagged.py"
    flagged.write_text(MODEL.format(comment=""))
    silenced = tmp_path / "silenced.py"
    silenced.write_text(MODEL.format(comment="  # noqa: KF001"))
    assert rules(kerasfix.check(flagged)) == [("KF001", 5)]
    assert kerasfix.check(silenced) == []
    assert lint_paths([silenced]).findings == []


def test_check_and_inspect_read_the_nearest_configuration(tmp_path: Path) -> None:
    script = tmp_path / "model.py"
    script.write_text(MODEL.format(comment=""))
    (tmp_path / "pyproject.toml").write_text('[tool.kerasfix]\nignore = ["KF001"]\n')
    assert kerasfix.check(script) == []
    inspected = kerasfix_cli("inspect", "--output-format", "json", "model.py", cwd=tmp_path)
    assert inspected.returncode == 0, inspected.stderr
    (table,) = json.loads(inspected.stdout)["models"]
    assert table["findings"] == []
    (tmp_path / "pyproject.toml").write_text('[tool.kerasfix]\nignore = ["KF002"]\n')
    inspected = kerasfix_cli("inspect", "--output-format", "json", "model.py", cwd=tmp_path)
    (table,) = json.loads(inspected.stdout)["models"]
    assert [f["rule"] for f in table["findings"]] == ["KF001"]


def notebook(cells: list[str]) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]})


def test_a_notebook_cell_with_a_syntax_error_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook([MODEL.format(comment=""), "def broken(:\n    pass\n"]))
    result = kerasfix_cli("lint", "--no-cache", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 1  # the finding in cell 1 still counts
    assert "nb.ipynb:cell 1:5:" in result.stdout
    assert (
        "warning: nb.ipynb: cell 2:1:12: syntax error: invalid syntax (cell skipped; "
        "the other cells were analysed)" in result.stderr.splitlines()
    ), result.stderr


# Straight-line calls of a function of 60 statements, 4,000 times: more evaluation steps
# than a run may take (a loop would not do: the iterations that would take more than half of
# the steps left run once, as a loop the file does not fix).
STEPS = (
    "import keras\nfrom keras import layers\n\ndef work():\n"
    + "".join(f"    x{i} = {i}\n" for i in range(60))
    + "work()\n" * 4000
    + "head = layers.Flatten()  # the step budget runs out before this line\n"
)


@pytest.mark.parametrize("kind", ["script", "notebook"])
def test_analysis_stopped_early_is_said(tmp_path: Path, kind: str) -> None:
    name = "steps.py" if kind == "script" else "steps.ipynb"
    (tmp_path / name).write_text(STEPS if kind == "script" else notebook([STEPS]))
    result = kerasfix_cli("lint", "--no-cache", name, cwd=tmp_path)
    assert result.returncode == 0
    expected = f"warning: {name}: analysis stopped early: the file is too large or complex"
    assert expected in result.stderr.splitlines(), result.stderr


def test_h5_weights_that_disagree_with_the_config_are_said(tmp_path: Path) -> None:
    import h5py
    import numpy as np

    from tests.saved_model.handmade import keras3_cnn, write_h5

    path = write_h5(tmp_path / "m.h5", keras3_cnn())
    with h5py.File(path, "a") as handle:
        handle.create_dataset("model_weights/fc1/fc1/kernel", data=np.zeros((10,), "float32"))
    result = kerasfix_cli("lint", "--no-cache", "m.h5", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "warning: m.h5: weights of 'fc1' hold 10 values, but its config implies 921,664 parameters"
    ]


def test_skip_file_in_a_notebook_starting_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.ipynb"
    text = notebook(["# kerasfix: skip-file\n" + MODEL.format(comment="")])
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert should_skip_file(path)
    result = lint_paths([path])
    assert (result.findings, result.files_checked, len(result.skipped)) == ([], 0, 1)


def test_fix_reads_notebooks_under_the_configured_size_limit(tmp_path: Path) -> None:
    """A notebook over the default 64 MiB that KERASFIX_MAX_NOTEBOOK_BYTES allows is fixed
    (outputs make notebooks that large), not refused by a second, built-in limit."""
    path = tmp_path / "big.ipynb"
    image = {"output_type": "display_data", "data": {"image/png": "A" * (65 * 1024 * 1024)}}
    cell = {"cell_type": "code", "source": MODEL.format(comment=""), "outputs": [image]}
    path.write_text(json.dumps({"cells": [cell]}))
    limit = str(80 * 1024 * 1024)
    result = kerasfix_cli("lint", "--no-cache", "--fix", "big.ipynb", cwd=tmp_path,
                          KERASFIX_MAX_NOTEBOOK_BYTES=limit)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "GlobalAveragePooling2D" in path.read_text()


@pytest.mark.parametrize("fixture", ["sequential_list.py", "dimensions.py"])
def test_fix_from_cached_results_fixes_the_same(tmp_path: Path, fixture: str) -> None:
    fresh, cached = tmp_path / "fresh", tmp_path / "cached"
    for directory in (fresh, cached):
        directory.mkdir()
        shutil.copy(REPO / "fixtures" / "source" / fixture, directory / fixture)
    linted = kerasfix_cli("lint", fixture, cwd=cached)
    assert linted.returncode == 1, linted.stderr
    entries = json.loads(next((cached / "cache").rglob("results.json")).read_text())
    assert any(key.startswith(f"{fixture}\0") for key in entries)  # the --fix run can hit it
    no_cache = kerasfix_cli("lint", "--fix", "--no-cache", fixture, cwd=fresh)
    from_cache = kerasfix_cli("lint", "--fix", fixture, cwd=cached)
    assert from_cache.returncode == no_cache.returncode
    assert from_cache.stdout == no_cache.stdout
    before = (REPO / "fixtures" / "source" / fixture).read_text()
    assert (cached / fixture).read_text() == (fresh / fixture).read_text() != before
