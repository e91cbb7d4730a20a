"""Every source and notebook fixture, fixed in a temporary copy through `kerasfix lint --fix`."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from tests.fixers.helpers import (
    ALL_FIXTURES,
    POOLING,
    assert_parses,
    copy,
    findings,
    is_import,
    run,
    units,
)

IDS = [p.name for p in ALL_FIXTURES]
# A call through an assigned alias (`Flatten = tf.keras.layers.Flatten`) is fixed in the
# alias's own spelling (`tf.keras.layers.GlobalAveragePooling2D()`).
ALIAS_CALL = re.compile(r"(?<![\w.])Flatten\(")
DOTTED_FLATTEN = re.compile(r"(?:\w+\.)+Flatten\(")
ADDED_FORMAT = re.compile(
    r""",?\s*(?:data_format=["']channels_first["']|dim_ordering=["']th["'])"""
)


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=IDS)
def test_fix_rewrites_every_kf001_site(fixture: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = copy(fixture, tmp_path)
    before_findings = findings(path, "KF001")
    before = units(path)
    code, _, err = run(["lint", "--fix", str(path)], capsys)
    after = units(path)

    assert_parses(path)
    assert findings(path, "KF001") == [], err
    assert code == (1 if findings(path) else 0)
    for finding in before_findings:
        unit = (finding.cell - 1) if finding.cell else 0
        # A wrapped import above may move the line: follow it through the diff.
        index = moved(before[unit].splitlines(), after[unit].splitlines(), finding.line - 1)
        line = after[unit].splitlines()[index]
        assert POOLING.search(line), (finding.line, line)
    assert ("Fixed" in err) == bool(before_findings)
    _assert_only_flatten_and_imports(before, after)


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=IDS)
def test_second_fix_is_a_no_op(fixture: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = copy(fixture, tmp_path)
    run(["lint", "--fix", "--unsafe-fixes", str(path)], capsys)
    once = path.read_bytes()
    run(["lint", "--fix", "--unsafe-fixes", str(path)], capsys)
    assert path.read_bytes() == once
    code, out, _ = run(["lint", "--diff", "--unsafe-fixes", str(path)], capsys)
    assert (code, out) == (0, "")


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=IDS)
def test_diff_writes_nothing_and_matches_fix(fixture: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = copy(fixture, tmp_path)
    original = path.read_bytes()
    code, out, _ = run(["lint", "--diff", str(path)], capsys)
    assert path.read_bytes() == original
    has_kf001 = bool(findings(path, "KF001"))
    assert code == (1 if has_kf001 else 0)
    assert bool(out) == has_kf001
    if has_kf001:
        assert out.startswith(f"--- {path.as_posix()}")
        removed = [ln[1:] for ln in out.splitlines() if ln.startswith("-") and ln[:3] != "---"]
        assert all("Flatten" in ln or is_import(ln) for ln in removed), removed


def moved(old: list[str], new: list[str], index: int) -> int:
    """Where line `index` of `old` is in `new` (it may be rewritten in place, not moved)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        if i1 <= index < i2 and (i2 - i1) == (j2 - j1):
            return j1 + index - i1
    raise AssertionError(f"line {index + 1} was not kept in place")


def _assert_only_flatten_and_imports(before: list[str], after: list[str]) -> None:
    for old_text, new_text in zip(before, after, strict=True):
        old, new = old_text.splitlines(), new_text.splitlines()
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            olds, news = old[i1:i2], new[j1:j2]
            if all(is_import(line) for line in olds + news):
                old_names = set(re.findall(r"\w+", " ".join(olds)))
                new_names = set(re.findall(r"\w+", " ".join(news)))
                # Names are added (the pooling class) or dropped (the unused Flatten).
                assert old_names - new_names <= {"Flatten"}, (olds, news)
                assert all(POOLING.fullmatch(n) for n in new_names - old_names)
                continue
            assert tag == "replace" and len(olds) == len(news), (olds, news)
            for old_line, new_line in zip(olds, news, strict=True):
                restored = ADDED_FORMAT.sub("", POOLING.sub("Flatten", new_line))
                if ALIAS_CALL.search(old_line):  # `F = tf.keras.layers.Flatten; F()`
                    restored = DOTTED_FLATTEN.sub("Flatten(", restored)
                assert restored == old_line, (old_line, new_line)
