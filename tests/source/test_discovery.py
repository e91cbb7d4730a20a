"""Discovery: excluded and git-ignored areas are skipped, unless the user names them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOWUP = ROOT / "fixtures/source/sequential_list.py"


def lint(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_excluded_and_ignored_dirs_are_skipped_when_walking(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("generated/\n")
    for folder in ("src", ".venv/lib/site-packages/pkg", "generated", "node_modules"):
        (tmp_path / folder).mkdir(parents=True)
        shutil.copy(BLOWUP, tmp_path / folder / "model.py")
    result = lint(".", cwd=tmp_path)
    assert result.returncode == 1
    assert "src/model.py" in result.stdout
    for hidden in (".venv", "generated", "node_modules"):
        assert hidden not in result.stdout
    assert "1 file checked" in result.stdout


def test_a_named_directory_inside_an_excluded_area_is_linted(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(".venv/\n")
    target = tmp_path / ".venv/lib/python3.11/site-packages/pkg"
    target.mkdir(parents=True)
    shutil.copy(BLOWUP, target / "model.py")
    (target / "__pycache__").mkdir()
    shutil.copy(BLOWUP, target / "__pycache__" / "model.py")
    result = lint(target.relative_to(tmp_path), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "pkg/model.py" in result.stdout
    assert "__pycache__" not in result.stdout  # excludes below the named root still apply


def test_exclude_globs_with_a_trailing_slash_prune_directories(tmp_path: Path) -> None:
    for folder in ("build", "src"):
        (tmp_path / folder).mkdir()
        shutil.copy(BLOWUP, tmp_path / folder / "model.py")
    result = lint(".", "--isolated", "--extend-exclude", "build/", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "src/model.py" in result.stdout and "build/" not in result.stdout
    assert "1 file checked" in result.stdout
