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
    source = tmp_path / "model.py"
    source.write_text(POOLED_TOO_OFTEN)
    (finding,) = lint_paths([source]).findings
    assert finding.rule == "KF002"
    assert (finding.data.params_flatten, finding.data.params_pooling) == (None, None)
    assert finding.message == (
        "Flatten over an unknown shape feeds Dense(10), but this model cannot be built: "
        "Keras cannot build 'MaxPooling2D' (line 10): window 2 with stride 2 and padding "
        "'valid' does not fit length 1"
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
    assert "this model cannot be built: Keras cannot build 'MaxPooling2D' (line 3)" in (
        finding.message
    )


@pytest.mark.keras
def test_keras_really_refuses_it() -> None:
    namespace: dict[str, object] = {}
    with pytest.raises(ValueError, match=r"MaxPooling2D|negative|size"):
        exec(compile(POOLED_TOO_OFTEN, "model.py", "exec"), namespace)  # our own snippet
