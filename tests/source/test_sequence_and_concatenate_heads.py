"""Heads seen in heldout5 (bench/realworld/FINDINGS.md 8d): a Concatenate between Flatten and
Dense, a recurrent sequence flattened into a Dense, and a directory generator's `image_shape`
used as the input shape. Numbers checked against Keras builds (shapes only, StatelessScope)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.fixers.policy import FixOptions
from kerasfix.fixers.run import fix_result
from kerasfix.runner import lint_paths
from tests.source.test_realworld_patterns import _lint_text

# Flatten -> Dropout -> concatenate with a 3-wide input -> Dense(16); the other input's
# 3 x 16 weights are there with Flatten and with pooling alike.
CONCATENATED = """\
import keras
from keras import layers
image = keras.Input((12, 12, 3))
extra = keras.Input((3,))
x = layers.Conv2D(8, 3)(image)
x = layers.Flatten()(x)
x = layers.Dropout(0.5)(x)
x = layers.concatenate([x, extra])
model = keras.Model([image, extra], layers.Dense(16)(x))
"""
TWO_FLATTENS = """\
import keras
from keras import layers
a = keras.Input((6, 6, 4))
b = keras.Input((10, 2))
fa = layers.Flatten()(layers.Conv2D(8, 3)(a))
fb = layers.Flatten()(layers.Conv1D(5, 3)(b))
model = keras.Model([a, b], layers.Dense(4)(layers.Concatenate()([fa, fb])))
"""
# The same heads where pooling has nothing to shrink: no finding.
CONCATENATED_SILENT = [
    # pooled already
    CONCATENATED.replace("layers.Flatten()", "layers.GlobalAveragePooling2D()"),
    # a raw image flattened, not a feature map
    CONCATENATED.replace("x = layers.Conv2D(8, 3)(image)", "x = image"),
    # an Add needs equal widths: not a head the flattened part can shrink in
    TWO_FLATTENS.replace("layers.Concatenate()([fa, fb])", "layers.Add()([fa, fa])"),
]

SEQUENCES = """\
import keras
from keras import layers
steps = keras.Input((6, 11))
x = layers.GRU(16, return_sequences=True)(steps)
gru = keras.Model(steps, layers.Dense(5)(layers.Flatten()(x)))
x = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(steps)
x = layers.Dense(8)(x)
per_step = keras.Model(steps, layers.Dense(2)(layers.Flatten()(x)))
"""
# Steps that are independent lookups or projections of the raw input stay unreported
# (rules/KF001.md, "Sequences"), as every labelled Embedding -> Flatten site is none.
SEQUENCES_SILENT = """\
import keras
from keras import layers
words = keras.Input((20,))
embedded = keras.Model(words, layers.Dense(1)(layers.Flatten()(layers.Embedding(100, 8)(words))))
steps = keras.Input((6, 11))
projected = keras.Model(steps, layers.Dense(1)(layers.Flatten()(layers.Dense(8)(steps))))
last = keras.Model(steps, layers.Dense(1)(layers.GRU(16)(steps)))
"""


def _build(text: str, keras):  # type: ignore[no-untyped-def]
    namespace: dict = {"__name__": "head"}  # type: ignore[type-arg]
    with keras.StatelessScope(initialize_variables=False):  # shapes and counts only
        exec(compile(text, "head.py", "exec"), namespace)
    return namespace


def _last_dense(model):  # type: ignore[no-untyped-def]
    return [layer for layer in model.layers if type(layer).__name__ == "Dense"][-1]


@pytest.mark.keras
def test_concatenated_head_counts_the_flattened_part_and_the_fix_builds(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    (finding,) = _lint_text(tmp_path, CONCATENATED)
    assert (finding.rule, finding.data.shape) == ("KF001", (10, 10, 8))
    assert (finding.data.params_flatten, finding.data.params_pooling) == (12_816, 144)
    assert "its 3 other input features add 48 weights either way" in finding.message
    dense = _last_dense(_build(CONCATENATED, keras)["model"])
    assert dense.count_params() == finding.data.params_flatten + 3 * 16
    path = tmp_path / "script.py"
    fix_result(lint_paths([path]), FixOptions())
    fixed = path.read_text(encoding="utf-8")
    assert "GlobalAveragePooling2D()" in fixed and "Flatten" not in fixed
    dense = _last_dense(_build(fixed, keras)["model"])
    assert dense.count_params() == finding.data.params_pooling + 3 * 16


@pytest.mark.keras
def test_two_flattened_maps_concatenated_each_count_their_part(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    findings = _lint_text(tmp_path, TWO_FLATTENS)
    got = [(f.data.shape, f.data.params_flatten, f.data.params_pooling) for f in findings]
    assert got == [((4, 4, 8), 516, 36), ((8, 5), 164, 24)]
    dense = _last_dense(_build(TWO_FLATTENS, keras)["model"])
    # Keras's one Dense: both parts' weights and one bias (each count above has the bias)
    assert dense.count_params() == 516 + 164 - 4


@pytest.mark.parametrize("text", CONCATENATED_SILENT)
def test_concatenated_heads_with_nothing_to_shrink_are_silent(tmp_path: Path, text: str) -> None:
    assert _lint_text(tmp_path, text) == []


@pytest.mark.keras
def test_recurrent_sequences_are_feature_maps(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    findings = _lint_text(tmp_path, SEQUENCES)
    got = [(f.rule, f.data.shape, f.data.params_flatten, f.data.suggestion) for f in findings]
    assert got == [
        ("KF001", (6, 16), 485, "GlobalAveragePooling1D"),
        ("KF001", (6, 8), 98, "GlobalAveragePooling1D"),
    ]
    built = _build(SEQUENCES, keras)
    assert [_last_dense(built[name]).count_params() for name in ("gru", "per_step")] == [485, 98]


def test_embedding_and_per_step_projections_of_raw_steps_are_silent(tmp_path: Path) -> None:
    assert _lint_text(tmp_path, SEQUENCES_SILENT) == []


GENERATOR = """\
from keras.preprocessing.image import ImageDataGenerator
from keras import layers, Sequential
batches = ImageDataGenerator(rescale=1 / 255).{flow}
model = Sequential([layers.Input(batches.image_shape), layers.Conv2D(4, 3),
                    layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(10)])
"""


@pytest.mark.keras
def test_directory_generator_image_shape_is_the_input_shape(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    text = GENERATOR.format(flow='flow_from_directory("train", (20, 20), "grayscale")')
    (finding,) = _lint_text(tmp_path, text)
    assert (finding.rule, finding.data.shape, finding.data.params_flatten) == (
        "KF001",
        (9, 9, 4),
        3_250,
    )
    model = text.split("\n", 3)[3].replace("batches.image_shape", "(20, 20, 1)")
    built = _build("import keras\nfrom keras import layers, Sequential\n" + model, keras)
    assert _last_dense(built["model"]).count_params() == 3_250


def test_array_generator_has_no_image_shape(tmp_path: Path) -> None:
    # `flow(x)` gives a NumpyArrayIterator, which has no `image_shape`: nothing made up.
    text = GENERATOR.format(flow="flow(__import__('numpy').zeros((4, 20, 20, 1)))")
    assert [f.rule for f in _lint_text(tmp_path, text)] == ["KF002"]


# heldout6 misses (FINDINGS 9a): Keras 1.2's short alias in Keras 1 code, and heads made in a
# comprehension over a range the file does not fix.
KERAS1_ALIAS = """\
from keras.models import Sequential
from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense
model = Sequential([Conv2D(2, 3, 3, border_mode="valid", input_shape=(16, 32, 1)),
                    MaxPooling2D((4, 4), (4, 4)), Flatten(), Dense(1)])
"""


@pytest.mark.keras
def test_keras1_short_alias_reads_a_kernel(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    (finding,) = _lint_text(tmp_path, KERAS1_ALIAS)
    assert (finding.data.shape, finding.data.params_flatten) == ((3, 7, 2), 43)
    rebuilt = "import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input((16, 32, 1)), layers.Conv2D(2, 3), layers.MaxPooling2D(4), layers.Flatten(), layers.Dense(1)])\n"  # noqa: E501
    assert _last_dense(_build(rebuilt, keras)["model"]).count_params() == 43


def test_short_alias_without_keras1_keywords_reads_strides(tmp_path: Path) -> None:
    # No Keras-1-only keyword: Keras 2.4+/3 read Conv2D(2, 3, 3) as strides 3, as before.
    (finding,) = _lint_text(tmp_path, KERAS1_ALIAS.replace(', border_mode="valid"', ""))
    assert finding.data.shape == (1, 2, 2)


HEADS = """\
from keras.layers import Input, Dense, Flatten, Conv2D, concatenate
from keras.models import Model
def build(n):
    image = Input((20, 20, 1))
    x = Flatten()(Conv2D(8, 3)(image))
    return Model(image, concatenate([Dense(4)(x) for i in range({count})]))
model = build(n)
"""


def test_heads_made_in_a_comprehension_over_an_unknown_range(tmp_path: Path) -> None:
    findings = _lint_text(tmp_path, HEADS.format(count="n"))
    assert {(f.rule, f.data.shape, f.data.params_flatten) for f in findings} == {
        ("KF001", (18, 18, 8), 10_372)
    }


def test_a_comprehension_over_nothing_makes_no_head(tmp_path: Path) -> None:
    assert _lint_text(tmp_path, HEADS.format(count="0")) == []


VOLUMES = """\
import keras
from keras import layers
model = keras.Sequential([keras.Input((4, 8, 8, 8, 2)),
                          layers.ConvLSTM3D(4, 3, return_sequences=True),
                          layers.Flatten(), layers.Dense(10)])
"""


@pytest.mark.keras
def test_convlstm3d_sequence_is_reported_without_a_fix(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    from kerasfix.fixers.policy import has_fix, why_no_fix

    (finding,) = _lint_text(tmp_path, VOLUMES)
    assert (finding.rule, finding.data.shape, finding.data.params_flatten) == (
        "KF001",
        (4, 6, 6, 6, 4),
        34_570,
    )
    assert finding.data.params_pooling == 50 and not has_fix(finding)
    assert "takes two layers" in (why_no_fix(finding) or "")
    assert _last_dense(_build(VOLUMES, keras)["model"]).count_params() == 34_570


# Flatten -> Reshape((1, 800)) -> Concatenate with a (1, 3) input -> Dense(16) (heldout27's
# SegMap voxel autoencoder): the Dense still reads every flattened value, on its last axis.
ROW_RESHAPED = """\
import keras
from keras import layers
image = keras.Input((12, 12, 3))
scales = keras.Input((1, 3))
x = layers.Conv2D(8, 3)(image)
x = layers.Flatten()(x)
x = layers.Reshape((1, 800))(x)
x = layers.Concatenate()([x, scales])
model = keras.Model([image, scales], layers.Dense(16)(x))
"""


@pytest.mark.keras
def test_a_flat_vector_reshaped_to_one_row_is_reported_without_a_fix(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    from kerasfix.fixers.policy import has_fix, why_no_fix

    (finding,) = _lint_text(tmp_path, ROW_RESHAPED)
    assert (finding.rule, finding.data.shape) == ("KF001", (10, 10, 8))
    assert (finding.data.params_flatten, finding.data.params_pooling) == (12_816, 144)
    assert _last_dense(_build(ROW_RESHAPED, keras)["model"]).count_params() == 12_816 + 3 * 16
    assert not has_fix(finding)
    assert "passes through Reshape((1, 800)) (line 7)" in (why_no_fix(finding) or "")
    path = tmp_path / "script.py"
    fix_result(lint_paths([path]), FixOptions())
    assert path.read_text(encoding="utf-8") == ROW_RESHAPED


def test_a_reshape_that_splits_the_vector_ends_the_walk(tmp_path: Path) -> None:
    """`Reshape((2, 400))` cuts the vector into rows: the Dense reads 400 values per row,
    not the flattened map, so nothing is claimed about a Flatten -> Dense pair."""
    text = ROW_RESHAPED.replace("Reshape((1, 800))", "Reshape((2, 400))")
    text = text.replace("keras.Input((1, 3))", "keras.Input((2, 3))")
    assert _lint_text(tmp_path, text) == []
