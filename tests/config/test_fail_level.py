"""Severity in text output, `--fail-level` and the `fail-level` key, missing paths (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.cli import main
from tests.config.test_lint_cli import BLOWUP  # a Dense of 2,769,024 parameters: warning

SMALL = BLOWUP.replace("(28, 28, 1)", "(6, 6, 1)").replace("Dense(128)", "Dense(4)")  # info


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KERASFIX_OUTPUT_FORMAT", raising=False)
    (tmp_path / "big.py").write_text(BLOWUP)
    (tmp_path / "small.py").write_text(SMALL)
    return tmp_path


def test_text_lines_show_the_severity_after_the_code(project: Path, capsys) -> None:
    assert main(["lint", "big.py", "small.py"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("big.py:8:9: KF001 [warning] Flatten over 26x26x32 feeds Dense(128)")
    assert lines[1].startswith("small.py:8:9: KF001 [info] Flatten over 4x4x32 feeds Dense(4)")


@pytest.mark.parametrize(
    ("level", "files", "code"),
    [
        ("info", ["small.py"], 1),
        ("warning", ["small.py"], 0),
        ("warning", ["small.py", "big.py"], 1),
        ("error", ["small.py", "big.py"], 0),
    ],
)
def test_fail_level_flag(project: Path, capsys, level: str, files: list[str], code: int) -> None:
    assert main(["lint", "--fail-level", level, *files]) == code
    out = capsys.readouterr().out
    assert out.count(": KF001 [") == len(files)  # findings are still reported, only the code moves


def test_fail_level_config_key_and_flag_override(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text('[tool.kerasfix]\nfail-level = "error"\n')
    assert main(["lint", "big.py"]) == 0
    assert main(["lint", "--fail-level", "warning", "big.py"]) == 1
    assert main(["lint", "--config", 'fail-level = "info"', "small.py"]) == 1
    capsys.readouterr()
    (project / "pyproject.toml").write_text('[tool.kerasfix]\nfail-level = "severe"\n')
    assert main(["lint", "big.py"]) == 2
    err = capsys.readouterr().err
    assert err.endswith("pyproject.toml: 'fail-level' must be one of info, warning, error\n")
    assert err.startswith("error: ") and err.count("\n") == 1
    assert main(["lint", "--fail-level", "severe", "big.py"]) == 2


def test_fail_level_does_not_hide_errors(project: Path, capsys) -> None:
    (project / "broken.ipynb").write_text("{")
    assert main(["lint", "--fail-level", "error", "broken.ipynb", "small.py"]) == 2
    assert "error: broken.ipynb: " in capsys.readouterr().err


def test_missing_path_is_an_error_without_a_passed_line(project: Path, capsys) -> None:
    assert main(["lint", "nope.py"]) == 2
    captured = capsys.readouterr()
    assert "passed" not in captured.out
    assert captured.err == "error: nope.py: no such file or directory\n"
    assert main(["lint", "nope.py", "big.py"]) == 2
    captured = capsys.readouterr()
    assert "passed" not in captured.out and "big.py:8:9: KF001" in captured.out
    assert "error: nope.py: no such file or directory" in captured.err
