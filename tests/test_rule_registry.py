"""The rule registry: what it holds agrees with the rule pages, and a new rule is one check
module plus one page (shown by registering a throwaway rule from a temporary directory)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

from kerasfix import catalogue
from kerasfix.rule_registry import all_rules, options_types, prefilter_tokens, rule_codes

REPO = Path(__file__).resolve().parents[1]


def test_registry_holds_the_three_rules_and_agrees_with_their_pages() -> None:
    assert rule_codes() == ("KF001", "KF002", "KF003")
    pages = catalogue.load()
    assert tuple(pages) == rule_codes()
    for rule in all_rules():
        page = pages[rule.code]
        assert (rule.name, rule.fix, rule.fix_safety) == (page.name, page.fix, page.fix_safety)
        assert rule.fix_applied_by == page.fix_applied_by, rule.code
        assert page.source.name == rule.page_name
        if rule.options_table == rule.code.lower():  # the table documented on this page
            defaults = {
                f.name.replace("_", "-"): f.default for f in dataclasses.fields(rule.options)
            }
            assert {key: spec["default"] for key, spec in page.options.items()} == defaults
    assert set(options_types()) == {"kf001"}
    assert prefilter_tokens() == ("Flatten", "Sequential", "Model", "Input")


THROWAWAY_CHECK = '''
"""KF999: every Keras Dropout or Flatten call, to show that a rule is one module."""

from kerasfix.findings import Finding, Severity
from kerasfix.rule import Rule


def check(graph, options, prefix):
    for node in graph.nodes:
        layer = node.layer
        if layer.class_name in ("Dropout", "Flatten") and layer.span is not None:
            yield Finding(
                rule="KF999", severity=Severity.INFO, message=f"a {layer.class_name} layer",
                span=layer.span,
            )


RULES = (Rule(code="KF999", name="any-dropout", check=check, prefilter=("Dropout",)),)
'''

THROWAWAY_PAGE = """+++
id = "KF999"
name = "any-dropout"
summary = "a throwaway rule registered by a test"
default-severity = "info"
fix = "never"
fix-safety = "unsafe"
+++

# any-dropout (KF999)

## What it does

Reports every Dropout layer.
"""

DRIVER = """
import sys
from pathlib import Path

import kerasfix.catalogue
import kerasfix.checks

kerasfix.checks.__path__.append(sys.argv[1])  # the new check module, outside the package
kerasfix.catalogue.PACKAGE_DIR = Path(sys.argv[2])  # pages: PACKAGE_DIR/_catalogue
from kerasfix.cli import main

sys.exit(main(sys.argv[3:]))
"""

DROPOUT_ONLY = """import keras
from keras import layers

head = keras.Sequential([keras.Input((16,)), layers.Dropout(0.5), layers.Dense(2)])
"""

BOTH = """import keras
from keras import layers

model = keras.Sequential(
    [keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)]
)
"""


def test_a_rule_is_one_check_module_and_one_page(tmp_path: Path) -> None:
    checks = tmp_path / "extra_checks"
    checks.mkdir()
    (checks / "any_dropout.py").write_text(THROWAWAY_CHECK)
    pages = tmp_path / "package" / "_catalogue"
    pages.mkdir(parents=True)
    for page in (REPO / "rules").glob("KF*.md"):
        shutil.copy(page, pages / page.name)
    (pages / "KF999.md").write_text(THROWAWAY_PAGE)
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    (tmp_path / "dropout_only.py").write_text(DROPOUT_ONLY)
    (tmp_path / "both.py").write_text(BOTH)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(driver), str(checks), str(pages.parent), *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)

    linted = run("lint", "--no-cache", "--output-format", "json", "dropout_only.py", "both.py")
    assert linted.returncode == 1, linted.stderr
    found = [(f["path"], f["line"], f["rule"]) for f in json.loads(linted.stdout)]
    # dropout_only.py never says Flatten: the prefilter is the union of the rules' tokens.
    # both.py: KF999 at the Flatten KF001 reports is kept (de-duplication is per check).
    assert found == [
        ("both.py", 5, "KF001"),
        ("both.py", 5, "KF999"),
        ("dropout_only.py", 4, "KF999"),
    ]
    for _ in range(2):  # written to the cache, then read from it: the same findings
        cached = run("lint", "--output-format", "json", "dropout_only.py", "both.py")
        assert cached.stdout == linted.stdout, cached.stderr
    assert list((tmp_path / ".kerasfix_cache").rglob("results.json"))
    selected = run("lint", "--no-cache", "--select", "KF999", "--output-format", "json", "both.py")
    assert [f["rule"] for f in json.loads(selected.stdout)] == ["KF999"], selected.stderr
    page = run("rule", "KF999")
    assert page.returncode == 0 and "Reports every Dropout layer." in page.stdout, page.stderr
