"""Bad input: one line per bad file on stderr, exit 2, other files still linted, nothing changed."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "fixtures/source/sequential_list.py"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kerasfix", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


BAD_FILES: dict[str, bytes] = {
    "syntax_error.py": b"from keras import layers\nmodel = layers.Flatten(\n",
    "binary.py": b"\x00\x01\x02Flatten\x00",
    "latin1_no_cookie.py": "x = 'Flatten caf\u00e9'\n".encode("latin-1"),
    "bad_cookie.py": b"# -*- coding: no-such-codec -*-\nFlatten = 1\n",
    "broken.ipynb": b'{"cells": [ {"cell_type": "code", ',
    "not_a_notebook.ipynb": b"[1, 2, 3]",
    "deep.py": b"x = " + b"(" * 5000 + b"Flatten" + b")" * 5000 + b"\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_one_line_exit_2_and_others_still_linted(tmp_path: Path, name: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(BAD_FILES[name])
    shutil.copy(GOOD, tmp_path / "good.py")
    before = digest(tmp_path)
    result = run("lint", tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert name in errors[0]
    assert "Traceback" not in result.stderr
    assert "good.py:12:9: KF001" in result.stdout  # the good file is still reported
    assert digest(tmp_path) == before


def test_empty_file_is_clean(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_bytes(b"")
    result = run("lint", tmp_path / "empty.py")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_missing_path_and_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / "link.py").symlink_to(tmp_path / "nowhere.py")
    result = run("lint", tmp_path / "missing.py", tmp_path / "link.py", GOOD)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "missing.py" in result.stderr and "link.py" in result.stderr
    assert "KF001" in result.stdout


def test_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    huge = tmp_path / "huge.py"
    with huge.open("wb") as handle:
        handle.write(b"# Flatten\n" * (1_200_000))  # 12 MB
    result = run("lint", huge)
    assert result.returncode == 2
    assert "MiB" in result.stderr and "Traceback" not in result.stderr


def test_python2_source_is_analysed(tmp_path: Path) -> None:
    old = tmp_path / "old.py"
    old.write_text("from keras.layers import Flatten\nprint 'hello'\n")
    result = run("lint", old)
    assert result.returncode == 0, result.stderr


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("from keras.layers import Flatten\n\ndef f(:\n    pass\n")
    result = run("lint", broken)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "broken.py" in result.stderr and ":3:" in result.stderr
    assert "syntax error" in result.stderr


def test_exit_codes_and_exit_zero(tmp_path: Path) -> None:
    assert run("lint", GOOD).returncode == 1
    assert run("lint", "--exit-zero", GOOD).returncode == 0
    assert run("lint", ROOT / "fixtures/source/clean.py").returncode == 0
    assert run("lint", "--no-such-option").returncode == 2


def test_json_keys_and_positions() -> None:
    result = run("lint", "--output-format", "json", ROOT / "fixtures/notebooks/convlstm.ipynb")
    (finding,) = json.loads(result.stdout)
    assert finding["cell"] == 4 and finding["line"] == 2 and finding["column"] == 11
    assert finding["shape"] == [60, 60, 64] and finding["dense_units"] == 1024
    assert finding["params_flatten"] == 60 * 60 * 64 * 1024 + 1024
    assert finding["params_pooling"] == 64 * 1024 + 1024
    for key in ("path", "end_line", "end_column", "rule", "severity", "message"):
        assert key in finding


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and "kerasfix" in result.stdout


def test_unreadable_file_is_one_line() -> None:
    """A file that opens but cannot be read (EIO, even for root): one line, exit 2."""
    result = run("lint", "/proc/self/mem", GOOD)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "cannot read" in result.stderr
    assert "KF001" in result.stdout
