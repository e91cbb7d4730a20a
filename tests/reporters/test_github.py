"""GitHub workflow commands: grammar, escaping, multi-line spans, model files."""

from __future__ import annotations

import io
import re

import pytest

from kerasfix.findings import Severity
from kerasfix.reporters import github
from tests.reporters.sample import finding, sample_result

# ::level key=value,key=value::message ; values and message carry no raw '%' , CR or LF.
PROPERTY = r"(title|file|line|col|endLine|endColumn)=[^,:\r\n]*"
COMMAND = re.compile(rf"^::(error|warning|notice) {PROPERTY}(,{PROPERTY})*::[^\r\n]*$")


def render(result) -> list[str]:
    stream = io.StringIO()
    github.report(result, stream)
    return stream.getvalue().splitlines()


def props(line: str) -> dict[str, str]:
    head = line.split("::")[1].split(" ", 1)[1]
    return dict(item.split("=", 1) for item in head.split(","))


def test_every_line_matches_the_workflow_command_grammar(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = render(sample_result(tmp_path))
    assert len(lines) == 6  # five findings and one file error
    for line in lines:
        assert COMMAND.match(line), line
        assert all(re.fullmatch(r"%[0-9A-F]{2}", m) for m in re.findall(r"%..", line))


def test_levels_paths_and_positions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = render(sample_result(tmp_path))
    first = props(lines[0])
    assert lines[0].startswith("::warning ")
    assert first == {
        "title": "kerasfix (KF001)", "file": "src/train.py", "line": "4", "endLine": "4",
        "col": "71", "endColumn": "87",
    }  # fmt: skip
    multi = props(lines[2])
    assert lines[2].startswith("::notice ")  # info -> notice
    assert (multi["line"], multi["endLine"]) == ("6", "8")
    assert "col" not in multi and "endColumn" not in multi
    notebook = props(lines[3])
    assert lines[3].startswith("::error ")
    assert notebook["file"] == "nb.ipynb" and "line" not in notebook
    assert "::cell 3, line 2: KF001" in lines[3]
    model = props(lines[4])
    assert model["file"] == "m.keras" and model["line"] == "1"
    assert lines[5].startswith("::error title=kerasfix,file=broken.py::syntax error")


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("%0A", "%250A", "%250A"),  # already-escaped-looking text is escaped again
    ],
)
def test_escaping(raw, data, prop):
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_message_and_properties_are_escaped_in_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    weird = (tmp_path / "a,b:c.py").as_posix()
    bad = finding(weird, 1, 1, 1, 5, severity=Severity.WARNING, message="50% of\nthe\rmodel")
    from kerasfix.results import LintResult

    (line,) = render(LintResult(findings=[bad]))
    assert "file=a%2Cb%3Ac.py," in line
    assert line.endswith("::KF001 50%25 of%0Athe%0Dmodel")
    assert COMMAND.match(line)
