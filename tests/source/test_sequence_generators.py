"""A `keras.utils.Sequence` the file defines, fed to `fit`, gives the batches its
`__getitem__` builds (Shervine Amidi's widely copied DataGenerator: `np.empty((self.batch_size,
*self.dim, self.n_channels))` with `dim` from a params dict).

Numbers checked with Keras 3: Conv3D(8, 3) on 32x32x32x1 gives 30x30x30x8, MaxPooling3D
15x15x15x8, 15*15*15*8*32 + 32 = 864,032.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.source.one_file import findings_of

GENERATOR = """
import keras
import numpy as np
from keras.layers import Conv3D, Dense, Flatten, MaxPooling3D
from keras.models import Sequential


class DataGenerator(keras.utils.Sequence):
    def __init__(self, list_IDs, labels, batch_size=32, dim=(32, 32, 32), n_channels=1,
                 n_classes=10, shuffle=True):
        self.dim = dim
        self.batch_size = batch_size
        self.list_IDs = list_IDs
        self.n_channels = n_channels
        self.n_classes = n_classes

    def __len__(self):
        return int(np.floor(len(self.list_IDs) / self.batch_size))

    def __getitem__(self, index):
        X = np.empty((self.batch_size, *self.dim, self.n_channels))
        y = np.empty((self.batch_size), dtype=int)
        for i, ID in enumerate(self.list_IDs):
            X[i,] = np.load("data/" + ID + ".npy")
        return X, keras.utils.to_categorical(y, num_classes=self.n_classes)


params = {"dim": (32, 32, 32), "batch_size": 64, "n_classes": 6, "n_channels": 1}
training_generator = DataGenerator([], {}, **params)
model = Sequential()
model.add(Conv3D(8, 3))
model.add(MaxPooling3D())
model.add(Flatten())
model.add(Dense(32))
FIT
"""


@pytest.mark.parametrize(
    "fit",
    [
        "model.fit(training_generator, epochs=2)",
        "model.fit_generator(generator=training_generator, epochs=2)",
    ],
)
def test_a_sequence_fed_to_fit_sizes_the_model(tmp_path: Path, fit: str) -> None:
    assert findings_of(tmp_path, GENERATOR.replace("FIT", fit)) == [("KF001", 33, 864_032)]


def test_a_sequence_whose_batches_are_not_known_leaves_the_size_unknown(tmp_path: Path) -> None:
    text = GENERATOR.replace("FIT", "model.fit(training_generator)").replace(
        "X = np.empty((self.batch_size, *self.dim, self.n_channels))", "X = np.load(self.path)"
    )
    assert [rule for rule, _, _ in findings_of(tmp_path, text)] == ["KF002"]
