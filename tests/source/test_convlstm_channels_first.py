"""Issue 25 section 5: a channels_first ConvLSTM returning sequences outputs (batch, time,
filters, *spatial). Pooling must keep the filters, not the time steps: lint counts and names
the two layers that do (a Permute, then channels_first pooling), `--fix` leaves the file
alone and says why, and the channels_last case keeps its one-layer pooling."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.fixers.policy import FixOptions, why_no_fix
from kerasfix.fixers.run import fix_result
from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

SOURCE = """
from keras import layers, models

model = models.Sequential([
    layers.Input({shape}),
    layers.{conv}(16, 3{fmt}, return_sequences=True),
    layers.Flatten(),
    layers.Dense(2),
])
"""
CF = ', data_format="channels_first"'
# (conv, input shape, data_format, shape entering Flatten, suggestion)
CASES = [
    ("ConvLSTM2D", (10, 1, 8, 8), CF, (10, 16, 6, 6),
     'Permute((2, 1, 3, 4)) then GlobalAveragePooling3D(data_format="channels_first")'),
    ("ConvLSTM1D", (10, 1, 8), CF, (10, 16, 6),
     'Permute((2, 1, 3)) then GlobalAveragePooling2D(data_format="channels_first")'),
    ("ConvLSTM2D", (10, 8, 8, 1), "", (10, 6, 6, 16), "GlobalAveragePooling3D"),
    ("ConvLSTM1D", (10, 8, 1), "", (10, 6, 16), "GlobalAveragePooling2D"),
]  # fmt: skip


def _lint(tmp_path: Path, conv: str, shape: tuple[int, ...], fmt: str) -> tuple[Path, list]:  # type: ignore[type-arg]
    path = tmp_path / "convlstm.py"
    path.write_text(SOURCE.format(conv=conv, shape=shape, fmt=fmt), encoding="utf-8")
    result = lint_paths([path], Settings())
    assert result.errors == []
    return path, result.findings


Case = tuple[str, tuple[int, ...], str, tuple[int, ...], str]


@pytest.fixture(params=CASES, ids=lambda c: f"{c[0]}-{'cf' if c[2] else 'cl'}")
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


def test_pooling_keeps_the_filters(tmp_path: Path, case: Case) -> None:
    conv, shape, fmt, body, suggestion = case
    _, findings = _lint(tmp_path, conv, shape, fmt)
    [finding] = findings
    # 16 filters + bias per unit, times 2 units: the filters are what is kept, not 10 steps.
    assert (finding.rule, finding.data.shape, finding.data.params_pooling) == ("KF001", body, 34)
    assert finding.data.suggestion == suggestion
    assert f"{suggestion} would need 34" in finding.message


def test_fix_leaves_a_time_first_map_alone_and_says_why(tmp_path: Path) -> None:
    conv, shape, fmt, _, suggestion = CASES[0]
    path, findings = _lint(tmp_path, conv, shape, fmt)
    before = path.read_bytes()
    fix_result(lint_paths([path], Settings()), FixOptions(unsafe_fixes=True))
    assert path.read_bytes() == before
    reason = why_no_fix(findings[0])
    assert reason is not None and f"two layers ({suggestion})" in reason


def test_convlstm3d_sequence_is_not_given_a_pooling(tmp_path: Path) -> None:
    """(time, D, H, W) to pool: Keras has no GlobalAveragePooling4D, so no suggestion."""
    for shape, fmt in (((4, 1, 5, 5, 5), CF), ((4, 5, 5, 5, 1), "")):
        assert _lint(tmp_path, "ConvLSTM3D", shape, fmt)[1] == []


@pytest.mark.keras
def test_counts_match_keras(tmp_path: Path, case: Case) -> None:
    """Keras builds the suggested layers (spelled as the finding writes them) and its
    count_params() of each head is the finding's."""
    conv, shape, fmt, body, suggestion = case
    keras = pytest.importorskip("keras")
    _, [finding] = _lint(tmp_path, conv, shape, fmt)
    recurrent = getattr(keras.layers, conv)(
        16, 3, data_format="channels_first" if fmt else "channels_last", return_sequences=True
    )
    written = suggestion if suggestion.endswith(")") else f"{suggestion}()"
    pooling = eval(written.replace(" then ", ", ") + ",", vars(keras.layers))  # our own text
    heads = {}
    for name, middle in (("flatten", (keras.layers.Flatten(),)), ("pooling", pooling)):
        dense = keras.layers.Dense(2)
        model = keras.Sequential([keras.layers.Input(shape), recurrent, *middle, dense])
        assert model.layers[0].output.shape[1:] == body
        heads[name] = dense.count_params()
    assert heads == {
        "flatten": finding.data.params_flatten,
        "pooling": finding.data.params_pooling,
    }
    assert model.layers[-2].output.shape == (None, 16)
