"""`model.add(layer=...)` and `fit(x=...)` spelled with keywords (heldout9: vinhmdev/
nn_research research/cnn/basic_cnn.py:42, every layer added as `self.cnn.add(layer=...)`,
the model fitted with `fit(x=self.training_set, ...)`): the layers are the Sequential's, and
the message names the call that sized the input as written. Keras check of the numbers:
RandomCrop(60, 60) of the 64x64 images, one conv3/pool2 block: 29x29x32, 3,444,864 = 29*29*32
*128 + 128 parameters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

CODE = """
import keras

training_set = keras.preprocessing.image_dataset_from_directory(
    directory="d", image_size=(64, 64), batch_size=32
)
cnn = keras.models.Sequential()
cnn.add({kw}keras.layers.RandomFlip(mode="horizontal"))
cnn.add({kw}keras.layers.RandomCrop(height=60, width=60))
cnn.add({kw}keras.layers.Conv2D(filters=32, kernel_size=3, activation="relu"))
cnn.add({kw}keras.layers.MaxPool2D(pool_size=2, strides=2))
cnn.add({kw}keras.layers.Flatten())
cnn.add({kw}keras.layers.Dense(units=128, activation="relu"))
cnn.fit({data}training_set, epochs=25)
"""


@pytest.mark.parametrize("kw", ["layer=", ""])
@pytest.mark.parametrize("data", ["x=", ""])
def test_layers_added_and_data_fed_by_keyword(tmp_path: Path, kw: str, data: str) -> None:
    path = tmp_path / "basic_cnn.py"
    path.write_text(CODE.format(kw=kw, data=data))
    result = lint_paths([path], Settings())
    assert result.errors == []
    (finding,) = result.findings
    assert (finding.rule, finding.line, finding.data.shape) == ("KF001", 12, (29, 29, 32))
    assert (finding.data.params_flatten, finding.data.params_pooling) == (3_444_864, 4_224)
    assert f"fixed by cnn.fit({data}training_set, ...) (line 14)" in finding.message
