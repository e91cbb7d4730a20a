"""Recursive builders and reused nested models: analysis finishes, with readable reasons.

Issue 12: a file defining `def LSTM(shape):` whose body calls `LSTM(...)` twice ran into the
timeout (two calls per level: exponential), and a model holding another model twice
re-inferred the inner one at every call. No timing assertion here (see bench/bench_nesting.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from tests.scripts import load_script

# The benchmark's own generators (bench/nesting.py), so tests and timings use the same files.
nesting = load_script("bench/nesting.py", "bench_nesting_sources")
chained_nesting = nesting.chained_nesting
recursive_builders = nesting.recursive_builders
reused_nesting = nesting.reused_nesting

SHADOWING_LSTM = """\
from keras.models import Sequential
from keras.layers import Dense, Flatten
def LSTM(shape):
    model = Sequential()
    model.add(LSTM(64))
    model.add(LSTM(128))
    model.add(Flatten())
    model.add(Dense(1))
    return model
m = LSTM((10, 8))
"""


def _lint(tmp_path: Path, text: str):
    path = tmp_path / "model.py"
    path.write_text(text)
    result = lint_paths([path])
    assert not result.errors, result.errors
    return result.findings


def test_issue_reproducer_finishes_without_findings(tmp_path: Path) -> None:
    # LSTM here is the file's own function: no Keras layer produces a feature map.
    assert _lint(tmp_path, SHADOWING_LSTM) == []


def test_recursive_call_is_unknown_with_its_reason(tmp_path: Path) -> None:
    findings = _lint(tmp_path, recursive_builders(1))
    assert [f.rule for f in findings] == ["KF002"]
    # The second recursive call (line 8) is the last layer before Flatten.
    assert findings[0].message.endswith("is unknown because Block0() calls itself (line 8)")


@pytest.mark.parametrize("make", [reused_nesting, chained_nesting])
def test_deep_nesting_keeps_exact_numbers(tmp_path: Path, make) -> None:
    (finding,) = _lint(tmp_path, make(40))
    assert finding.rule == "KF001"
    assert finding.data.shape == (16, 16, 8)
    assert finding.data.params_flatten == 16 * 16 * 8 * 10 + 10
    assert finding.data.params_pooling == 8 * 10 + 10
