"""Recall patterns seen in public Keras code (bench/realworld): numbers checked against Keras."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PATTERN_FIXTURES = [
    ROOT / "fixtures/source/config_attributes.py",
    ROOT / "fixtures/source/literal_arrays.py",
    ROOT / "fixtures/source/class_builders.py",
    ROOT / "fixtures/source/layer_factories.py",
    ROOT / "fixtures/source/built_by_data.py",
    ROOT / "fixtures/source/time_distributed.py",
    ROOT / "fixtures/source/input_feature_map.py",
    ROOT / "fixtures/source/preprocess_input.py",
    ROOT / "fixtures/source/backbone_layer_output.py",
    ROOT / "fixtures/source/elementwise_functions.py",
    ROOT / "fixtures/source/tensor_reshape.py",
    ROOT / "fixtures/source/static_shapes.py",
    ROOT / "fixtures/source/backbone_layers_copied.py",
]


def _lint_text(tmp_path: Path, text: str) -> list:  # type: ignore[type-arg]
    path = tmp_path / "script.py"
    path.write_text(text, encoding="utf-8")
    result = lint_paths([path], Settings())
    assert result.errors == []
    return result.findings


def _flatten_dense_params(namespace: dict, keras) -> Counter:  # type: ignore[no-untyped-def, type-arg]
    """count_params() of each Dense that directly follows a Flatten, in every model built."""
    found: Counter = Counter()  # type: ignore[type-arg]
    for value in list(namespace.values()):
        if isinstance(value, keras.Model):
            layers = list(value.layers)
            for before, after in pairwise(layers):
                if _unwrapped(before) == "Flatten" and _unwrapped(after) == "Dense":
                    found[after.count_params()] += 1
    return found


def _unwrapped(layer) -> str:  # type: ignore[no-untyped-def]
    """A layer's class name, looking inside TimeDistributed."""
    name = type(layer).__name__
    return type(layer.layer).__name__ if name == "TimeDistributed" else name


@pytest.mark.keras
@pytest.mark.parametrize("fixture", PATTERN_FIXTURES, ids=lambda p: p.name)
def test_flatten_counts_match_keras(fixture: Path) -> None:
    keras = pytest.importorskip("keras")
    findings = lint_paths([fixture], Settings()).findings
    expected = Counter(f.data.params_flatten for f in findings if f.rule == "KF001")
    namespace: dict = {"__name__": "pattern_fixture"}  # type: ignore[type-arg]
    exec(compile(fixture.read_text(encoding="utf-8"), str(fixture), "exec"), namespace)
    # Every reported count is one Keras builds (unreported pairs, e.g. on raw inputs, aside).
    observed = _flatten_dense_params(namespace, keras)
    assert expected and not (expected - observed), (expected, observed)


def test_config_attribute_never_assigned_stays_unknown(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        "import wandb\nfrom keras import layers, models\n"
        "config = wandb.config\nconfig.filters = 32\n"
        "m = models.Sequential([layers.Input((config.size, config.size, 3)),\n"
        "    layers.Conv2D(config.filters, 3), layers.Flatten(), layers.Dense(8)])\n",
    )
    assert [(f.rule, f.data.shape, f.data.params_pooling) for f in findings] == [
        ("KF002", (None, None, 32), 264)
    ]


def test_config_attributes_of_a_run_object(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        "import wandb\nfrom keras import layers, models\n"
        "run = wandb.init()\nconfig = run.config\nconfig.img_size = 30\nconfig.units = 8\n"
        "m = models.Sequential([layers.Input((config.img_size, config.img_size, 3)),\n"
        "    layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(config.units)])\n",
    )
    # Keras: 28x28x4 -> Dense(8) = 3136*8 + 8; pooled 4*8 + 8.
    assert [
        (f.rule, f.data.shape, f.data.params_flatten, f.data.params_pooling) for f in findings
    ] == [("KF001", (28, 28, 4), 25096, 40)]


def test_a_model_kept_on_an_imported_module(tmp_path: Path) -> None:
    """`tf.model = tf.keras.Sequential()` (hunkim/DeepLearningZeroToAll's tf2 scripts): the
    attribute reads back as the model, and `tf.keras` still names Keras afterwards."""
    findings = _lint_text(
        tmp_path,
        "import tensorflow as tf\n"
        "tf.model = tf.keras.Sequential()\n"
        "tf.model.add(tf.keras.layers.Conv2D(16, (3, 3), input_shape=(28, 28, 1)))\n"
        "tf.model.add(tf.keras.layers.MaxPooling2D((2, 2)))\n"
        "tf.model.add(tf.keras.layers.Conv2D(32, (3, 3)))\n"
        "tf.model.add(tf.keras.layers.MaxPooling2D((2, 2)))\n"
        "tf.model.add(tf.keras.layers.Flatten())\n"
        "tf.model.add(tf.keras.layers.Dense(10))\n",
    )
    # Keras: 28 -> 26 -> 13 -> 11 -> 5: 5x5x32 -> Dense(10) = 800*10 + 10; pooled 32*10 + 10.
    assert [
        (f.rule, f.line, f.data.shape, f.data.params_flatten, f.data.params_pooling)
        for f in findings
    ] == [("KF001", 7, (5, 5, 32), 8010, 330)]


SEQUENTIAL_OUTPUT = """
from keras.models import Model, Sequential
from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D

feature_extractor = Sequential()
feature_extractor.add(Conv2D(32, 3, padding="same", input_shape=(16, 16, 3)))
feature_extractor.add(MaxPooling2D())
feature_extractor.add(Flatten())
x = feature_extractor.output
x = Dense(8)(x)
model = Model(inputs=feature_extractor.input, outputs=x)
"""


def test_sequential_output_chained_into_a_functional_head(tmp_path: Path) -> None:
    findings = _lint_text(tmp_path, SEQUENTIAL_OUTPUT)
    # Keras: 16x16x32 pooled to 8x8x32 -> Dense(8) = 2048*8 + 8; pooled 32*8 + 8.
    assert [
        (f.rule, f.line, f.data.shape, f.data.params_flatten, f.data.params_pooling)
        for f in findings
    ] == [("KF001", 8, (8, 8, 32), 16392, 264)]


@pytest.mark.keras
def test_sequential_output_pattern_matches_keras() -> None:
    keras = pytest.importorskip("keras")
    layers = keras.layers
    # The same layers as SEQUENTIAL_OUTPUT, built the Keras 3 way (`.output` of a Sequential
    # declared with input_shape= is Keras 2 only).
    model = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            layers.Conv2D(32, 3, padding="same"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(8),
        ]
    )
    assert model.layers[-1].count_params() == 16392


def test_input_feature_map_decided_by_shape() -> None:
    from kerasfix.checks.input_feature_map import looks_like_feature_map

    assert looks_like_feature_map((None, 5, 5, 512))
    assert looks_like_feature_map((None, 2, 7, 7, 256))
    assert not looks_like_feature_map((None, 224, 224, 3))  # an image
    assert not looks_like_feature_map((None, 30, 128))  # a time-series window
    assert not looks_like_feature_map((None, 128, 128, 64))  # too large a map to call pooled
    assert not looks_like_feature_map((None, None, None, 512))  # size unknown


def test_local_alias_of_flatten(tmp_path: Path) -> None:
    # The same layers as fixtures/source/layer_factories.py (numbers checked against Keras
    # there), with `Flatten` reached through a local alias.
    findings = _lint_text(
        tmp_path,
        "import tensorflow as tf\nFlatten = tf.keras.layers.Flatten\n"
        "m = tf.keras.Sequential([tf.keras.Input((16, 16, 3)),\n"
        "    tf.keras.layers.Conv2D(8, 3, padding='same'),\n"
        "    tf.keras.layers.Conv2D(16, 3, padding='same', strides=2),\n"
        "    Flatten(), tf.keras.layers.Dense(32)])\n",
    )
    assert [(f.rule, f.line, f.data.params_flatten, f.data.params_pooling) for f in findings] == [
        ("KF001", 6, 32800, 544)
    ]


def test_kf002_names_the_unpacked_value_and_its_line(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        "import numpy as np\nfrom keras import layers, models\n"
        "X = np.load('faces.npy')\nrows, cols = X.shape[1:]\n"
        "m = models.Sequential([layers.Input((rows, cols, 1)), layers.Conv2D(32, 3),\n"
        "    layers.Flatten(), layers.Dense(128)])\n",
    )
    assert [f.rule for f in findings] == ["KF002"]
    assert "because 'rows' is unpacked (line 4) from a value only known at run time" in (
        findings[0].message
    )


SNIPPET_BODY = (
    "model = Sequential()\n"
    "model.add(Conv2D(32, (3, 3), input_shape=(64, 64, 3)))\n"
    "model.add(Flatten())\n"
    "model.add(Dense(10))\n"
)


def test_a_snippet_importing_no_framework_means_keras(tmp_path: Path) -> None:
    """Seen in public course code (bench/realworld heldout2): a script that imports only
    `time` and `numpy` and uses Keras's names bare, as the course's notebook did."""
    findings = _lint_text(tmp_path, "import time\nimport numpy as np\n" + SNIPPET_BODY)
    assert [(f.rule, f.line, f.data.params_flatten) for f in findings] == [
        ("KF001", 5, 62 * 62 * 32 * 10 + 10)  # Keras: Conv2D 3x3 valid on 64x64 -> 62x62x32
    ]


@pytest.mark.parametrize("header", ["import torch\n", "import torch\nfrom mylib import *\n"])
def test_bare_names_are_not_keras_once_another_framework_is_in_scope(
    tmp_path: Path, header: str
) -> None:
    assert _lint_text(tmp_path, header + SNIPPET_BODY) == []


@pytest.mark.parametrize(
    "header",
    [
        "from mylib import *\n",
        "from keras import optimizers\nfrom utils import *\n",
        "from keras.layers import Conv2D, Flatten\nfrom keras.models import Sequential\n",
    ],
)
def test_an_unbound_keras_name_in_keras_code_is_keras(tmp_path: Path, header: str) -> None:
    """Seen in public code (bench/realworld heldout2): layer names that come from
    `from <project>.utils import *` (a module importing Keras; HelloPy3 h02_HappyModel.py),
    and a script whose `from keras.layers import` forgot `Dense` (OpenCV-Playground)."""
    findings = _lint_text(tmp_path, header + SNIPPET_BODY)
    assert [(f.rule, f.data.params_flatten) for f in findings] == [
        ("KF001", 62 * 62 * 32 * 10 + 10)
    ]


def test_a_name_the_file_binds_wins_over_the_assumed_keras_name(tmp_path: Path) -> None:
    body = SNIPPET_BODY.replace(
        "model = Sequential()", "def Dense(n):\n    return None\nmodel = Sequential()"
    )
    assert _lint_text(tmp_path, "from mylib import *\n" + body) == []


NESTED_HEAD = ROOT / "fixtures/source/nested_head.py"
# A head that declares its input width: the finding stands, but --fix leaves it (the
# declared width would no longer match) and says why.
DECLARED_WIDTH_HEAD = """
fixed_head = keras.Sequential([keras.Input((5408,)), layers.Dense(16)], name="fixed_head")
flat = layers.Flatten()(layers.Conv2D(8, 3)(inputs))
declared = keras.Model(inputs, fixed_head(flat))
"""


def _dense_counts(model, keras) -> Counter:  # type: ignore[no-untyped-def, type-arg]
    """count_params() of every Dense in `model` and the models nested in it."""
    found: Counter = Counter()  # type: ignore[type-arg]
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found += _dense_counts(layer, keras)
        elif type(layer).__name__ == "Dense":
            found[layer.count_params()] += 1
    return found


@pytest.mark.keras
def test_a_nested_head_counts_match_keras() -> None:
    keras = pytest.importorskip("keras")
    findings = lint_paths([NESTED_HEAD], Settings()).findings
    namespace: dict = {"__name__": "nested_head"}  # type: ignore[type-arg]
    exec(compile(NESTED_HEAD.read_text(encoding="utf-8"), str(NESTED_HEAD), "exec"), namespace)
    exec(compile(DECLARED_WIDTH_HEAD, "declared", "exec"), namespace)
    namespace["model"].build((None, 32, 32, 3))
    reported = {f.line: f.data.params_flatten for f in findings}
    built = Counter[int]()
    for name in ("model", "functional", "declared"):
        built += _dense_counts(namespace[name], keras)
    assert len(reported) == 2 and all(built[count] for count in reported.values()), built


@pytest.mark.keras
def test_fix_swaps_flatten_before_a_nested_head_and_the_result_builds(tmp_path: Path) -> None:
    import subprocess
    import sys

    pytest.importorskip("keras")
    target = tmp_path / "nested_head.py"
    target.write_text(
        NESTED_HEAD.read_text(encoding="utf-8") + DECLARED_WIDTH_HEAD, encoding="utf-8"
    )
    run = subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", "--isolated", "--no-cache", "--fix", target],
        capture_output=True,
        text=True,
        timeout=120,
    )
    fixed = target.read_text(encoding="utf-8")
    assert fixed.count("layers.GlobalAveragePooling2D()") == 2
    assert fixed.count("layers.Flatten()") == 1  # the declared-width head is left as it was
    assert "the Dense is in the nested model 'fixed_head', which declares its input" in run.stderr
    namespace: dict = {"__name__": "fixed"}  # type: ignore[type-arg]
    exec(compile(fixed, str(target), "exec"), namespace)  # Keras builds every fixed model
    assert namespace["functional"].output_shape == (None, 2)


TWO_HEADS = (
    "from keras import layers, Input\n"
    "inputs = Input((8, 8, 3))\n"
    "x = layers.Flatten()(layers.Conv2D(4, 3)(inputs))\n"
    "z_mean = layers.Dense(10)(x)\n"
    "z_log_var = layers.Dense(20)(x)\n"
)


def test_one_flatten_feeding_two_unnamed_heads_is_two_findings(tmp_path: Path) -> None:
    """A VAE encoder's `z_mean` and `z_log_var`: both Dense layers pay for the Flatten
    (6x6x4 = 144 inputs: 144*10+10 and 144*20+20), even though neither has a name."""
    findings = _lint_text(tmp_path, TWO_HEADS)
    assert [(f.line, f.data.dense_units, f.data.params_flatten) for f in findings] == [
        (3, 10, 1450),
        (3, 20, 2900),
    ]
    cached = tmp_path / "cached.py"
    cached.write_text(TWO_HEADS, encoding="utf-8")
    for _ in range(2):  # the second run reads both findings back from the cache
        result = lint_paths([cached], Settings(), cache_dir=tmp_path / "cache")
        assert [f.data.dense_units for f in result.findings] == [10, 20]


def test_fix_counts_both_heads_of_one_flatten(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "two_heads.py"
    target.write_text(TWO_HEADS, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", "--isolated", "--no-cache", "--fix", target],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.startswith("Fixed 2 findings in 1 file (KF001: 2).")
    assert "x = layers.GlobalAveragePooling2D()(layers.Conv2D(4, 3)(inputs))" in (
        target.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("cut", "reason"),
    [
        ('base.get_layer("my_head")', "InceptionV3's layer 'my_head' is not in kerasfix's table"),
        ("base.get_layer(pick())", "a layer of InceptionV3 is chosen at run time"),
    ],
)
def test_a_backbone_layer_kerasfix_cannot_size_is_kf002_with_the_reason(
    tmp_path: Path, cut: str, reason: str
) -> None:
    findings = _lint_text(
        tmp_path,
        "from tensorflow.keras import Model, layers\n"
        "from tensorflow.keras.applications import InceptionV3\n"
        "base = InceptionV3(input_shape=(150, 150, 3), include_top=False, weights=None)\n"
        f"x = layers.Flatten()({cut}.output)\n"
        "model = Model(base.input, layers.Dense(8)(x))\n",
    )
    assert [f.rule for f in findings] == ["KF002"]
    assert reason in findings[0].message


def test_a_backbone_variant_the_table_was_not_measured_for_is_not_sized() -> None:
    from kerasfix.layers.applications import tap_of

    assert tap_of("InceptionV3", "mixed7", {}) == (6, 768)
    assert tap_of("MobileNetV2", "out_relu", {"alpha": 0.5}) is None  # measured at alpha=1.0


def test_tf_nn_functions_between_layers_keep_the_shape(tmp_path: Path) -> None:
    """Seen in public code (Hands-On Computer Vision with TF2): `x = tf.nn.relu(x)`."""
    findings = _lint_text(
        tmp_path,
        "import tensorflow as tf\n"
        "inputs = tf.keras.Input((32, 32, 3))\n"
        "x = tf.nn.relu(tf.keras.layers.Conv2D(16, 3)(inputs))\n"
        "x = tf.nn.dropout(tf.math.l2_normalize(x), rate=0.5)\n"
        "x = tf.keras.layers.Flatten()(x)\n"
        "model = tf.keras.Model(inputs, tf.keras.layers.Dense(10)(x))\n",
    )
    # Keras: Conv2D 3x3 valid on 32x32 -> 30x30x16; Dense(10) = 14400*10 + 10.
    assert [(f.rule, f.data.params_flatten) for f in findings] == [("KF001", 144010)]


def test_a_function_that_changes_the_shape_is_not_taken_as_elementwise(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        "import tensorflow as tf\n"
        "inputs = tf.keras.Input((32, 32, 3))\n"
        "x = tf.nn.max_pool2d(tf.keras.layers.Conv2D(16, 3)(inputs), 2, 2, 'VALID')\n"
        "x = tf.keras.layers.Flatten()(x)\n"
        "model = tf.keras.Model(inputs, tf.keras.layers.Dense(10)(x))\n",
    )
    # Not taken as elementwise (30x30): tf.nn.max_pool2d is MaxPooling2D(2, 2, "valid"),
    # 15x15x16 in TensorFlow; Dense(10) = 3600*10 + 10.
    assert [(f.rule, f.data.params_flatten) for f in findings] == [("KF001", 36010)]


SUBCLASS_RESHAPING_ITS_INPUT = """
import tensorflow as tf
from tensorflow.keras import Model, layers

class ConvNet(Model):
    def __init__(self):
        super().__init__()
        self.conv1 = layers.Conv2D(32, kernel_size=5, activation=tf.nn.relu)
        self.pool = layers.MaxPool2D(2, strides=2)
        self.flatten = layers.Flatten()
        self.fc1 = layers.Dense(1024)

    def call(self, x):
        x = tf.reshape(x, [-1, 28, 28, 1])
        x = self.pool(self.conv1(x))
        return self.fc1(self.flatten(x))

net = ConvNet()
for batch_x in dataset:
    net(batch_x)
"""


def test_a_subclass_whose_call_reshapes_its_input(tmp_path: Path) -> None:
    """Seen in public code (aymericdamien/TensorFlow-Examples, tensorflow_v2 notebooks): the
    data is unknown, but `tf.reshape(x, [-1, 28, 28, 1])` pins the shape."""
    findings = _lint_text(tmp_path, SUBCLASS_RESHAPING_ITS_INPUT)
    # Keras: 28x28 -> Conv2D 5x5 valid 24x24x32 -> pool 12x12x32; Dense(1024) = 4608*1024 + 1024.
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (12, 12, 32), 4719616)
    ]


def test_reshaping_to_a_shape_with_an_unknown_axis_stays_unknown(tmp_path: Path) -> None:
    text = SUBCLASS_RESHAPING_ITS_INPUT.replace("[-1, 28, 28, 1]", "[-1, side, side, 1]")
    assert [f.rule for f in _lint_text(tmp_path, text)] != ["KF001"]


RESNET_WITH_INT_SHAPE = """
import tensorflow as tf
from tensorflow.keras.layers import Input, Conv2D, AveragePooling2D, Flatten, Dense, add

def merge(x, residual):
    x_shape = tf.keras.backend.int_shape(x)
    residual_shape = tf.keras.backend.int_shape(residual)
    if x_shape == residual_shape:
        shortcut = x
    else:
        strides = (int(round(x_shape[1] / residual_shape[1])),
                   int(round(x_shape[2] / residual_shape[2])))
        shortcut = Conv2D(residual_shape[3], (1, 1), strides=strides)(x)
    return add([shortcut, residual])

def build(input_shape):
    inputs = Input(shape=input_shape)
    x = Conv2D(64, 7, strides=2, padding="same")(inputs)
    x = merge(x, Conv2D(64, 3, padding="same")(x))
    x = merge(x, Conv2D(128, 3, strides=2, padding="same")(x))
    size = tf.keras.backend.int_shape(x)[1:3]
    x = AveragePooling2D(pool_size=size, strides=1)(x)
    return tf.keras.Model(inputs, Dense(10)(Flatten()(x)))

model = build((64, 64, 3))
"""


def test_int_shape_decides_the_shortcut_and_sizes_the_final_pooling(tmp_path: Path) -> None:
    """Seen in public code (Hands-On Computer Vision with TF2, ch. 4 ResNet): the shortcut
    branch is chosen by comparing int_shape()s, and AveragePooling2D(int_shape(x)[1:3])
    pools the whole map to 1x1, so the Flatten -> Dense is not a finding."""
    assert _lint_text(tmp_path, RESNET_WITH_INT_SHAPE) == []
    unsized = RESNET_WITH_INT_SHAPE.replace("pool_size=size", "pool_size=2")
    findings = _lint_text(tmp_path, unsized)
    # Keras: 64 -> 32 (stride 2 same) -> 16 (stride 2 same); AveragePooling2D(2, 1) -> 15x15x128.
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", (15, 15, 128))]


def test_int_shape_of_an_unknown_size_leaves_the_branch_undecided(tmp_path: Path) -> None:
    text = RESNET_WITH_INT_SHAPE.replace("model = build((64, 64, 3))", "")
    findings = _lint_text(tmp_path, text)
    assert [f.rule for f in findings] == ["KF002"]
    assert "'shortcut' depends on the condition at line 8" in findings[0].message


AUX_BRANCH = """
from tensorflow.keras import layers, models

def net(size=64, classes=10, aux_logits=False):
    inputs = layers.Input(shape=(size, size, 3))
    x = layers.Conv2D(32, 3, strides=2, padding="same")(inputs)
    if aux_logits:
        aux = layers.Flatten()(layers.MaxPool2D(4)(x))
        aux = layers.Dense(classes)(aux)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(classes)(x)
    if aux_logits:
        return models.Model(inputs, [aux, outputs])
    return models.Model(inputs, outputs)
"""


def test_a_flag_guarded_branch_of_an_uncalled_builder_is_explored(tmp_path: Path) -> None:
    """Seen in public code (WZMIAOMIAO GoogLeNet, bench/realworld heldout2): the auxiliary
    classifier is built only `if aux_logits:`, a flag the training script (another file)
    turns on."""
    findings = _lint_text(tmp_path, AUX_BRANCH)
    # Keras: 64 -> 32x32x32 (stride 2 same) -> MaxPool2D(4) 8x8x32; Dense(10) = 2048*10 + 10.
    assert [(f.rule, f.line, f.data.params_flatten) for f in findings] == [("KF001", 8, 20490)]


def test_a_builder_called_in_the_file_runs_as_called(tmp_path: Path) -> None:
    assert _lint_text(tmp_path, AUX_BRANCH + "model = net(aux_logits=False)\n") == []


def test_a_slice_of_a_backbones_layers_is_not_followed(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        "from keras.applications import VGG16\n"
        "from keras import layers, models\n"
        "vgg = VGG16(include_top=False, weights=None, input_shape=(150, 150, 3))\n"
        "model = models.Sequential()\n"
        "for layer in vgg.layers[:-4]:\n"
        "    model.add(layer)\n"
        "model.add(layers.Flatten())\n"
        "model.add(layers.Dense(256))\n",
    )
    assert not [f for f in findings if f.rule == "KF001"]  # 9x9x512 in Keras, not 4x4x512


def test_lambda_layer_factories(tmp_path: Path) -> None:
    """`conv = lambda filters: layers.Conv2D(filters, **conv_args)` (LucasPorto/deep_models'
    VAE encoder): a lambda is a function like any other, and a function value is true."""
    findings = _lint_text(
        tmp_path,
        "import tensorflow.keras.layers as layers\n"
        "from tensorflow.keras.models import Model\n"
        "def encoder(input_shape, spec, conv=False):\n"
        "    x = layers.Input(shape=input_shape)\n"
        "    if conv:\n"
        "        args = {'kernel_size': 3, 'strides': 2, 'padding': 'same'}\n"
        "        conv = lambda filters: layers.Conv2D(filters, **args)\n"
        "        stack = [conv(filters) for filters in spec]\n"
        "    else:\n"
        "        stack = [(lambda units: layers.Dense(units))(units) for units in spec]\n"
        "    y = x\n"
        "    for layer in stack:\n"
        "        y = layer(y)\n"
        "    if conv:\n"
        "        y = layers.Flatten()(y)\n"
        "        y = layers.Dense(16)(y)\n"
        "    return Model(x, layers.Dense(2)(y))\n"
        "encoder((28, 28, 1), [32, 64], conv=True)\n",
    )
    # Keras: 28 -> 14 -> 7 (same padding, stride 2): 7*7*64*16 + 16; pooled 64*16 + 16.
    assert [
        (f.rule, f.line, f.data.shape, f.data.params_flatten, f.data.params_pooling)
        for f in findings
    ] == [("KF001", 15, (7, 7, 64), 50192, 1040)]


def test_a_comprehension_with_two_generators(tmp_path: Path) -> None:
    """`[make(f) for f in filters for make in (conv, pool)]` (LucasPorto/deep_models'
    localisation network): conv, pool, conv, pool, in that order."""
    findings = _lint_text(
        tmp_path,
        "from tensorflow.keras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D\n"
        "from tensorflow.keras.models import Model\n"
        "conv = lambda f: Conv2D(f, (3, 3))\n"
        "pool = lambda _: MaxPooling2D(pool_size=2)\n"
        "stack = [make(f) for f in [32, 64] for make in (conv, pool) if f > 0]\n"
        "x = inputs = Input(shape=(28, 28, 1))\n"
        "for layer in stack:\n"
        "    x = layer(x)\n"
        "model = Model(inputs, Dense(20)(Flatten()(x)))\n",
    )
    # Keras: 28 -> 26 -> 13 -> 11 -> 5: 5*5*64*20 + 20; pooled 64*20 + 20.
    assert [
        (f.rule, f.data.shape, f.data.params_flatten, f.data.params_pooling) for f in findings
    ] == [("KF001", (5, 5, 64), 32020, 1300)]


def test_the_standard_librarys_constant_strings(tmp_path: Path) -> None:
    """`characters = string.digits + string.ascii_uppercase` then one Dense per captcha
    character with `len(characters) + 1` classes (aguang1201/captcha_break)."""
    findings = _lint_text(
        tmp_path,
        "import string\nfrom string import ascii_lowercase as lower\n"
        "from keras.layers import Conv2D, Dense, Flatten, Input\nfrom keras.models import Model\n"
        "characters = string.digits + string.ascii_uppercase\n"
        "x = inputs = Input((12, 12, 3))\n"
        "x = Flatten()(Conv2D(8, 3)(x))\n"
        "heads = [Dense(len(characters) + 1)(x), Dense(len(lower))(x)]\n"
        "model = Model(inputs, heads)\n",
    )
    # Keras: 10x10x8 = 800 -> Dense(37): 800*37 + 37 = 29,637; Dense(26): 800*26 + 26 = 20,826.
    assert sorted((f.rule, f.data.dense_units, f.data.params_flatten) for f in findings) == [
        ("KF001", 26, 20826),
        ("KF001", 37, 29637),
    ]


def test_a_plain_class_that_builds_in_its_constructor_is_explored(tmp_path: Path) -> None:
    """`class TrainerCNN(Trainer)` builds its model in `__init__` and only another script
    makes one (ryoma-jp/samples): run like an uncalled builder, with its defaults."""
    findings = _lint_text(
        tmp_path,
        "import keras\nfrom math import log2\n"
        "class Trainer:\n    def fit(self, x):\n        self.model.fit(x)\n"
        "class TrainerCNN(Trainer):\n"
        "    def __init__(self, input_shape=(32, 32, 3), output_dir=None):\n"
        "        def _load_model(input_shape):\n"
        "            model = keras.models.Sequential()\n"
        "            model.add(keras.layers.Conv2D(32, (3, 3), input_shape=input_shape))\n"
        "            for _ in range(int(log2(4))):\n"
        "                model.add(keras.layers.MaxPooling2D((2, 2)))\n"
        "            model.add(keras.layers.Flatten())\n"
        "            model.add(keras.layers.Dense(64))\n"
        "            return model\n"
        "        self.model = _load_model(input_shape)\n",
    )
    # Keras: 32 -> 30 -> 15 -> 7 (two pools, log2(4) = 2): 7*7*32*64 + 64; pooled 32*64 + 64.
    assert [
        (f.rule, f.data.shape, f.data.params_flatten, f.data.params_pooling) for f in findings
    ] == [("KF001", (7, 7, 32), 100416, 2112)]


def test_math_on_plain_numbers(tmp_path: Path) -> None:
    """`num_layers = int(np.log2(img_dim)) - 3` (a DCGAN critic), `math.ceil`, `np.prod`."""
    findings = _lint_text(
        tmp_path,
        "import math\nimport numpy as np\n"
        "from keras.layers import *\nfrom keras.models import Model\n"
        "img_dim = 64\nnum_layers = int(np.log2(img_dim)) - 3\n"
        "x = x_in = Input(shape=(img_dim, img_dim, 3))\n"
        "for i in range(num_layers + 1):\n"
        "    x = Conv2D(64 * 2 ** i, (5, 5), strides=(2, 2), padding='same')(x)\n"
        "x = Flatten()(x)\n"
        "x = Dense(math.ceil(7 / 2) + int(np.prod((2, 3))))(x)\n"
        "d_model = Model(x_in, x)\n",
    )
    # Keras: 64 -> 32 -> 16 -> 8 -> 4 (four stride-2 convs), 512 channels: Dense(4 + 6 = 10).
    assert [(f.rule, f.data.shape, f.data.dense_units) for f in findings] == [
        ("KF001", (4, 4, 512), 10)
    ]


def test_configs_made_by_dict_and_simple_namespace(tmp_path: Path) -> None:
    """`CONFIG = dict(img_size=32, channels=3)` and `SimpleNamespace(size=28)`: `dict` was not
    a known builtin, so every size read from such a config was unknown."""
    findings = _lint_text(
        tmp_path,
        "from types import SimpleNamespace\nfrom keras import layers, models\n"
        "CONFIG = dict([('channels', 3)], img_size=32)\n"
        "args = SimpleNamespace(size=28, filters=8)\n"
        "a = models.Sequential([layers.Input((CONFIG['img_size'], CONFIG.get('img_size', 1),\n"
        "    CONFIG['channels'])), layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)])\n"
        "b = models.Sequential([layers.Input((args.size, args.size, 1)),\n"
        "    layers.Conv2D(args.filters, 3), layers.Flatten(), layers.Dense(2)])\n",
    )
    # Keras: 32 -> 30 (4 channels): 3600*2 + 2; 28 -> 26 (8 channels): 5408*2 + 2.
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (30, 30, 4), 7202),
        ("KF001", (26, 26, 8), 10818),
    ]
