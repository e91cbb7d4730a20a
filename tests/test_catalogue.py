"""The rule catalogue: page structure, defaults agree with the code, `kerasfix rule`, wheel."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kerasfix import catalogue
from kerasfix.checks.options import RuleOptions
from kerasfix.cli import main
from kerasfix.rule_registry import rule_codes

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ["What it does", "Why is this bad?", "Example", "Fix safety", "Options", "References"]


def test_one_page_per_rule_with_ruff_sections() -> None:
    rules = catalogue.load()
    assert tuple(rules) == rule_codes()
    for rule in rules.values():
        titles = [line[3:].strip() for line in rule.markdown.splitlines() if line.startswith("## ")]
        positions = [titles.index(title) for title in SECTIONS]
        assert positions == sorted(positions), f"{rule.id}: sections out of order: {titles}"
        assert "Use instead" in rule.section("Example")
        assert "unsafe" in rule.section("Fix safety").lower()
        assert rule.fix_safety == "unsafe" and rule.fix in ("always", "sometimes", "never")
        assert rule.severity in ("error", "warning", "info")


def test_kf001_documents_the_code_defaults_and_the_tradeoff() -> None:
    doc = catalogue.get("KF001")
    assert doc is not None
    defaults = {f.name.replace("_", "-"): f.default for f in dataclasses.fields(RuleOptions)}
    assert {key: spec["default"] for key, spec in doc.options.items()} == defaults
    options_text = doc.section("Options")
    for key in defaults:
        assert f"`{key}`" in options_text
    why = doc.section("Why is this bad?")
    for needle in ("Network in Network", "keras-team/keras#8470", "autoencoder", "localisation"):
        assert needle in why
    assert "arxiv.org/abs/1312.4400" in doc.section("References")


def test_lookup_by_code_and_name() -> None:
    assert catalogue.get("kf001") is catalogue.get("flatten-before-dense")
    assert catalogue.get("KF999") is None


def test_a_bad_page_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "KF777.md"
    page.write_text('+++\nid = "KF777"\nname = "x"\nsummary = "s"\ndefault-severity = "info"\n'
                    "+++\n\n```python invalid\nx = 1\n```\n")  # fmt: skip
    with pytest.raises(catalogue.CatalogueError, match="without an expect block"):
        catalogue.parse_page(page)


def test_rule_command_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "KF001"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("KF001 flatten-before-dense\n")
    assert "## Why is this bad?" in out and "toml expect" not in out and "[[finding]]" not in out


def test_rule_all_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "--all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(rule_codes())
    assert main(["rule", "--all", "--output-format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [item["code"] for item in data] == list(rule_codes())
    assert data[0]["options"]["error-params"]["default"] == RuleOptions().error_params
    assert main(["rule", "KF002", "--output-format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "flatten-before-dense-unknown-size"


def test_rule_command_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "KF999"]) == 2
    assert "unknown rule 'KF999'" in capsys.readouterr().err
    assert main(["rule"]) == 2


@pytest.mark.slow
def test_wheel_ships_the_catalogue(tmp_path: Path) -> None:
    """Build the wheel as pip would (needs the build backend from the package index)."""
    source = tmp_path / "src"
    shutil.copytree(
        REPO,
        source,
        # what a clean checkout lacks: the bench's virtualenvs (bench/.env, 1.7 GB once the
        # benchmarks ran) and caches would make the copy, not the build, the test's cost
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".env", ".*_cache", ".hypothesis", "__pycache__", "*.egg-info", "build"
        ),
    )
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(wheels), "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("kerasfix-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    pages = sorted(n for n in names if n.startswith("kerasfix/_catalogue/"))
    assert pages == [f"kerasfix/_catalogue/{rule}.md" for rule in rule_codes()]

    # The installed layout (no rules/ beside it) loads the same catalogue.
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = (
        "from kerasfix import catalogue; print(catalogue.catalogue_dir()); "
        "print(','.join(catalogue.load()))"
    )
    run = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(target)},
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    where, codes = run.stdout.split()
    assert Path(where) == target / "kerasfix" / "_catalogue"
    assert codes == ",".join(rule_codes())


def test_rule_page_readme_sarif_and_fix_policy_agree(capsys: pytest.CaptureFixture[str]) -> None:
    """One source (the front matter) for severity and fix availability (issue 11, point 5)."""
    from kerasfix.fixers.policy import UNSAFE_RULES
    from kerasfix.reporters.sarif import rule_descriptor

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for doc in catalogue.load().values():
        assert main(["rule", doc.id]) == 0
        header = capsys.readouterr().out.splitlines()[:3]
        assert header[1] == f"Severity: {doc.severity_text()}."
        assert header[2] == f"Fix: {doc.fix_text()}."
        row = next(line for line in readme.splitlines() if line.startswith(f"| {doc.id} |"))
        assert row.endswith(f"| {doc.severity_text()} | {doc.fix_text()} |")
        properties = rule_descriptor(doc)["properties"]
        assert properties["severity"] == doc.severity_text()
        assert properties["fixAppliedBy"] == doc.fix_applied_by
        fixable = doc.fix != "never"  # a rule without a fix (KF003) has no flag to agree on
        assert (doc.id in UNSAFE_RULES) == (fixable and doc.fix_applied_by == "--unsafe-fixes")
    kf001 = catalogue.get("KF001")
    assert kf001 is not None and kf001.severity_by_size and kf001.fix_applied_by == "--fix"
    assert "info below 100,000 Dense parameters" in kf001.severity_text()


def test_kf001_fix_flag_matches_behaviour(tmp_path: Path, capsys) -> None:
    """The page says plain --fix applies KF001 and KF002 needs --unsafe-fixes: so it does."""
    kf001 = next(e for e in catalogue.get("KF001").examples if e.fixed)  # type: ignore[union-attr]
    path = tmp_path / "m.py"
    path.write_text(kf001.code, encoding="utf-8")
    main(["lint", "--isolated", "--fix", str(path)])
    assert path.read_text(encoding="utf-8") == kf001.fixed
    kf002 = next(
        e
        for e in catalogue.get("KF002").examples  # type: ignore[union-attr]
        if e.kind == "invalid" and all(x["rule"] == "KF002" for x in e.expect)
    )
    path.write_text(kf002.code, encoding="utf-8")
    main(["lint", "--isolated", "--fix", str(path)])
    assert path.read_text(encoding="utf-8") == kf002.code
    main(["lint", "--isolated", "--fix", "--unsafe-fixes", str(path)])
    assert path.read_text(encoding="utf-8") != kf002.code
    capsys.readouterr()


def test_rule_page_prints_each_code_example_once(capsys: pytest.CaptureFixture[str]) -> None:
    for code in catalogue.load():
        assert main(["rule", code]) == 0
        out = capsys.readouterr().out
        blocks = re.findall(r"^```python\n(.*?)^```$", out, re.S | re.M)
        assert blocks and len(blocks) == len(set(blocks)), code
