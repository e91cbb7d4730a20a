"""Findings hold plain data only: every reporter and the result cache can always write them.

Regression for issue 12: a layer named with an f-string gave findings an internal `Unknown`
that crashed the JSON cache (`Object of type Unknown is not JSON serializable`) and leaked
`Unknown('a JoinedStr expression ...')` into a message.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerasfix.cache import ResultCache
from kerasfix.checks.flatten_dense import PoolingFacts
from kerasfix.findings import Finding, Severity
from kerasfix.graph.model import SourceSpan, Unknown
from kerasfix.reporters import FORMATS, get_reporter
from kerasfix.results import FileOutcome, LintResult, SourceText

NAMED_AT_RUN_TIME = """\
from keras.models import Sequential
from keras.layers import ConvLSTM2D, BatchNormalization, Flatten, Dense

def build(n, deep):
    model = Sequential()
    for i in range(n):
        if deep:
            model.add(ConvLSTM2D(64, (3, 3), name=f"convlstm_{i}", return_sequences=True,
                                 input_shape=(10, 32, 32, 1)))
            model.add(BatchNormalization())
    model.add(ConvLSTM2D(64, (3, 3), name=f"last_{n}"))
    model.add(Flatten(name=f"flat_{n}"))
    model.add(Dense(10, name=f"dense_{n}"))
    return model

known = Sequential()
known.add(ConvLSTM2D(64, (3, 3), input_shape=(10, 32, 32, 1), name=f"c{1}"))
known.add(Flatten(name=f"flat_{2}"))
known.add(Dense(10, name=f"d{3}"))
"""


def _lint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_layer_names_from_fstrings_survive_the_cache_and_read_well(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(NAMED_AT_RUN_TIME)
    runs = [_lint(tmp_path, "--output-format", "json", "model.py") for _ in range(2)]
    for run in runs:  # first run fills the cache, the second reads it
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr
        assert "Unknown(" not in run.stdout
    assert runs[0].stdout == runs[1].stdout
    findings = json.loads(runs[0].stdout)
    assert [(f["rule"], f["line"]) for f in findings] == [("KF002", 12), ("KF001", 18)]
    # The conditional-loop finding names the layer class, not an internal repr.
    assert (
        "'ConvLSTM2D' is added under a condition or inside a loop (line 7)"
        in (findings[0]["message"])
    )
    assert findings[1]["params_flatten"] == 30 * 30 * 64 * 10 + 10


# Values a frontend might wrongly pass into a finding: plain ones and internal ones.
_ODD = st.sampled_from([Unknown("a JoinedStr expression (line 115)"), object(), 1.5, True, b"x"])
_INT = st.one_of(st.none(), st.integers(min_value=0, max_value=10**12), _ODD)
_TEXT = st.one_of(st.none(), st.text(max_size=30), _ODD)
_SHAPE = st.one_of(st.none(), _ODD, st.lists(st.one_of(st.none(), st.integers(1, 512), _ODD)))


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    on_model = draw(st.booleans())
    span = None if on_model else SourceSpan(draw(st.integers(1, 50)), 1, 1, 9, draw(st.none()))
    return Finding(
        rule=draw(st.sampled_from(["KF001", "KF002"])),
        severity=draw(st.sampled_from(list(Severity))),
        message=draw(st.one_of(st.text(max_size=60), _ODD)),
        path="src/model.py" if span else "model.keras",
        span=span,
        layer_path=(draw(_TEXT), draw(_TEXT)) if on_model else None,
        data=PoolingFacts(
            shape=draw(_SHAPE),
            dense_units=draw(_INT),
            params_flatten=draw(_INT),
            params_pooling=draw(_INT),
            suggestion=draw(_TEXT),
            flatten_layer=draw(_TEXT),
            dense_layer=draw(_TEXT),
            channels_first=draw(st.booleans()),
        ),
    )


def _plain(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or (isinstance(value, str | int) and not isinstance(value, float))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(findings(), min_size=1, max_size=4))
def test_generated_findings_go_through_every_reporter(generated: list[Finding]) -> None:
    for finding in generated:
        assert _plain(finding.to_dict()), finding.to_dict()
    result = LintResult(
        findings=generated,
        files_checked=2,
        files=["src/model.py", "model.keras"],
        sources={"src/model.py": SourceText(text="x = 1\n" * 60)},
    )
    for name in FORMATS:
        stream = io.StringIO()
        get_reporter(name)(result, stream)
        output = stream.getvalue()
        assert "Unknown(" not in output, name
        if name in ("json", "sarif", "gitlab"):
            json.loads(output)
        if name == "json-lines":
            assert [json.loads(line) for line in output.splitlines()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(findings(), max_size=4))
def test_generated_findings_round_trip_through_the_cache(generated: list[Finding]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        cache = ResultCache(Path(directory), fingerprint="test")
        outcome = FileOutcome(findings=generated, source=SourceText(text="x = 1\n"))
        cache.put("src/model.py", "key", "digest", outcome)
        cache.save()
        reread = ResultCache(Path(directory), fingerprint="test").get(
            "src/model.py", "key", "digest"
        )
    assert reread is not None
    assert [f.to_dict() for f in reread.findings] == [f.to_dict() for f in generated]
    # The fix data (layer names, data format) survives too: `--fix` may use cached results.
    assert [f.data for f in reread.findings] == [f.data for f in generated]
