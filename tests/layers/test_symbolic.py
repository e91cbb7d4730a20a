"""Sizes not known statically, followed as formulas (issue 12, "numbers when the size is
unknown"): the formulas in KF002 findings are checked against real Keras at concrete sizes."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from kerasfix.layers.symbolic import conv_length, named
from kerasfix.runner import lint_paths

# (layers between Input and Flatten, input shape with None sizes, Dense, sizes to build at)
CASES = [
    ("layers.Conv2D(8, 3)", (None, None, 3), "layers.Dense(4)", [(32, 32), (57, 41)]),
    (
        "layers.Conv2D(8, 5, strides=2), layers.MaxPooling2D(3, strides=2, padding='same')",
        (None, None, 3),
        "layers.Dense(4)",
        [(32, 32), (57, 41), (100, 64)],
    ),
    (
        "layers.Conv2D(8, 3, padding='same', strides=3), layers.AveragePooling2D(2),"
        " layers.BatchNormalization()",
        (None, None, 1),
        "layers.Dense(6, use_bias=False)",
        [(32, 32), (61, 37)],
    ),
    (
        "layers.Conv1D(8, 4, dilation_rate=2), layers.MaxPooling1D(2)",
        (None, 2),
        "layers.Dense(5)",
        [(50,), (77,)],
    ),
    ("layers.ConvLSTM2D(4, (3, 3))", (None, None, None, 2), "layers.Dense(3)", [(5, 20, 30)]),
    # known channels, partly known spatial size: the known size stays a number
    ("layers.Conv2D(8, 3)", (28, None, 1), "layers.Dense(4)", [(28, 40)]),
]


def _source(trunk: str, shape: tuple, dense: str) -> str:
    return (
        "import keras\nfrom keras import layers\n"
        f"model = keras.Sequential([keras.Input({shape!r}), {trunk}, layers.Flatten(), {dense}])\n"
    )


def _finding(tmp_path: Path, trunk: str, shape: tuple, dense: str):
    path = tmp_path / "model.py"
    path.write_text(_source(trunk, shape, dense))
    (finding,) = lint_paths([path]).findings
    return finding


def _evaluate(formula: str, sizes: dict[str, int]) -> int:
    """The formula as the user reads it, with floor/ceil of exact fractions."""
    from fractions import Fraction

    text = re.sub(r"\b([A-Z])\b", lambda m: f"Fraction({sizes[m.group(1)]})", formula)
    value = eval(text, {"floor": math.floor, "ceil": math.ceil, "Fraction": Fraction})
    return int(value)


@pytest.mark.parametrize(("trunk", "shape", "dense", "sizes"), CASES)
def test_kf002_carries_a_formula_and_the_pooled_count(
    tmp_path: Path, trunk: str, shape: tuple, dense: str, sizes: list
) -> None:
    finding = _finding(tmp_path, trunk, shape, dense)
    assert finding.rule == "KF002"
    assert finding.data.params_pooling is not None
    assert finding.data.params_flatten_formula is not None
    assert f"it is {finding.data.params_flatten_formula}, at " in finding.message


def test_seed_formula_reads_as_in_the_issue(tmp_path: Path) -> None:
    finding = _finding(
        tmp_path, "layers.ConvLSTM2D(256, (3, 3))", (None, None, None, 1), "layers.Dense(256)"
    )
    assert finding.data.params_pooling == 65_792
    assert finding.data.params_flatten_formula == "65536*(H-2)*(W-2) + 256"
    assert "for an input of HxW it is 65536*(H-2)*(W-2) + 256, at 32x32 input it would be " in (
        finding.message
    )
    assert "58,982,656" in finding.message


def test_formula_forms() -> None:
    h = named("H")
    assert conv_length(h, 3, "valid", 1).text == "H-2"  # type: ignore[union-attr]
    assert conv_length(conv_length(h, 3, "valid", 1), 3, "valid", 1).text == "H-4"  # type: ignore[union-attr]
    strided = conv_length(h, 5, "valid", 2)
    assert strided.text == "floor((H-5)/2)+1"  # type: ignore[union-attr]
    assert strided.evaluate({"H": 32}) == (32 - 5) // 2 + 1  # type: ignore[union-attr]
    same = conv_length(h, 3, "same", 2)
    assert same.text == "ceil(H/2)"  # type: ignore[union-attr]
    assert same.evaluate({"H": 33}) == 17  # type: ignore[union-attr]
    assert conv_length(h, 3, "same", 1) is h


@pytest.mark.keras
@pytest.mark.parametrize(("trunk", "shape", "dense", "sizes"), CASES)
def test_formulas_match_keras(
    tmp_path: Path, trunk: str, shape: tuple, dense: str, sizes: list
) -> None:
    import keras

    finding = _finding(tmp_path, trunk, shape, dense)
    formula = finding.data.params_flatten_formula
    assert formula is not None
    unknown = [i for i, d in enumerate(shape[:-1]) if d is None]
    for concrete in sizes:
        full = (*concrete, shape[-1])
        namespace: dict[str, object] = {}
        exec(_source(trunk, full, dense), namespace)  # our own snippet, at a concrete size
        model = namespace["model"]
        assert isinstance(model, keras.Model)
        head = model.layers[-1]
        names = _names(formula)
        sizes_by_name = dict(zip(names, [concrete[i] for i in unknown][-len(names) :], strict=True))
        assert _evaluate(formula, sizes_by_name) == head.count_params(), (formula, concrete)


def _names(formula: str) -> list[str]:
    order = ["T", "D", "L", "H", "W"]
    return sorted(set(re.findall(r"\b([A-Z])\b", formula)), key=order.index)


RESIZED = """\
import keras
from keras import layers
model = keras.Sequential([
    layers.Resizing(64, 64),
    layers.Conv2D(16, 3),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(32),
])
"""


def test_resizing_pins_the_size_without_an_input_shape(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(RESIZED)
    (finding,) = lint_paths([path]).findings
    assert finding.rule == "KF001"
    assert finding.data.shape == (31, 31, 16)
    assert (finding.data.params_flatten, finding.data.params_pooling) == (
        31 * 31 * 16 * 32 + 32,
        544,
    )


@pytest.mark.keras
def test_resizing_numbers_match_keras(tmp_path: Path) -> None:
    import keras

    namespace: dict[str, object] = {}
    exec(RESIZED, namespace)  # our own snippet
    model = namespace["model"]
    assert isinstance(model, keras.Model)
    model(keras.ops.zeros((1, 50, 70, 3)))  # any input size: Resizing pins it
    path = tmp_path / "model.py"
    path.write_text(RESIZED)
    (finding,) = lint_paths([path]).findings
    assert finding.data.params_flatten == model.layers[-1].count_params()


def test_a_resize_to_unknown_sizes_ends_the_formula(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(
        "import keras\nfrom keras import layers\n"
        "def build(size):\n"
        "    return keras.Sequential([keras.Input((None, None, 3)), layers.Resizing(size, size),\n"
        "        layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(4)])\n"
    )
    (finding,) = lint_paths([path]).findings
    assert finding.rule == "KF002"
    assert finding.data.params_pooling == 8 * 4 + 4
    assert finding.data.params_flatten_formula is None  # the size is `size`, not the input's H
