"""Issue 25 section 5: a channels_first ConvLSTM returning sequences outputs (batch, time,
filters, *spatial). Pooling must keep the filters, not the time steps: lint counts and names
the two layers that do (a Permute, then channels_first pooling), `--fix` writes both where
the Flatten call's parent can hold two layers (else leaves the file and says why), and the
channels_last case keeps its one-layer pooling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kerasfix.fixers.policy import FixOptions, replacement
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
    # what `--fix --show-fixes` and the editor's quick fix say the fix writes
    written = suggestion.replace(" then ", " + ").replace('(data_format="channels_first")', "")
    assert replacement(finding) == written


FIX_SOURCE = """\
import tensorflow as tf
from keras import layers, models
from keras.layers import Flatten, Dense, ConvLSTM1D, Input

a = models.Sequential([
    layers.Input((10, 1, 8, 8)),
    layers.ConvLSTM2D(16, 3, data_format="channels_first", return_sequences=True),
    layers.Flatten(name="flat"),
    layers.Dense(2),
])
b = models.Sequential()
b.add(Input((10, 1, 8)))
b.add(ConvLSTM1D(16, 3, data_format="channels_first", return_sequences=True))
# the head
b.add(Flatten())
b.add(Dense(2))
inp = tf.keras.Input((10, 1, 8, 8))
x = tf.keras.layers.ConvLSTM2D(16, 3, data_format="channels_first", return_sequences=True)(inp)
x = tf.keras.layers.Flatten()(x)
c = tf.keras.Model(inp, tf.keras.layers.Dense(2)(x))
d = models.Sequential([
    layers.Input((10, 1, 8, 8)),
    layers.TimeDistributed(layers.Conv2D(16, 3, data_format="channels_first")),
    layers.Flatten(),
    layers.Dense(2),
])
e = models.Sequential([
    layers.Input((10, 1, 8, 8)),
    layers.TimeDistributed(layers.Conv2D(16, 3, data_format="channels_first")),
    layers.TimeDistributed(layers.Flatten()),
    layers.TimeDistributed(layers.Dense(2)),
])
"""
# In a layer list, as `model.add` statements and applied to a tensor; the Flatten import
# nothing uses any more goes, Permute and the pooling are imported where it was.
FIXED = (
    FIX_SOURCE.replace(
        "import Flatten, Dense, ConvLSTM1D, Input",
        "import Dense, ConvLSTM1D, Input, GlobalAveragePooling2D, Permute",
    )
    .replace(
        '    layers.Flatten(name="flat"),\n',
        "    layers.Permute((2, 1, 3, 4)),\n"
        '    layers.GlobalAveragePooling3D(name="flat", data_format="channels_first"),\n',
    )
    .replace(
        "b.add(Flatten())\n",
        'b.add(Permute((2, 1, 3)))\nb.add(GlobalAveragePooling2D(data_format="channels_first"))\n',
    )
    .replace(
        "x = tf.keras.layers.Flatten()(x)",
        'x = tf.keras.layers.GlobalAveragePooling3D(data_format="channels_first")('
        "tf.keras.layers.Permute((2, 1, 3, 4))(x))",
    )
    .replace(
        "    layers.Flatten(),\n",
        "    layers.Permute((2, 1, 3, 4)),\n"
        '    layers.GlobalAveragePooling3D(data_format="channels_first"),\n',
    )
    .replace(
        "layers.TimeDistributed(layers.Flatten())",
        'layers.TimeDistributed(layers.GlobalAveragePooling2D(data_format="channels_first"))',
    )
)


def _fix(tmp_path: Path, text: str) -> tuple[str, list[str]]:
    path = tmp_path / "fix_me.py"
    path.write_text(text, encoding="utf-8")
    run = fix_result(lint_paths([path], Settings()), FixOptions())
    return path.read_text(encoding="utf-8"), run.result.notes


def test_time_distributed_channels_first_frames(tmp_path: Path) -> None:
    """TimeDistributed(Conv2D(channels_first)) stacks (filters, rows, cols) frames: whole,
    (time, filters, ...) like a ConvLSTM's sequence; per frame, channels_first. Both keep
    the 16 filters (the wrapped layer's data_format was not read: 6 columns were kept)."""
    path = tmp_path / "frames.py"
    path.write_text(FIX_SOURCE, encoding="utf-8")
    findings = lint_paths([path], Settings()).findings
    by_line = {f.line: (f.data.params_pooling, f.data.suggestion) for f in findings}
    assert by_line[24] == (34, CASES[0][4])
    assert by_line[30] == (34, "GlobalAveragePooling2D")
    assert findings[-1].data.channels_first


def test_fix_writes_permute_then_pooling(tmp_path: Path) -> None:
    fixed, _ = _fix(tmp_path, FIX_SOURCE)
    assert fixed == FIXED
    result = lint_paths([tmp_path / "fix_me.py"], Settings())
    assert (result.findings, result.errors) == ([], [])


def test_fix_leaves_a_pair_nowhere_to_go_and_says_why(tmp_path: Path) -> None:
    """`flat = Flatten()` then `[..., flat, ...]`: one name cannot hold two layers."""
    text = SOURCE.format(conv="ConvLSTM2D", shape=(10, 1, 8, 8), fmt=CF)
    text = "flat = layers.Flatten()\n" + text.replace("layers.Flatten()", "flat")
    fixed, notes = _fix(tmp_path, text)
    assert fixed == text
    assert any(
        "line 1: not fixed: the pooling that keeps the filters is two layers (Permute then "
        "GlobalAveragePooling3D)" in note
        for note in notes
    ), notes


def test_convlstm3d_sequence_is_reported_with_two_layers_and_no_fix(tmp_path: Path) -> None:
    """(time, D, H, W) to pool: Keras has no GlobalAveragePooling4D. channels_last, the two
    layers that keep the filters are named (no fix writes them; counts checked against Keras
    in tests/source/test_sequence_and_concatenate_heads.py); channels_first (time, filters,
    D, H, W) would need a Permute too: still not reported."""
    assert _lint(tmp_path, "ConvLSTM3D", (4, 1, 5, 5, 5), CF)[1] == []
    [finding] = _lint(tmp_path, "ConvLSTM3D", (4, 5, 5, 5, 1), "")[1]
    assert finding.data.suggestion == (
        "TimeDistributed(GlobalAveragePooling3D()) then GlobalAveragePooling1D()"
    )


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


@pytest.mark.keras
def test_fixed_code_builds_with_the_counted_parameters() -> None:
    """Keras builds the fixed code (our own test source): each new Dense has 16 * 2 + 2."""
    pytest.importorskip("keras")
    namespace: dict[str, object] = {}
    exec(compile(FIXED, "fixed.py", "exec"), namespace)  # our own fixture text
    for name in "abcde":
        model: Any = namespace[name]
        assert model.layers[-1].count_params() == 34
        assert model.layers[-2].output.shape[-1] == 16
