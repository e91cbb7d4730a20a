"""Keras 1 positional semantics (`Convolution2D(64, 3, 3)` = a 3x3 kernel) only in Keras 1 code,
and for the legacy class names in standalone-keras code (Keras 2.0-2.3 converted them too).

Issue 12: tf.keras code was read the Keras 1 way, claiming 114x114x64 and ~3.4 billion
parameters where Keras builds 14x14x64 and 51,384,320.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kerasfix.frontends.source import is_keras1_code
from kerasfix.runner import lint_paths

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures/source/modern_convolution2d.py"


@pytest.mark.parametrize(
    ("text", "keras1"),
    [
        (
            "from keras.layers import Convolution2D\nConvolution2D(8, 3, 3, border_mode='same')",
            True,
        ),
        ("import keras\nmodel.fit(x, y, nb_epoch=10)\n", True),
        ("from keras.models import Sequential\nConvolution2D(8, 3, 3, init='he_normal')\n", True),
        # no Keras-1-only spelling: Keras 2/3 semantics
        ("from keras.layers import Convolution2D\nConvolution2D(8, 3, 3)\n", False),
        # tf.keras is never Keras 1, whatever it spells
        ("from tensorflow.keras.layers import Conv2D\nConv2D(8, 3, border_mode='same')\n", False),
        # an import-free snippet with a Keras 1 spelling
        ("model.add(Convolution2D(8, 3, 3, subsample=(2, 2)))\n", True),
        # a word in a comment or docstring is not a keyword argument
        ("import keras\n# Keras 1 had init= and nb_epoch=\nConv2D(8, 3)\n", False),
        # kernel_init= is not init=
        ("import keras\nConv2D(8, 3, kernel_init='x')\n", False),
    ],
)
def test_keras1_code_needs_a_standalone_import_and_a_keras1_spelling(
    text: str, keras1: bool
) -> None:
    assert is_keras1_code([text], [ast.parse(text)]) is keras1


def test_tf_keras_file_with_keras1_spelling_still_reads_strides(tmp_path: Path) -> None:
    source = tmp_path / "mixed.py"
    source.write_text(
        "import keras\nfrom tensorflow.keras.layers import Convolution2D, Dense, Flatten\n"
        "m = keras.Sequential([keras.Input((30, 30, 3)), Convolution2D(4, 3, 3), Flatten(),\n"
        "    Dense(2)])\nm.fit(x, y, nb_epoch=3)\n"
    )
    (finding,) = lint_paths([source]).findings
    assert finding.data.shape == (10, 10, 4)  # strides 3, not a 3x3 kernel with stride 1


@pytest.mark.keras
def test_modern_convolution2d_numbers_match_keras() -> None:
    import keras

    namespace: dict[str, object] = {}
    exec(compile(FIXTURE.read_text(), str(FIXTURE), "exec"), namespace)  # our own fixture
    expected = []
    for name in ("tf_model", "standalone"):
        model = namespace[name]
        assert isinstance(model, keras.Model)
        flatten = next(layer for layer in model.layers if type(layer).__name__ == "Flatten")
        dense = model.layers[model.layers.index(flatten) + 1]
        expected.append((tuple(flatten.input.shape[1:]), dense.count_params()))
    findings = lint_paths([FIXTURE]).findings
    assert [(f.data.shape, f.data.params_flatten) for f in findings] == expected


def _shape(tmp_path: Path, text: str) -> tuple[int | None, ...]:
    source = tmp_path / "net.py"
    source.write_text(text)
    (finding,) = lint_paths([source]).findings
    return finding.data.shape


def test_standalone_keras2_convolution2d_positional_form_is_a_kernel(tmp_path: Path) -> None:
    """Seen in public code (bench/realworld heldout4, CarND behavioral cloning lenet.py):
    Keras 2.0-2.3's legacy interface (conv2d_args_preprocessor) turned `Convolution2D(6, 5, 5)`
    into a 5x5 kernel, without any Keras-1-only keyword in the file."""
    text = (
        "from keras.models import Sequential\n"
        "from keras.layers import Convolution2D, Flatten, Dense\n"
        "m = Sequential()\n"
        "m.add(Convolution2D(6, 5, 5, activation='relu', input_shape=(32, 32, 3)))\n"
        "m.add(Flatten())\nm.add(Dense(4))\n"
    )
    assert _shape(tmp_path, text) == (28, 28, 6)
    # Keras 2 refused the form next to padding=: such code is Keras 3's, where 5 is strides.
    text = text.replace("activation='relu'", "padding='same'")
    assert _shape(tmp_path, text) == (7, 7, 6)


def test_a_tf_keras_star_import_wins_over_the_assumed_keras_names(tmp_path: Path) -> None:
    """Seen in public code (bench/realworld heldout4, tensfa StackOverflow snippets): names
    from `from tensorflow.keras.layers import *` are tf.keras's (strides), not the bare-name
    fallback to standalone Keras."""
    text = (
        "from tensorflow.keras.models import Sequential\n"
        "from tensorflow.keras.layers import *\n"
        "m = Sequential()\n"
        "m.add(Convolution2D(32, 3, 3, input_shape=(90, 90, 3)))\n"
        "m.add(Flatten())\nm.add(Dense(4))\n"
    )
    assert _shape(tmp_path, text) == (30, 30, 32)
