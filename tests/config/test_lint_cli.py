"""`kerasfix lint` flags: config errors exit 2, output file, env default, statistics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kerasfix.cli import main

BLOWUP = """\
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Flatten(),
        layers.Dense(128),
    ]
)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KERASFIX_OUTPUT_FORMAT", raising=False)
    (tmp_path / "model.py").write_text(BLOWUP)
    (tmp_path / "clean.py").write_text("x = 1\n")
    return tmp_path


def test_bad_config_exits_2_with_one_line(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text("[tool.kerasfix]\nselect = ['KF001']\nbogus = 1\n")
    assert main(["lint", "model.py"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "bogus" in err and "pyproject.toml" in err


def test_bad_flags_exit_2(project: Path, capsys) -> None:
    assert main(["lint", "--select", "E501", "model.py"]) == 2
    assert "--select: unknown rule selector 'E501'" in capsys.readouterr().err
    assert main(["lint", "--config", "kf001.min-params = 'x'", "model.py"]) == 2
    assert "kf001.min-params" in capsys.readouterr().err
    assert main(["lint", "--config", "not toml ][", "model.py"]) == 2
    assert main(["lint", "--output-format", "nope", "model.py"]) == 2


def test_env_default_format_and_output_file(project: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KERASFIX_OUTPUT_FORMAT", "json-lines")
    assert main(["lint", "-o", "out.jsonl", "model.py", "clean.py"]) == 1
    assert capsys.readouterr().out == ""
    (line,) = (project / "out.jsonl").read_text().splitlines()
    assert json.loads(line)["rule"] == "KF001"
    # The flag beats the environment.
    assert main(["lint", "--output-format", "json", "model.py"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["params_pooling"] == 32 * 128 + 128


def test_statistics(project: Path, capsys) -> None:
    (project / "second.py").write_text(BLOWUP)
    assert main(["lint", "--statistics", "."]) == 1
    assert capsys.readouterr().out == "2\tKF001\tflatten-before-dense\n"
    assert main(["lint", "--statistics", "--output-format", "json", "."]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{"code": "KF001", "name": "flatten-before-dense", "count": 2}]


@pytest.mark.parametrize("output_format", ["sarif", "github", "gitlab", "junit"])
def test_statistics_in_a_format_without_counts_is_a_usage_error(
    project: Path, capsys, output_format: str
) -> None:
    """Issue 23 point 12: not text silently where a CI upload expects SARIF or XML."""
    assert main(["lint", "--statistics", "--output-format", output_format, "."]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "error: --statistics prints counts as text or JSON (--output-format text, json, "
        f"json-lines), not as {output_format}\n"
    )


def test_config_thresholds_and_flags(project: Path, capsys) -> None:
    (project / "kerasfix.toml").write_text("[kf001]\nmin-params = 10000000\n")
    assert main(["lint", "model.py"]) == 0  # 2.8M parameters is below min-params
    capsys.readouterr()
    assert main(["lint", "--isolated", "model.py"]) == 1
    capsys.readouterr()
    assert main(["lint", "--config", "kf001.min-params = 0", "model.py"]) == 1
    capsys.readouterr()
    assert main(["lint", "--ignore", "KF001", "--isolated", "model.py"]) == 0


def test_per_file_ignores_flag_and_force_exclude(project: Path, capsys) -> None:
    assert main(["lint", "--per-file-ignores", "model.py:KF001", "model.py"]) == 0
    (project / "kerasfix.toml").write_text('extend-exclude = ["model.py"]\n')
    assert main(["lint", "model.py"]) == 1  # named explicitly: linted anyway (like Ruff)
    assert main(["lint", "--force-exclude", "model.py"]) == 0
    assert main(["lint", "."]) == 0


@pytest.mark.parametrize("contents", [{}, {"notes.txt": "not code\n", "data.csv": "1,2\n"}])
def test_a_run_that_finds_nothing_to_check_says_so(tmp_path: Path, capsys, contents) -> None:
    """As Ruff warns "No Python files found": an empty folder is not an all-clear in silence."""
    for name, text in contents.items():
        (tmp_path / name).write_text(text)
    assert main(["lint", "--isolated", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == "All checks passed (0 files checked).\n"
    assert err == (
        "warning: no Python files, notebooks or Keras model files found under the given path(s)\n"
    )


def test_a_run_with_files_checked_warns_nothing(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    assert main(["lint", "--isolated", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == "All checks passed (1 file checked).\n" and err == ""
