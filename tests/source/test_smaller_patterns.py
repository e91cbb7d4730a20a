"""Issue 25 section 5: a layer class written where a layer belongs, and the one reading of
`Convolution2D(64, 3, 3)` / `Conv2D(64, 3, 3)` in standalone-keras code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.source.test_realworld_patterns import _lint_text

CLASS_IN_LIST = """
import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Input((28, 28, 1)),
    tf.keras.layers.Conv2D(4, 3),
    tf.keras.layers.Flatten,
    tf.keras.layers.Dense(3),
])
added = tf.keras.Sequential()
added.add(tf.keras.layers.Input((28, 28, 1)))
added.add(tf.keras.layers.Conv2D(4, 3))
added.add(tf.keras.layers.Flatten)
added.add(tf.keras.layers.Dense(3))
"""


def test_a_layer_class_in_a_sequential_is_named(tmp_path: Path) -> None:
    findings = _lint_text(tmp_path, CLASS_IN_LIST)
    assert [(f.rule, f.line, f.column) for f in findings] == [("KF002", 7, 5), ("KF002", 13, 11)]
    for finding in findings:
        assert (
            f"the Sequential's entry `tf.keras.layers.Flatten` (line {finding.line}) is the "
            "layer class, not a layer: Keras refuses the model (write "
            "`tf.keras.layers.Flatten()`)"
        ) in finding.message


@pytest.mark.keras
def test_keras_refuses_a_layer_class_in_a_sequential() -> None:
    keras = pytest.importorskip("keras")
    with pytest.raises(ValueError, match=r"Only instances of `keras\.Layer`"):
        keras.Sequential([keras.layers.Input((28, 28, 1)), keras.layers.Flatten])


POSITIONAL = """
from keras.models import Sequential
from keras.layers import {name}, Flatten, Dense
m = Sequential([{name}(64, 3, 3, input_shape=(32, 32, 3)), Flatten(), Dense(10)])
"""


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        # Keras 2.0-2.3's legacy interface made this a 3x3 kernel; code using the Keras 1
        # name was written for it (tests/source/test_keras1_positional.py has the real case).
        ("Convolution2D", (30, 30, 64)),
        # The Keras 2 name: read as Keras 2.4+ and 3 build it, the third argument is strides.
        ("Conv2D", (10, 10, 64)),
    ],
)
def test_third_positional_argument_in_standalone_keras(
    tmp_path: Path, name: str, shape: tuple[int, ...]
) -> None:
    findings = _lint_text(tmp_path, POSITIONAL.format(name=name))
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", shape)]


@pytest.mark.keras
def test_conv2d_third_positional_argument_is_strides_in_keras() -> None:
    keras = pytest.importorskip("keras")
    layer = keras.layers.Conv2D(64, 3, 3)
    assert layer.strides == (3, 3)
    assert layer.compute_output_shape((None, 32, 32, 3)) == (None, 10, 10, 64)


def test_a_merge_function_given_its_inputs_by_keyword(tmp_path: Path) -> None:
    """`concatenate(inputs=[*inputs], axis=-1)`: Keras takes the list by keyword too
    (heldout32's ubcms-xai notebook). Two (10, 1) inputs joined, two same-padded Conv1D and
    MaxPool1D(2) twice: 2x32 -> Dense(64), 2*32*64 + 64 = 4,160 (checked with Keras 3)."""
    text = """
import tensorflow as tf

inputs = [tf.keras.Input(shape=(10, 1), name=name) for name in ["pt", "theta"]]
x = tf.keras.layers.concatenate(inputs=[*inputs], axis=-1, name="concat")
x = tf.keras.layers.Conv1D(64, 3, padding="same")(x)
x = tf.keras.layers.MaxPool1D(2)(x)
x = tf.keras.layers.Conv1D(32, 3, padding="same")(x)
x = tf.keras.layers.MaxPool1D(2)(x)
x = tf.keras.layers.Flatten()(x)
model = tf.keras.Model(inputs=[*inputs], outputs=tf.keras.layers.Dense(64)(x))
"""
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (2, 32), 4_160)
    ]


def test_an_objective_called_only_by_a_tuner_is_explored(tmp_path: Path) -> None:
    """Optuna's objective: a plain class whose `__call__(self, trial)` builds the model,
    handed to `study.optimize` and never called by the file (heldout32's aspiazza/AJISAI):
    its Flatten is reported, KF002 with the trial's sizes unknown."""
    text = """
import optuna
from keras import layers, Sequential


class Objective:
    def __init__(self, input_shape):
        self.input_shape = input_shape

    def __call__(self, trial):
        filters = trial.suggest_int("filters", 16, 512)
        model = Sequential([
            layers.Conv2D(filters, 3, input_shape=self.input_shape),
            layers.Flatten(),
            layers.Dense(trial.suggest_int("units", 32, 1024)),
        ])
        return model.fit(x, y).history["val_loss"][-1]


def run(input_shape):
    study = optuna.create_study()
    study.optimize(Objective(input_shape), timeout=600)
"""
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.line) for f in findings] == [("KF002", 14)]


def test_a_static_method_called_on_self_gets_no_self(tmp_path: Path) -> None:
    """`self._prepare_full_model(model=self.model, ...)` of a `@staticmethod`: the keywords
    are its parameters, not shifted by an instance (heldout31's kidney-tumour pipeline).
    MobileNet without its top ends at 1024 channels; the input size is the config's."""
    text = """
import tensorflow as tf


class PrepareBaseModel:
    def __init__(self, config):
        self.config = config

    def get_base_model(self):
        self.model = tf.keras.applications.MobileNet(
            input_shape=self.config.image_size, weights=None, include_top=False
        )

    @staticmethod
    def _prepare_full_model(model, classes):
        flatten_in = tf.keras.layers.Flatten()(model.output)
        prediction = tf.keras.layers.Dense(units=classes)(flatten_in)
        return tf.keras.models.Model(inputs=model.input, outputs=prediction)

    def update_base_model(self):
        self.full_model = self._prepare_full_model(model=self.model, classes=4)
"""
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.line, f.data.shape) for f in findings] == [("KF002", 16, (None, None, 1024))]
    assert findings[0].data.params_pooling == 1024 * 4 + 4


LAMBDA_RESIZE = """
from keras.models import Sequential
from keras.layers import Conv2D, Dense, Flatten, Lambda, ZeroPadding2D


def resize_image(image):
    import tensorflow as tf
    return tf.image.resize_images(image, [56, 56])


model = Sequential()
model.add(ZeroPadding2D((1, 1), input_shape=(113, 113, 1)))
model.add(Lambda(FUNCTION))
model.add(Conv2D(8, 3))
model.add(Flatten())
model.add(Dense(10))
"""


@pytest.mark.parametrize("function", ["resize_image", "lambda x: resize_image(x)"])
def test_a_lambda_runs_the_function_the_file_gives_it(tmp_path: Path, function: str) -> None:
    """`Lambda(resize_image)` (heldout34's IAM writer models): the function's tensor code is
    what the layer computes, a 56x56 Resizing, so the map after it is known (Keras 3:
    54x54x8 -> Dense(10), 233,290)."""
    findings = _lint_text(tmp_path, LAMBDA_RESIZE.replace("FUNCTION", function))
    assert [(f.rule, f.line, f.data.params_flatten) for f in findings] == [("KF001", 15, 233_290)]


def test_a_lambda_whose_code_is_not_read_stays_unknown(tmp_path: Path) -> None:
    text = LAMBDA_RESIZE.replace("FUNCTION", "lambda x: tf.gather(x, [0, 2], axis=1)")
    findings = _lint_text(tmp_path, "import tensorflow as tf\n" + text)
    assert [(f.rule, f.line, f.data.params_flatten) for f in findings] == [("KF002", 16, None)]
    assert "Lambda" in findings[0].message


def test_a_lambda_that_slices_its_tensor(tmp_path: Path) -> None:
    """`x[:, ::2, ::2, :]` keeps every other row and column: 115x115 -> 58x58, Conv2D(8, 3)
    56x56x8 -> Dense(10), 250,890 (Keras 3)."""
    text = LAMBDA_RESIZE.replace("FUNCTION", "lambda x: x[:, ::2, ::2, :]")
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.line, f.data.params_flatten) for f in findings] == [("KF001", 15, 250_890)]


def test_a_lambda_that_folds_frames_into_the_batch_stays_opaque(tmp_path: Path) -> None:
    """`Lambda(lambda y: K.reshape(y, (-1, h, w, c)))` puts a video's frames in the batch
    (keras-tcn's video example): no Keras Reshape layer does that, so the Lambda is not
    read as one, and no false "cannot be built" (KF003) is reported."""
    text = """
import tensorflow.keras.backend as K
from tensorflow.keras import Input, Model
from tensorflow.keras.layers import Conv2D, Dense, Flatten, Lambda

inputs = Input(shape=(240, 32, 32, 3))
x = Lambda(lambda y: K.reshape(y, (-1, 32, 32, 3)))(inputs)
x = Conv2D(16, 5)(x)
model = Model(inputs, Dense(1)(Flatten()(x)))
"""
    findings = _lint_text(tmp_path, text)
    assert [f.rule for f in findings] == ["KF002"]


def test_a_tensor_shape_as_list_decides_a_residual_guard(tmp_path: Path) -> None:
    """`inputs.shape.as_list()[-1]` (TensorShape's list of dims), as affect-gan's residual
    blocks read their input channels: the guard is decided, the shortcut projected."""
    text = """
import tensorflow as tf
from tensorflow.keras import layers

class Block(layers.Layer):
    def __init__(self, channels):
        super().__init__()
        self.out_channels = channels
        self.conv = layers.Conv1D(channels, 3, padding="same", strides=2)
        self.project = layers.Conv1D(channels, 1, padding="same")
        self.pool = layers.AveragePooling1D(2, 2, padding="same")

    def call(self, inputs):
        input_channels = inputs.shape.as_list()[-1]
        shortcut = self.pool(inputs)
        if self.out_channels != input_channels:
            shortcut = self.project(shortcut)
        return self.conv(inputs) + shortcut

x = layers.Input(shape=(500, 2))
y = layers.Flatten()(Block(6)(x))
model = tf.keras.Model(x, layers.Dense(2)(y))
"""
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", (250, 6))]
    assert "(when" not in findings[0].message


def test_a_costly_preprocessing_loop_does_not_spend_the_whole_budget(tmp_path: Path) -> None:
    """A loop over 48 time slots inside a loop over 81 files (a solar-power competition
    script): unrolled one by one, it spent every evaluation step and the model after it was
    never read (no finding, "analysis stopped early"). The iterations that would take more
    than half of what is left run once, as a loop the file does not fix."""
    text = """
import numpy as np
import pandas as pd
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Conv1D, Dense, Flatten

def same_time(frame):
    rows = []
    for i in range(48):
        block = pd.DataFrame()
        for j in range(int(len(frame) / 48)):
            row = frame.iloc[i + 48 * j, :].to_numpy()
            row = row.reshape(1, row.shape[0])
            block = pd.concat([block, pd.DataFrame(row)])
        rows.append(block.to_numpy())
    return np.array(rows)

tests = []
for k in range(81):
    tests.append(same_time(pd.read_csv(f"test/{k}.csv")))
x_train = np.zeros((1000, 6, 5))

model = Sequential()
model.add(Conv1D(64, 2, padding="same", input_shape=(x_train.shape[1], x_train.shape[2])))
model.add(Flatten())
model.add(Dense(16))
"""
    path = tmp_path / "solar.py"
    path.write_text(text, encoding="utf-8")
    from kerasfix.runner import lint_paths
    from kerasfix.settings import Settings

    result = lint_paths([path], Settings())
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in result.findings] == [
        ("KF001", (6, 64), 6 * 64 * 16 + 16)
    ]
    assert not [note for note in result.notes if "stopped early" in note]


def test_a_lambda_adding_two_halves_of_the_channels(tmp_path: Path) -> None:
    """RickXia/1D-CNN's blocks (heldout26): `Lambda(lambda x: x[:, :, :f] + x[:, :, f:])`
    halves a Conv1D(2f)'s channels, so `int(seq.shape[-1]) != f` is decided and the
    shortcut known: 2559 -> MaxPooling1D(2) 1279 -> block of 32 -> 1279x32 -> Dense(1),
    40,929 (Keras 3)."""
    text = """
from tensorflow.keras.layers import *
from tensorflow.keras.models import Model

def BLOCK(seq, filters):
    cnn = Conv1D(filters * 2, 3, padding='SAME', activation='relu')(seq)
    cnn = Lambda(lambda x: x[:, :, :filters] + x[:, :, filters:])(cnn)
    if int(seq.shape[-1]) != filters:
        seq = Conv1D(filters, 1, padding='SAME')(seq)
    return add([seq, cnn])

input_tensor = Input(shape=(2559, 1))
seq = BLOCK(input_tensor, 16)
seq = MaxPooling1D(2)(seq)
seq = BLOCK(seq, 32)
output_tensor = Dense(1)(Flatten()(seq))
model = Model(inputs=[input_tensor], outputs=[output_tensor])
"""
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (1279, 32), 40_929)
    ]


def test_a_shortcut_chosen_by_an_undecided_condition_keeps_the_model_connected(
    tmp_path: Path,
) -> None:
    """A block called twice (so its condition is never forced into worlds) on channels an
    opaque Lambda hides: the tensor after `if ...: seq = Conv1D(...)(seq)` comes from either
    branch. It was dropped, the Add lost an input and the Flatten read as a model's raw
    input: no finding at all. Now a site of unknown size (KF002), naming the condition."""
    text = """
import tensorflow as tf
from tensorflow.keras.layers import Conv1D, Dense, Flatten, Input, Lambda, add
from tensorflow.keras.models import Model

def block(seq, filters):
    cnn = Lambda(lambda x: tf.gather(x, [0], axis=2))(Conv1D(filters, 3)(seq))
    if int(seq.shape[-1]) != filters:
        seq = Conv1D(filters, 1)(seq)
    return add([seq, cnn])

inputs = Input(shape=(64, 1))
x = block(block(block(inputs, 8), 8), 16)
model = Model(inputs, Dense(1)(Flatten()(x)))
"""
    findings = _lint_text(tmp_path, text)
    assert [f.rule for f in findings] == ["KF002"]
    assert "'seq' depends on the condition at line 8" in findings[0].message


LAYER_SUBCLASSES = """
import tensorflow as tf
from tensorflow.keras import layers
from tensorflow.python.keras.layers.convolutional import Conv


class Standardised(layers.Conv2D):
    def __init__(self, filters, kernel_size, eps=1e-5, **kwargs):
        self.eps = eps
        super().__init__(filters=filters, kernel_size=kernel_size, **kwargs)


class FakeApproxConv2D(Conv):
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", mul_map_file="",
                 **kwargs):
        self.mul_map_file = mul_map_file
        super(FakeApproxConv2D, self).__init__(
            rank=2, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            **kwargs)

    def call(self, inputs):
        return tf.quantization.fake_quant_with_min_max_vars(inputs, 0.0, 1.0)


class Plain(layers.Conv2D):
    pass


class Resized(layers.Conv2D):
    def compute_output_shape(self, input_shape):
        return (input_shape[0], 4, 4, self.filters)


a = tf.keras.Sequential([Standardised(6, 3, input_shape=(32, 32, 1)), layers.Flatten(),
                         layers.Dense(120)])
b = tf.keras.Sequential([FakeApproxConv2D(6, (3, 3), input_shape=(32, 32, 1), mul_map_file="m"),
                         layers.AveragePooling2D(), layers.Flatten(), layers.Dense(120)])
c = tf.keras.Sequential([layers.Input((32, 32, 1)), Plain(6, 3, strides=2), layers.Flatten(),
                         layers.Dense(120)])
d = tf.keras.Sequential([layers.Input((32, 32, 1)), Resized(6, 3), layers.Flatten(),
                         layers.Dense(120)])
"""


def test_a_subclass_of_a_keras_layer_is_that_layer(tmp_path: Path) -> None:
    """Quantised or standardised convolutions (haihai-self/error_feature's FakeApproxConv2D
    subclasses Keras's shared `Conv` base with `rank=2`): the base layer built from what the
    subclass passes to `super().__init__`. One that defines `compute_output_shape` says
    its shape differs: no number is claimed. Keras 3: 30x30x6 -> 648,120; 15x15x6 -> 162,120;
    15x15x6 (stride 2) -> 162,120."""
    findings = _lint_text(tmp_path, LAYER_SUBCLASSES)
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (30, 30, 6), 648_120),
        ("KF001", (15, 15, 6), 162_120),
        ("KF001", (15, 15, 6), 162_120),
    ]  # `d`'s layer says its own shape: nothing is claimed about it


def test_a_backbones_output_shape_sizes_a_head(tmp_path: Path) -> None:
    """`Flatten(input_shape=vgg16.output_shape[1:])` in a separate top model (gtzan.keras):
    VGG16 at 128x128: 4x4x512 -> Dense(256), 2,097,408 (Keras 3)."""
    text = """
from keras.applications.vgg16 import VGG16
from keras.layers import Dense, Flatten, Input
from keras.models import Model, Sequential

input_tensor = Input(shape=(128, 128, 3))
vgg16 = VGG16(include_top=False, weights="imagenet", input_tensor=input_tensor)
top = Sequential()
top.add(Flatten(input_shape=vgg16.output_shape[1:]))
top.add(Dense(256))
model = Model(inputs=vgg16.input, outputs=top(vgg16.output))
"""
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (4, 4, 512), 2_097_408)
    ]


def test_a_builder_only_an_untaken_branch_calls_gets_that_branchs_globals(
    tmp_path: Path,
) -> None:
    """A speaker-identification script (AvirupMazumder, heldout16): `mode = 'time'` takes
    the recurrent branch; the conv branch, the only caller of `get_conv_model()`, sets the
    global `input_shape` it reads. Run with the end-of-file globals (the recurrent branch's
    2-D shape) the Conv2D could not be built and nothing was said; the untaken branch runs
    as code the file may run: 28x28x1 -> Conv2D(8, 3) 26x26x8 -> Dense(16), 86,544
    (Keras 3). The taken branch's model keeps its own size (28x4 -> Dense(16), 1,808)."""
    text = """
from keras.layers import LSTM, Conv2D, Dense, Flatten
from keras.models import Sequential

def get_conv_model():
    model = Sequential()
    model.add(Conv2D(8, 3, input_shape=input_shape))
    model.add(Flatten())
    model.add(Dense(16))
    return model

def get_recurrent_model():
    model = Sequential()
    model.add(LSTM(4, return_sequences=True, input_shape=input_shape))
    model.add(Flatten())
    model.add(Dense(16))
    return model

mode = "time"
if mode == "conv":
    input_shape = (28, 28, 1)
    model = get_conv_model()
elif mode == "time":
    input_shape = (28, 28)
    model = get_recurrent_model()
"""
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.line, f.data.params_flatten) for f in findings] == [
        ("KF001", 8, 86_544),
        ("KF001", 15, 28 * 4 * 16 + 16),  # the taken branch's 28 steps of 4
    ]


def test_printing_a_sequentials_output_shape_midway_does_not_close_it(tmp_path: Path) -> None:
    """`print('flattened to', self.model.output_shape)` between `add` calls (dasoto's skin
    cancer CNN, heldout25): the model goes on growing after it, so the Flatten still feeds
    the Dense added next. 28x28x1 -> Conv2D(8, 3) 26x26x8 -> Dense(16), 86,544 (Keras 3)."""
    text = """
from keras.layers import Conv2D, Dense, Flatten
from keras.models import Sequential

model = Sequential()
model.add(Conv2D(8, 3, input_shape=(28, 28, 1)))
model.add(Flatten())
print("Model flattened out to", model.output_shape)
model.add(Dense(16))
"""
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.data.params_flatten) for f in findings] == [("KF001", 86_544)]
