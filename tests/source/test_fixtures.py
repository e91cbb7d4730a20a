"""Every shipped fixture produces exactly the findings its `# expect:` comments name."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.source.expectations import expectations

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted([*ROOT.glob("fixtures/source/*.py"), *ROOT.glob("fixtures/notebooks/*.ipynb")])


def test_fixtures_exist() -> None:
    assert len(FIXTURES) >= 12


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_findings(path: Path) -> None:
    result = lint_paths([path], Settings())
    assert result.errors == []
    expected = expectations(path)
    unmatched = [f for f in result.findings if not any(e.matches(f) for e in expected)]
    missing = [e for e in expected if not any(e.matches(f) for f in result.findings)]
    assert not unmatched, [f.to_dict() for f in unmatched]
    assert not missing, missing
    for finding in result.findings:
        if finding.rule == "KF002":
            assert finding.data.params_flatten is None
            assert "unknown because" in finding.message


def test_clean_fixture_has_no_findings() -> None:
    result = lint_paths([ROOT / "fixtures/source/clean.py"], Settings())
    assert result.findings == [] and result.errors == []


def test_message_matches_documented_form() -> None:
    result = lint_paths([ROOT / "fixtures/source/sequential_list.py"], Settings())
    (finding,) = result.findings
    assert finding.message == (
        "Flatten over 12x12x64 feeds Dense(128): 1,179,776 parameters; "
        "GlobalAveragePooling2D would need 8,320 (-99.3%)"
    )
    assert finding.span is not None
    assert (finding.line, finding.column, finding.span.end_line, finding.span.end_column) == (
        12,
        9,
        12,
        20,
    )


def test_assumed_channels_first_is_stated() -> None:
    result = lint_paths([ROOT / "fixtures/source/snippet_keras1_theano.py"], Settings())
    (finding,) = result.findings
    assert finding.message.endswith(
        "; the channels_first ordering is assumed (Keras 1 code with a (3, 28, 28) input and "
        "no image ordering set)"
    )
    # An ordering the file sets itself is not an assumption.
    result = lint_paths([ROOT / "fixtures/source/python2_keras1.py"], Settings())
    assert "assumed" not in result.findings[0].message


def test_bottleneck_reshaped_to_a_map_is_kept_at_info() -> None:
    result = lint_paths([ROOT / "fixtures/source/autoencoder.py"], Settings())
    (finding,) = result.findings
    # 401,536 parameters would be a warning; the Reshape back to 7x7x64 lowers it, with why.
    assert finding.severity.value == "info"
    assert finding.message.endswith(
        "; kept at info because the Dense output is reshaped back into a spatial map (7x7x64) "
        "at line 15 (an encoder/decoder bottleneck, where the spatial layout is the point)"
    )


@pytest.mark.parametrize(
    ("input_shape", "first"),
    [((3, 100, 100), True), ((5, 100, 100), True), ((16, 64, 64), True), ((28, 28, 1), False)],
)
def test_keras1_channels_first_is_assumed_for_a_few_channels_ahead_of_a_large_image(
    tmp_path: Path, input_shape: tuple[int, int, int], first: bool
) -> None:
    """Seen in public code (bench/realworld heldout3): Keras 1 scripts with a 5-channel
    (5, 100, 100) input, written for Theano's channels-first ordering."""
    script = tmp_path / "keras1.py"
    script.write_text(
        "from keras.models import Sequential\n"
        "from keras.layers import Convolution2D, Flatten, Dense\n"
        "model = Sequential()\n"
        f"model.add(Convolution2D(8, 3, 3, border_mode='valid', input_shape={input_shape}))\n"
        "model.add(Flatten())\n"
        "model.add(Dense(16))\n"
    )
    (finding,) = lint_paths([script], Settings()).findings
    assert ("channels_first ordering is assumed" in finding.message) is first
