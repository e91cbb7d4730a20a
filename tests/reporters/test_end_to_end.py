"""Every format over a mixed set of real files, through the real frontends and CLI."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kerasfix.cli import main
from tests.reporters.test_github import COMMAND
from tests.reporters.test_sarif import official_schema

MODEL = """\
model{n} = keras.Sequential(
    [
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(64),
    ]
)
"""
HEADER = "import keras\nfrom keras import layers\n\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KERASFIX_OUTPUT_FORMAT", raising=False)
    (tmp_path / ".git").mkdir()  # the repository root for relative paths
    src = tmp_path / "src"
    src.mkdir()
    (src / "several.py").write_text(HEADER + MODEL.format(n=1) + MODEL.format(n=2))
    (src / "none.py").write_text(HEADER + "x = layers.Dense(3)\n")
    cells = [HEADER, "%matplotlib inline\n" + MODEL.format(n=3)]
    notebook = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                   "source": c} for c in cells],
    }  # fmt: skip
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook))
    return tmp_path


def run(fmt: str, capsys, *extra: str) -> str:
    code = main(["lint", "--output-format", fmt, *extra, "."])
    assert code == 1
    return capsys.readouterr().out


def test_json_is_the_baseline(project, capsys) -> None:
    findings = json.loads(run("json", capsys))
    assert [(f["path"], f["cell"], f["line"]) for f in findings] == [
        ("explore.ipynb", 2, 7), ("src/several.py", None, 9), ("src/several.py", None, 18),
    ]  # fmt: skip
    assert {f["params_flatten"] for f in findings} == {15 * 15 * 32 * 64 + 64}


def test_github(project, capsys) -> None:
    lines = run("github", capsys).splitlines()
    assert len(lines) == 3 and all(COMMAND.match(line) for line in lines)
    assert "file=src/several.py,line=9,endLine=9,col=9,endColumn=25::" in lines[1]


def test_sarif(project, capsys) -> None:
    document = json.loads(run("sarif", capsys))
    results = document["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["explore.ipynb", "src/several.py", "src/several.py"]
    schema = official_schema()
    if schema is not None:
        import jsonschema

        jsonschema.validate(document, json.loads(schema.read_text()))


def test_gitlab_fingerprints_survive_an_edit_that_moves_lines(project, capsys) -> None:
    before = json.loads(run("gitlab", capsys))
    several = project / "src" / "several.py"
    several.write_text("# a new comment\n\n\n" + several.read_text())
    after = json.loads(run("gitlab", capsys))
    assert [i["location"]["lines"]["begin"] for i in after][1:] == [12, 21]
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert len({i["fingerprint"] for i in after}) == 3


def test_junit(project, capsys) -> None:
    root = ET.fromstring(run("junit", capsys))
    cases = {c.get("name"): len(c.findall("failure")) for c in root.iter("testcase")}
    assert cases == {"explore.ipynb": 1, "src/none.py": 0, "src/several.py": 2}


def test_json_lines(project, capsys) -> None:
    lines = run("json-lines", capsys).splitlines()
    assert [json.loads(line)["rule"] for line in lines] == ["KF001"] * 3


def test_text_and_statistics(project, capsys) -> None:
    out = run("text", capsys)
    assert re.search(
        r"^explore.ipynb:cell 2:7:9: KF001 \[warning\] Flatten over 15x15x32", out, re.M
    )
    assert run("text", capsys, "--statistics") == "3\tKF001\tflatten-before-dense\n"
