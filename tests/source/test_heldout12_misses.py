"""heldout12's two misses (bench/realworld FINDINGS 15a), reduced to minimal files:

- per-class image arrays made as `np.zeros((len(files), 64, 64, 3))`, joined with
  `np.concatenate(..., axis=0)` and split by index arrays (`images[train, :, :, :]`), whose
  `X_train.shape[1:]` is the model's input (nikoslefkos cancer_detection.py:195);
- `K.function([model.input], [model.layers[-2].output])` called on data after the model is
  built (exo7math mnist_embed.py): an internal error while TensorFlow/Keras functions of
  tensors were tensors (1c19487, withdrawn since for its cost); calling a value of unknown
  kind is unknown, never a crash.

Numbers checked with Keras 3: 64 -> 32 -> 16 -> 8 after three same 3x3 convs and 2x2 pools,
8*8*128*128 + 128 = 1,048,704; 7*7*8*50 + 50 = 19,650.
"""

from __future__ import annotations

from pathlib import Path

from tests.source.one_file import findings_of

JOINED_ARRAYS = """
import glob
import numpy as np
from sklearn.model_selection import train_test_split
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from tensorflow.keras.preprocessing import image

image_size = 64
benign = glob.glob("benign/*")
malignant = glob.glob("malignant/*")
benign_images = np.zeros((len(benign), image_size, image_size, 3))
for no, name in enumerate(benign):
    benign_images[no, :, :, :] = image.img_to_array(image.load_img(name))
malignant_images = np.zeros((len(malignant), image_size, image_size, 3))
images = np.concatenate((benign_images, malignant_images), axis=0)
index = np.arange(len(images))
train, test = train_test_split(index, test_size=0.2)
X_train = images[train, :, :, :] / 255
input_shape = (X_train.shape[1], X_train.shape[2], X_train.shape[3])
model = Sequential([
    Conv2D(32, (3, 3), padding="same", input_shape=input_shape),
    MaxPooling2D((2, 2)),
    Conv2D(64, (3, 3), padding="same"),
    MaxPooling2D((2, 2)),
    Conv2D(128, (3, 3), padding="same"),
    MaxPooling2D((2, 2)),
    Flatten(),
    Dense(128),
])
"""

BACKEND_FUNCTION = """
import numpy as np
from tensorflow.keras import backend as K
from tensorflow.keras.datasets import mnist
from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from tensorflow.keras.models import Sequential

(x_train, y_train), (x_test, y_test) = mnist.load_data()
model = Sequential()
model.add(Conv2D(16, 3, padding="same", input_shape=(28, 28, 1)))
model.add(MaxPooling2D((2, 2)))
model.add(Conv2D(8, 3, padding="same"))
model.add(MaxPooling2D((2, 2)))
model.add(Flatten())
model.add(Dense(50))
model.add(Dense(10))
embed = K.function([model.input], [model.layers[-2].output])
points = embed(x_test[:150])
"""


def test_joined_per_class_arrays_size_the_model(tmp_path: Path) -> None:
    assert findings_of(tmp_path, JOINED_ARRAYS) == [("KF001", 28, 1_048_704)]


def test_a_backend_function_of_the_model_is_a_callable(tmp_path: Path) -> None:
    assert findings_of(tmp_path, BACKEND_FUNCTION) == [("KF001", 14, 19_650)]
