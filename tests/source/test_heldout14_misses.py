"""heldout14's misses (bench/realworld FINDINGS 18a), reduced to minimal files: windows
cut from run-time signals by the file's own code, whose size the code fixes.

- `segments = np.empty((0, 90, 3))` grown by `np.vstack` under an `if` inside a loop, then
  `segments.reshape(segments.shape[0], 90, 3, 1)` (Shahnawax HAR.py:132): NumPy joins on the
  first axis only arrays whose other axes agree, and the branch join keeps what both sides
  share;
- `np.asarray(segments).reshape(-1, 200, 3)` of a list of run-time windows
  (shafiqulislamsumon HARHASC.ipynb and two more) and `np.array(x).reshape(-1, 45, 45, 1)`
  of images read at their own size (exmanka model_creation_and_fit.ipynb): the reshape fixes
  the samples' shape;
- per-band 8x9 grids stacked with `np.stack(..., axis=1)` and moved channels-last by
  `x.transpose([0, 2, 3, 1])` (wavesresearch CNN_performance on SEED.ipynb).

Numbers checked with Keras 3: 90x3x1 -> Conv2D(128, 2x2) 89x2 -> MaxPooling2D(2, 2) 44x1,
44*1*128*128 + 128 = 721,024; 200 -> two Conv1D(64, 3) 198, 196 -> MaxPooling1D(2) 98,
98*64*100 + 100 = 627,300; 8x9x5 -> Conv2D(16, 3, same) -> MaxPooling2D 4x4,
4*4*16*10 + 10 = 2,570.
"""

from __future__ import annotations

from pathlib import Path

from tests.source.one_file import findings_of

GROWN_WINDOWS = """
import numpy as np
import pandas as pd
from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from keras.models import Sequential

dataset = pd.read_csv("WISDM.txt")

def windows(data, size):
    start = 0
    while start < data.count():
        yield int(start), int(start + size)
        start += size / 2

def segment_signal(data, window_size=90):
    segments = np.empty((0, window_size, 3))
    for (start, end) in windows(data["timestamp"], window_size):
        x = data["x-axis"][start:end]
        y = data["y-axis"][start:end]
        z = data["z-axis"][start:end]
        if len(data["timestamp"][start:end]) == window_size:
            segments = np.vstack([segments, np.dstack([x, y, z])])
    return segments

segments = segment_signal(dataset)
rows, columns = segments.shape[1], segments.shape[2]
reshaped = segments.reshape(segments.shape[0], rows, columns, 1)
model = Sequential()
model.add(Conv2D(128, (2, 2), input_shape=reshaped.shape[1:]))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(128))
"""

RESHAPED_LIST = """
import numpy as np
import pandas as pd
from keras.layers import Conv1D, Dense, Flatten, MaxPooling1D
from keras.models import Sequential

frame = pd.read_csv("hasc.csv")
segments = []
for i in range(0, len(frame) - 200, 20):
    segments.append([frame[axis].values[i: i + 200] for axis in ("Ax", "Ay", "Az")])
windows = np.asarray(segments, dtype=np.float32).reshape(-1, 200, 3)
model = Sequential()
model.add(Conv1D(64, 3, input_shape=(windows.shape[1], windows.shape[2])))
model.add(Conv1D(64, 3))
model.add(MaxPooling1D(2))
model.add(Flatten())
model.add(Dense(100))
"""

STACKED_BANDS = """
import numpy as np
from tensorflow import keras
from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D

def grids(rows):
    cube = np.empty([0, 8, 9])
    for i in range(rows.shape[0]):
        cube = np.vstack([cube, np.zeros([8, 9]).reshape(1, 8, 9)])
    return cube

data = np.load("features.npy")
bands = np.stack((grids(data), grids(data), grids(data), grids(data), grids(data)), axis=1)
images = bands.transpose([0, 2, 3, 1])
inputs = keras.Input(shape=images.shape[1:])
x = MaxPooling2D(2)(Conv2D(16, 3, padding="same")(inputs))
outputs = Dense(10)(Flatten()(x))
"""


def test_windows_grown_by_vstack_keep_their_shape(tmp_path: Path) -> None:
    assert findings_of(tmp_path, GROWN_WINDOWS) == [("KF001", 31, 721_024)]


def test_a_reshape_fixes_the_samples_of_run_time_data(tmp_path: Path) -> None:
    assert findings_of(tmp_path, RESHAPED_LIST) == [("KF001", 16, 627_300)]


def test_stacked_and_transposed_bands(tmp_path: Path) -> None:
    assert findings_of(tmp_path, STACKED_BANDS) == [("KF001", 17, 2_570)]
