"""`tf.data` datasets of arrays whose samples are known: `Dataset.from_tensor_slices((x, y))
.shuffle(n).batch(32)` feeds `fit`, and a loop `for images, labels in train_ds:` binds a
batch of samples (TensorFlow's "quickstart for experts": a Model subclass trained in a
custom loop, `model(images, training=True)` inside a `tf.function`).

Numbers checked with Keras 3: Conv2D(32, 3) on 28x28x1 gives 26x26x32,
26*26*32*128 + 128 = 2,769,024.
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.source.one_file import findings_of

QUICKSTART = """
import tensorflow as tf
from tensorflow.keras import Model
from tensorflow.keras.layers import Conv2D, Dense, Flatten

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0
x_train = x_train[..., tf.newaxis].astype("float32")
train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(10000).batch(32)


class MyModel(Model):
    def __init__(self):
        super().__init__()
        self.conv1 = Conv2D(32, 3, activation="relu")
        self.flatten = Flatten()
        self.d1 = Dense(128, activation="relu")
        self.d2 = Dense(10)

    def call(self, x):
        x = self.conv1(x)
        x = self.flatten(x)
        return self.d2(self.d1(x))


model = MyModel()
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = loss_object(labels, predictions)


for epoch in range(5):
    for images, labels in train_ds:
        train_step(images, labels)
"""

SEQUENTIAL = """
import tensorflow as tf
from tensorflow.keras import layers

(x_train, y_train), _ = tf.keras.datasets.mnist.load_data()
x_train = x_train[..., tf.newaxis] / 255.0
train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(32)
model = tf.keras.Sequential([
    layers.Conv2D(32, 3, activation="relu"),
    layers.Flatten(),
    layers.Dense(128),
])
model.fit(train_ds, epochs=5)
"""


def test_a_custom_loop_over_a_dataset_sizes_the_subclass(tmp_path: Path) -> None:
    assert findings_of(tmp_path, QUICKSTART) == [("KF001", 16, 2_769_024)]


def test_a_batched_dataset_of_known_arrays_sizes_a_fitted_sequential(tmp_path: Path) -> None:
    assert findings_of(tmp_path, SEQUENTIAL) == [("KF001", 10, 2_769_024)]


def test_a_dataset_not_batched_does_not_size_the_model(tmp_path: Path) -> None:
    """Keras would take each single sample as a batch: no size is claimed."""
    text = SEQUENTIAL.replace(".batch(32)", "")
    assert [rule for rule, _, _ in findings_of(tmp_path, text)] == ["KF002"]


def test_files_decoded_and_resized_by_a_mapped_function(tmp_path: Path) -> None:
    """TensorFlow's "load and preprocess images" tutorial, `tf.data` part: list_files, map a
    function that decodes with channels=3 and resizes to 180x180, batch, fit."""
    path = tmp_path / "tutorial.py"
    path.write_text(
        "import tensorflow as tf\n"
        "list_ds = tf.data.Dataset.list_files('flower_photos/*/*', shuffle=False)\n"
        "def process_path(file_path):\n"
        "    label = tf.strings.split(file_path, '/')[-2] == ['a', 'b']\n"
        "    img = tf.io.decode_jpeg(tf.io.read_file(file_path), channels=3)\n"
        "    return tf.image.resize(img, [180, 180]), label\n"
        "train_ds = list_ds.map(process_path, num_parallel_calls=tf.data.AUTOTUNE)\n"
        "train_ds = train_ds.cache().shuffle(1000).batch(32)\n"
        "model = tf.keras.Sequential([tf.keras.layers.Rescaling(1./255),\n"
        "    tf.keras.layers.Conv2D(32, 3), tf.keras.layers.MaxPooling2D(),\n"
        "    tf.keras.layers.Flatten(), tf.keras.layers.Dense(128)])\n"
        "model.fit(train_ds, epochs=3)\n",
        encoding="utf-8",
    )
    result = lint_paths([path], Settings())
    # Keras: 180x180x3 -> 178 -> 89: 89*89*32*128 + 128.
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in result.findings] == [
        ("KF001", (89, 89, 32), 32444544)
    ]
    assert "mapped by process_path() (line 7)" in result.findings[0].message


def test_batches_mapped_by_a_lambda_keep_their_samples(tmp_path: Path) -> None:
    path = tmp_path / "normalized.py"
    path.write_text(
        "import tensorflow as tf\n"
        "train_ds = tf.keras.utils.image_dataset_from_directory('d', image_size=(180, 180))\n"
        "normalized = train_ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y))\n"
        "model = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3), tf.keras.layers.Flatten(),\n"
        "    tf.keras.layers.Dense(2)])\n"
        "model.fit(normalized)\n",
        encoding="utf-8",
    )
    result = lint_paths([path], Settings())
    # Keras: 180x180x3 -> 178x178x8 -> Dense(2): 253,472*2 + 2.
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in result.findings] == [
        ("KF001", (178, 178, 8), 506946)
    ]
