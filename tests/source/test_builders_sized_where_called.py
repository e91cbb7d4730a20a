"""Builders and Model subclasses sized where the project uses them (heldout10, informed):

- a `Model` subclass nobody calls but `model.fit(x_train)` on CIFAR-10 is built by Keras on
  that data (srguf/TensorFlow2.0 完整代码示例.py:25): 32x32x3, same 5x5 conv, same 2x2 pool;
- a subclass's helper that runs `self.call` on its own `Input` builds it at that size
  (rosalg/cs230_final_project `BaselineModel.model()`);
- `from models import net` imports the module `models/net.py` of a namespace package, so
  `net.dense(100, 100, 9)` in train.py sizes the builder (iisquare/fs-project net.py:24);
- a builder file in Python 2 (a `print` statement) imported by its callers, and explored by
  its own file only with its defaults (`nb_fc=[4096, 4096]`), is sized by the callers'
  `nb_fc=[512, 512]` (hadikazemi/Machine-Learning keras_tools.py:257).

Numbers checked with Keras: 16*16*6*128 + 128 = 196,736; 128*128*64*128 + 128 =
134,217,856; 23*23*64*512 + 512 = 17,334,784; 7*7*64*512 + 512 = 1,606,144.
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

SUBCLASS_FIT = """
import tensorflow as tf
from keras import Model
from keras.layers import Conv2D, Dense, Flatten, MaxPool2D

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.cifar10.load_data()
x_train = x_train / 255.0


class Baseline(Model):
    def __init__(self):
        super().__init__()
        self.c1 = Conv2D(filters=6, kernel_size=(5, 5), padding="same")
        self.p1 = MaxPool2D(pool_size=(2, 2), strides=2, padding="same")
        self.flatten = Flatten()
        self.f1 = Dense(128, activation="relu")

    def call(self, x):
        return self.f1(self.flatten(self.p1(self.c1(x))))


model = Baseline()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=5)
"""

HELPER_RUNS_CALL = """
import tensorflow as tf


class BaselineModel(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.input_layer = tf.keras.layers.Input((256, 256, 3))
        self.conv1 = tf.keras.layers.Conv2D(64, 7, padding="same", activation="relu")
        self.mpool1 = tf.keras.layers.MaxPooling2D(pool_size=2)
        self.flat1 = tf.keras.layers.Flatten()
        self.fc1 = tf.keras.layers.Dense(128)

    def call(self, inputs):
        return self.fc1(self.flat1(self.mpool1(self.conv1(inputs))))

    def model(self):
        return tf.keras.Model(inputs=self.input_layer, outputs=self.call(self.input_layer))
"""

NET = """
from keras.models import Sequential
from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D


def dense(width, height, num_class):
    model = Sequential()
    model.add(Conv2D(32, (3, 3), padding="same", input_shape=(height, width, 3)))
    model.add(Conv2D(64, (3, 3)))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Conv2D(64, (3, 3), padding="same"))
    model.add(Conv2D(64, (3, 3)))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(512))
    model.add(Dense(num_class))
    return model
"""

TOOLS_PY2 = """
from keras.models import Sequential
from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D


def build(nb_fc=[4096, 4096], size=28):
    model = Sequential()
    model.add(Conv2D(64, 3, padding="same", input_shape=(size, size, 1)))
    model.add(MaxPooling2D())
    model.add(MaxPooling2D())
    model.add(Flatten())
    model.add(Dense(nb_fc[0]))
    return model


def log(text):
    print "log:", text
"""


def _findings(paths: list[Path]) -> list:
    result = lint_paths(paths, Settings())
    assert result.errors == []
    return result.findings


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _sized(tmp_path: Path, text: str) -> tuple:
    """(rule, shape, Flatten->Dense parameters, message) of a file's one finding."""
    path = tmp_path / "baseline.py"
    path.write_text(text)
    (finding,) = _findings([path])
    return finding.rule, finding.data.shape, finding.data.params_flatten, finding.message


def test_a_subclass_nobody_calls_is_sized_by_the_data_it_is_fitted_on(tmp_path: Path) -> None:
    *numbers, message = _sized(tmp_path, SUBCLASS_FIT)
    assert numbers == ["KF001", (16, 16, 6), 196_736]
    assert "fixed by model.fit(x_train, ...) (line 24)" in message


def test_a_helper_that_runs_call_on_its_own_input_sizes_the_subclass(tmp_path: Path) -> None:
    *numbers, _ = _sized(tmp_path, HELPER_RUNS_CALL)
    assert numbers == ["KF001", (128, 128, 64), 134_217_856]


def test_a_module_imported_from_a_namespace_package_is_a_caller(tmp_path: Path) -> None:
    call = "from models import net\n\nmodel = net.dense(100, 100, 9)\n"
    root = _project(tmp_path, {"models/net.py": NET, "train.py": call})
    (finding,) = _findings([root / "models" / "net.py"])
    assert (finding.rule, finding.line, finding.data.shape) == ("KF001", 14, (23, 23, 64))
    assert finding.data.params_flatten == 17_334_784
    assert "sized by train.py:3: net.dense(100, 100, 9)" in finding.message


def test_callers_size_a_python2_builder_its_file_only_explores(tmp_path: Path) -> None:
    call = "from tools import build\n\nmodel = build(nb_fc=[512, 512])\n"
    root = _project(tmp_path, {"tools.py": TOOLS_PY2, "train.py": call})
    (finding,) = _findings([root / "tools.py"])
    assert (finding.rule, finding.line, finding.data.shape) == ("KF001", 11, (7, 7, 64))
    assert (finding.data.dense_units, finding.data.params_flatten) == (512, 1_606_144)
    # with no caller, the builder's defaults are what its file reports
    (root / "train.py").unlink()
    (alone,) = _findings([root / "tools.py"])
    assert (alone.data.dense_units, alone.data.params_flatten) == (4096, 12_849_152)


def test_a_caller_that_passes_a_run_time_size_makes_the_builder_kf002(tmp_path: Path) -> None:
    """heldout11: pkumar2618/a4_2018CSZ8014_pawan_kumar pca_svm/cnn_utils.py:33, whose
    default input_shape=(210, 160, 5) its caller replaces by the shape of pickled frames: the
    builder is labelled by that call, a size known at run time only."""
    call = (
        "import numpy as np\nfrom tools import build\n\n"
        'x = np.load("frames.npy")\nmodel = build(nb_fc=[512, 512], size=x.shape[1])\n'
    )
    root = _project(tmp_path, {"tools.py": TOOLS_PY2, "train.py": call})
    (finding,) = _findings([root / "tools.py"])
    assert (finding.rule, finding.line, finding.data.params_flatten) == ("KF002", 11, None)
