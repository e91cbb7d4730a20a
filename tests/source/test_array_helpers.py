"""NumPy and TensorFlow helpers that tutorials apply to MNIST-like arrays before `fit`:
`tf.expand_dims(x, -1)`, `tf.cast`, `np.repeat(x[..., None], 3, axis=-1)` (grey made RGB),
`np.stack([x] * 3, axis=-1)` and `np.pad` with literal widths keep (or grow) the samples'
shape the file fixes.

Numbers checked with Keras 3: Conv2D(32, 3) on 28x28 gives 26x26x32,
26*26*32*10 + 10 = 216,330; on 32x32 (padded by 2) 30x30x32, 288,010.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.source.one_file import findings_of
from tests.source.test_realworld_patterns import _lint_text

FITTED = """
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers
(x_train, y_train), _ = tf.keras.datasets.mnist.load_data()
x_train = PREPARED
model = tf.keras.Sequential([layers.Conv2D(32, 3), layers.Flatten(), layers.Dense(10)])
model.fit(x_train, y_train)
"""


@pytest.mark.parametrize(
    ("prepared", "params"),
    [
        ("tf.expand_dims(x_train, axis=-1)", 216_330),
        ("tf.expand_dims(x_train, -1)", 216_330),
        ("tf.cast(x_train[..., tf.newaxis], tf.float32)", 216_330),
        ("np.expand_dims(x_train, axis=3)", 216_330),
        ("np.repeat(x_train[..., None], 3, axis=-1)", 216_330),
        ("np.stack([x_train] * 3, axis=-1)", 216_330),
        ("np.pad(x_train, ((0, 0), (2, 2), (2, 2)))[..., None]", 288_010),
    ],
)
def test_array_helpers_keep_the_samples_shape(tmp_path: Path, prepared: str, params: int) -> None:
    assert findings_of(tmp_path, FITTED.replace("PREPARED", prepared)) == [("KF001", 7, params)]


def test_helpers_on_widths_not_written_in_the_code_stay_unknown(tmp_path: Path) -> None:
    text = FITTED.replace("PREPARED", "np.pad(x_train, width)[..., None]")
    assert [rule for rule, _, _ in findings_of(tmp_path, text)] == ["KF002"]


RESIZED = """
import os

import numpy as np
from skimage.io import imread
from skimage.transform import resize
from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from tensorflow.keras.models import Sequential

X = []
for name in os.listdir("data"):
    X.append(resize(imread(name), SHAPE))
X = np.array(X)
model = Sequential([Conv2D(16, 3, input_shape=X.shape[1:]), MaxPooling2D(), Flatten(), Dense(64)])
"""


def test_skimage_resize_to_a_written_shape_fixes_the_samples(tmp_path: Path) -> None:
    """64x64x3 -> Conv2D(16, 3) 62x62 -> MaxPooling2D 31x31x16: 31*31*16*64 + 64."""
    text = RESIZED.replace("SHAPE", "(64, 64, 3)")
    assert findings_of(tmp_path, text) == [("KF001", 14, 984_128)]
    # (rows, cols) keeps the image's own channels, which imread leaves to the file
    unknown = RESIZED.replace("SHAPE", "(64, 64)")
    assert [rule for rule, _, _ in findings_of(tmp_path, unknown)] == ["KF002"]


def test_images_decoded_and_resized_by_tensorflow(tmp_path: Path) -> None:
    """`tf.io.decode_jpeg(raw, channels=3)` then `tf.image.resize(img, [64, 64]).numpy()`
    appended in a loop; `channels=` unset keeps the file's own channels (unknown)."""
    text = (
        "import os\nimport numpy as np\nimport tensorflow as tf\nfrom keras import layers, models\n"
        "X = []\nfor p in os.listdir('d'):\n"
        "    img = tf.io.decode_jpeg(tf.io.read_file(p)CHANNELS)\n"
        "    X.append(tf.image.resize(img, [64, 64]).numpy())\n"
        "m = models.Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)])\n"
        "m.fit(np.array(X), np.zeros(len(X)))\n"
    )
    known = _lint_text(tmp_path, text.replace("CHANNELS", ", channels=3"))
    # Keras: 64x64x3 -> 62x62x4 -> Dense(2): 15,376*2 + 2.
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in known] == [
        ("KF001", (62, 62, 4), 30754)
    ]
    unknown = _lint_text(tmp_path, text.replace("CHANNELS", ""))
    assert [(f.rule, f.data.params_flatten) for f in unknown] == [("KF002", None)]
