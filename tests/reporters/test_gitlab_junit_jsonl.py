"""GitLab Code Quality, JUnit XML and JSON Lines, read back by their consumers' parsers."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from kerasfix.reporters import get_reporter
from tests.reporters.sample import sample_result


def render(name: str, result) -> str:
    stream = io.StringIO()
    get_reporter(name)(result, stream)
    return stream.getvalue()


def test_gitlab_code_quality(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    issues = json.loads(render("gitlab", sample_result(tmp_path)))
    assert len(issues) == 5
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert not issue["location"]["path"].startswith("/")
    assert issues[0]["location"] == {"path": "src/train.py", "lines": {"begin": 4, "end": 4}}
    assert issues[2]["location"]["lines"] == {"begin": 6, "end": 8}
    assert [i["severity"] for i in issues] == ["major", "major", "minor", "critical", "major"]
    assert len({i["fingerprint"] for i in issues}) == 5


def test_gitlab_fingerprints_stable_across_line_moves(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = json.loads(render("gitlab", sample_result(tmp_path)))
    after = json.loads(render("gitlab", sample_result(tmp_path, shift=12)))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert before[0]["location"]["lines"]["begin"] + 12 == after[0]["location"]["lines"]["begin"]


def test_junit_one_case_per_file_one_failure_per_finding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = sample_result(tmp_path)
    root = ET.fromstring(render("junit", result))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == result.files
    failures = {c.get("name"): c.findall("failure") for c in cases}
    script, clean, notebook, model, broken = result.files
    assert len(failures[script]) == 3
    assert len(failures[notebook]) == len(failures[model]) == 1
    assert failures[clean] == [] and failures[broken] == []
    assert cases[-1].find("error").get("message") == "syntax error: line 3"
    assert failures[script][0].get("type") == "KF001"
    assert failures[script][0].text.startswith(f"{script}:4:71: KF001 ")
    assert failures[notebook][0].text.startswith(f"{notebook}:cell 3:2:5: KF001 ")
    assert suite.get("tests") == "5" and suite.get("failures") == "3"
    assert suite.get("errors") == "1"


def test_junit_skipped_files_and_control_characters(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from kerasfix.results import FileError

    result = sample_result(tmp_path)
    result.skipped.append(FileError("gen.py", "skipped: '# kerasfix: skip-file'"))
    result.findings[0].message = "odd \x07 byte & <tag>"
    root = ET.fromstring(render("junit", result))
    suite = root.find("testsuite")
    assert suite.get("skipped") == "1" and suite.get("tests") == "6"
    assert suite.findall("testcase")[-1].find("skipped") is not None
    assert "odd ? byte & <tag>" in suite.find("testcase/failure").get("message")


def test_json_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = sample_result(tmp_path)
    lines = render("json-lines", result).splitlines()
    assert len(lines) == len(result.findings)
    objects = [json.loads(line) for line in lines]
    assert objects == [f.to_dict() for f in result.findings]
    assert objects[3]["cell"] == 3
