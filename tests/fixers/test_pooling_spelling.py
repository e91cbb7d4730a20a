"""A channels-first pooling layer is spelled for the Keras the code is written for (issue 23
point 1): `data_format="channels_first"` in Keras 2/3 and tf.keras code, whatever a comment or
Keras 2's `set_image_dim_ordering` says; `dim_ordering="th"` only in Keras 1 code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixers.helpers import FIXTURES, copy, findings, run

TF_KERAS_WITH_COMMENT = """\
import tensorflow as tf
from tensorflow.keras import layers

# old code used dim_ordering="th"; this one is tf.keras
model = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(3, 32, 32)),
        layers.Conv2D(16, 3, data_format="channels_first"),
        layers.Flatten(),
        layers.Dense(10),
    ]
)
"""

KERAS2_SET_DIM_ORDERING = """\
from keras import backend as K
from keras.layers import Conv2D, Dense, Flatten
from keras.models import Sequential

K.set_image_dim_ordering("th")
model = Sequential()
model.add(Conv2D(16, (3, 3), input_shape=(3, 32, 32)))
model.add(Flatten())
model.add(Dense(10))
"""

# Standalone Keras 2 with a keyword Keras 1 also had (`init=`): its own image-format call
# says which Keras it is.
KERAS2_WITH_INIT_KEYWORD = """\
from keras import backend as K
from keras.layers import Conv2D, Dense, Flatten
from keras.models import Sequential


def make(init="glorot_uniform"):
    return Dense(10, kernel_initializer=init)


K.set_image_data_format("channels_first")
model = Sequential()
model.add(Conv2D(16, (3, 3), input_shape=(3, 32, 32)))
model.add(Flatten())
model.add(make(init="he_normal"))
"""


def _fix(text: str, tmp_path: Path, capsys) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "model.py"
    path.write_text(text, encoding="utf-8")
    assert [f.data.channels_first for f in findings(path, "KF001")] == [True]
    code, _, err = run(["lint", "--isolated", "--fix", str(path)], capsys)
    assert code == 0, err
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    [TF_KERAS_WITH_COMMENT, KERAS2_SET_DIM_ORDERING, KERAS2_WITH_INIT_KEYWORD],
    ids=["comment", "keras2", "keras2-init"],
)
def test_modern_code_gets_data_format(text: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    fixed = _fix(text, tmp_path, capsys)
    assert 'GlobalAveragePooling2D(data_format="channels_first")' in fixed
    assert 'dim_ordering="th")' not in fixed.replace('used dim_ordering="th";', "")


def test_keras1_code_still_gets_dim_ordering(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = (FIXTURES / "source" / "python2_keras1.py").read_text(encoding="utf-8")
    fixed = _fix(text, tmp_path, capsys)
    assert 'model.add(GlobalAveragePooling2D(dim_ordering="th"))' in fixed
    assert "data_format" not in fixed


def test_keras1_snippet_with_an_assumed_ordering_gets_dim_ordering(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = copy(FIXTURES / "source" / "snippet_keras1_theano.py", tmp_path)
    run(["lint", "--isolated", "--fix", str(path)], capsys)
    assert 'model.add(GlobalAveragePooling2D(dim_ordering="th"))' in path.read_text("utf-8")


@pytest.mark.keras
def test_fixed_tf_keras_code_builds_in_keras_3(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    keras = pytest.importorskip("keras")
    assert keras.__version__.startswith("3.")
    fixed = _fix(TF_KERAS_WITH_COMMENT, tmp_path, capsys)
    namespace: dict[str, object] = {}
    exec(compile(fixed, "model.py", "exec"), namespace)  # the fixed test code, not user code
    model = namespace["model"]
    pooling = model.layers[1]  # type: ignore[attr-defined]
    assert type(pooling).__name__ == "GlobalAveragePooling2D"
    assert pooling.data_format == "channels_first"
    assert model.layers[2].count_params() == 16 * 10 + 10  # type: ignore[attr-defined]
