"""SARIF 2.1.0: structure, rule metadata from the catalogue, URIs, stable fingerprints.

Validation against the official OASIS schema is a separate test: the schema is public
material that is not committed here, so that test runs when a copy is available
(`KERASFIX_SARIF_SCHEMA`, or ../shared/schemas next to the checkout) and is skipped, with the
reason shown, otherwise. The structural checks below always run.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from kerasfix import __version__
from kerasfix.catalogue import load
from kerasfix.reporters import sarif
from tests.reporters.sample import sample_result

REPO = Path(__file__).resolve().parents[2]


def official_schema() -> Path | None:
    candidates = [os.environ.get("KERASFIX_SARIF_SCHEMA", "")]
    candidates.append(str(REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"))
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def render(result) -> dict:
    stream = io.StringIO()
    sarif.report(result, stream)
    return json.loads(stream.getvalue())


def test_official_schema_validation(tmp_path, monkeypatch):
    schema_path = official_schema()
    if schema_path is None:
        pytest.skip("official SARIF 2.1.0 schema not available: set KERASFIX_SARIF_SCHEMA")
    import jsonschema

    monkeypatch.chdir(tmp_path)
    schema = json.loads(schema_path.read_text())
    document = render(sample_result(tmp_path))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_structure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    document = render(sample_result(tmp_path))
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "kerasfix"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    results = run["results"]
    assert len(results) == 5
    for result in results:
        assert result["ruleId"] == driver["rules"][result["ruleIndex"]]["id"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not physical["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert physical["region"]["startLine"] >= 1
        digest, occurrence = result["partialFingerprints"]["primaryLocationLineHash"].split(":")
        assert len(digest) == 16 and int(occurrence) >= 1
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == "src/train.py"
    assert first["region"] == {"startLine": 4, "startColumn": 71, "endLine": 4, "endColumn": 87}
    assert results[2]["level"] == "note"
    assert results[3]["message"]["text"].startswith("cell 3, line 2: ")
    assert results[3]["properties"]["cell"] == 3
    assert results[4]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith("syntax")


def test_rule_metadata_comes_from_the_catalogue(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rules = render(sample_result(tmp_path))["runs"][0]["tool"]["driver"]["rules"]
    catalogue = load()
    assert [rule["id"] for rule in rules] == list(catalogue)
    for rule in rules:
        doc = catalogue[rule["id"]]
        assert rule["name"] == doc.name
        assert rule["shortDescription"]["text"] == doc.summary
        assert rule["fullDescription"]["text"].startswith("Finds ")
        assert "## Why is this bad?" in rule["help"]["markdown"]
        assert "toml expect" not in rule["help"]["markdown"]
        assert rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert rules[1]["defaultConfiguration"]["level"] == "note"  # KF002 is info


def test_fingerprints_survive_lines_inserted_above(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def prints(shift: int) -> list[str]:
        results = render(sample_result(tmp_path, shift))["runs"][0]["results"]
        return [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]

    before, after = prints(0), prints(7)
    assert before == after
    assert len(set(before)) == len(before)
    # The two identical lines differ only by occurrence index.
    assert before[0].split(":")[0] == before[1].split(":")[0]
    assert (before[0].split(":")[1], before[1].split(":")[1]) == ("1", "2")


def test_fingerprint_changes_when_the_flagged_code_changes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = sample_result(tmp_path)
    before = render(result)["runs"][0]["results"][2]["partialFingerprints"]
    script = result.findings[2].path
    result.sources[script] = type(result.sources[script])(
        text=result.sources[script].text.replace('name="multi"', 'name="other"')
    )
    after = render(result)["runs"][0]["results"][2]["partialFingerprints"]
    assert before != after


def test_paths_outside_the_repository_are_absolute_file_uris(tmp_path, monkeypatch):
    inside = tmp_path / "repo"
    inside.mkdir()
    (inside / ".git").mkdir()
    monkeypatch.chdir(inside)
    result = sample_result(tmp_path / "elsewhere")
    location = render(result)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].startswith("file:///")
    assert "uriBaseId" not in location["artifactLocation"]
