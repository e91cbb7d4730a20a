"""A batch taken from a Keras generator (`images, labels = next(gen)`), and a shape spread
from a value only known at run time (`Input(shape=(*img_size, 1))`)."""

from __future__ import annotations

from pathlib import Path

from tests.source.test_realworld_patterns import _lint_text

HEAD = """
from keras.preprocessing.image import ImageDataGenerator
from keras.layers import Conv2D, Dense, Flatten, Input, Resizing
from keras.models import Model, Sequential
"""
TAIL = "model = Model(inp, Dense(20)(Flatten()(Conv2D(8, 3)(inp))))\n"


def test_a_batch_from_a_directory_generator_sizes_an_input(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "gen = ImageDataGenerator(rescale=1 / 255).flow_from_directory(\n"
        "    'train', target_size=(150, 150))\n"
        "images, labels = next(gen)\n"
        "inp = Input(shape=images.shape[1:])\n" + TAIL,
    )
    # Keras: 150x150x3 -> Conv2D 3x3 -> 148x148x8 -> Dense(20): 175,232*20 + 20.
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (148, 148, 8), 3504660)
    ]


def test_a_generator_without_targets_yields_images_alone(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "import numpy as np\n"
        "x = np.zeros((10, 32, 32, 1))\n"
        "batch = next(ImageDataGenerator().flow(x, batch_size=4))\n"
        "inp = Input(shape=batch.shape[1:])\n" + TAIL,
    )
    # Keras: 32x32x1 -> 30x30x8.
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", (30, 30, 8))]


def test_a_shape_spread_from_an_unknown_size_is_unknown(tmp_path: Path) -> None:
    """`(*img_size, 1)` is as long as `img_size`: not a rank-2 shape that Conv2D refuses
    (which left the site unreported), an unknown one (KF002), of the rank Conv2D takes."""
    findings = _lint_text(
        tmp_path,
        HEAD + "import sys\nimg_size = tuple(sys.argv[1:3])\n"
        "inp = Input(shape=(*img_size, 1))\n" + TAIL,
    )
    assert [(f.rule, f.data.shape) for f in findings] == [("KF002", (None, None, 8))]


def test_an_input_of_run_time_shape_resized_by_its_first_layer(tmp_path: Path) -> None:
    """TensorFlow's audio tutorial: `Input(shape=input_shape)` of spectrograms known at run
    time, then `Resizing(32, 32)`: the map after it is known, Sequential or functional."""
    sequential = _lint_text(
        tmp_path,
        HEAD + "import sys\ninput_shape = tuple(sys.argv)\n"
        "m = Sequential([Input(shape=input_shape), Resizing(32, 32), Conv2D(8, 3), Flatten(),\n"
        "    Dense(20)])\n",
    )
    functional = _lint_text(
        tmp_path,
        HEAD
        + "import sys\ninp = Input(shape=tuple(sys.argv))\n"
        + TAIL.replace("Conv2D(8, 3)(inp)", "Conv2D(8, 3)(Resizing(32, 32)(inp))"),
    )
    # Keras: 32x32 -> 30x30x8 -> Dense(20): 7,200*20 + 20.
    for findings in (sequential, functional):
        assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
            ("KF001", (30, 30, 8), 144020)
        ]


def test_a_layer_argument_of_a_frontend_kind_of_unknown_is_unknown(tmp_path: Path) -> None:
    """`kernel_size=constants["k"]` of a parameter reads as a DataFrame column to the pandas
    model; to the layer it is an unknown argument, not one Keras refuses (markmo/dltemplate)."""
    findings = _lint_text(
        tmp_path,
        HEAD + "from keras.layers import InputLayer\n"
        "def builder(constants):\n"
        "    m = Sequential()\n"
        "    m.add(InputLayer(constants['img_shape']))\n"
        "    m.add(Conv2D(8, kernel_size=constants['k'], padding='same'))\n"
        "    m.add(Flatten())\n"
        "    m.add(Dense(constants['code']))\n"
        "    return m\n",
    )
    assert [(f.rule, f.data.params_flatten) for f in findings] == [("KF002", None)]
