"""A model Keras refuses to build gets no parameter count: the finding says where it fails.

Issue 12: a MaxPooling2D on a 1x1 map earlier in the stack still gave numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.runner import lint_paths

POOLED_TOO_OFTEN = """\
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input((8, 8, 3)),
    layers.Conv2D(32, 3, padding="same"),
    layers.MaxPooling2D(),
    layers.MaxPooling2D(),
    layers.MaxPooling2D(),
    layers.MaxPooling2D(),
    layers.Conv2D(64, 3, padding="same"),
    layers.Flatten(),
    layers.Dense(10),
])
"""


def test_unbuildable_model_names_the_failing_layer(tmp_path: Path) -> None:
    """No count for a model Keras refuses to build (no KF001/KF002): KF003 says where."""
    source = tmp_path / "model.py"
    source.write_text(POOLED_TOO_OFTEN)
    (finding,) = lint_paths([source]).findings
    assert finding.rule == "KF003"
    assert finding.message == (
        "MaxPooling2D (line 10) cannot be built on the input it gets, (None, 1, 1, 32): "
        "window 2 with stride 2 and padding 'valid' does not fit length 1 (Keras: ValueError, "
        "computed output size would be zero or negative); the model's input (None, 8, 8, 3) "
        "is declared at line 5 and reaches it through the layers before it"
    )


def test_nested_unbuildable_model_is_reported_the_same_way(tmp_path: Path) -> None:
    source = tmp_path / "nested.py"
    source.write_text(
        "import keras\nfrom keras import layers\n"
        "trunk = keras.Sequential([layers.MaxPooling2D(4), layers.MaxPooling2D(4)])\n"
        "model = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3, padding='same'),\n"
        "    trunk, layers.Flatten(), layers.Dense(2)])\n"
    )
    (finding,) = lint_paths([source]).findings
    assert finding.rule == "KF003"
    assert finding.message.startswith(
        "MaxPooling2D (line 3) cannot be built on the input it gets, (None, 2, 2, 4): window 4"
    )


@pytest.mark.keras
def test_keras_really_refuses_it() -> None:
    namespace: dict[str, object] = {}
    with pytest.raises(ValueError, match=r"MaxPooling2D|negative|size"):
        exec(compile(POOLED_TOO_OFTEN, "model.py", "exec"), namespace)  # our own snippet
