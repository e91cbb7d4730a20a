"""Which dotted names are Keras: layers, models, Input, backbones, datasets.

A name counts only when it resolves (through the file's imports) to a module under a
Keras root, so `torch.nn.Flatten` or a home-made `Flatten` is never mistaken for Keras's.
"""

from __future__ import annotations

import functools
from enum import Enum
from typing import Any

from kerasfix.layers.applications import ARCHITECTURES
from kerasfix.layers.registry import known_names

KERAS_ROOTS: tuple[str, ...] = (
    "keras",
    "tensorflow.keras",
    "tensorflow.python.keras",
    "tensorflow.contrib.keras",
    "tf_keras",
    "tensorflow.compat.v1.keras",
    "tensorflow.compat.v2.keras",
)

# The `keras.applications` backbones kerasfix sizes, named where their arithmetic lives.
APPLICATIONS: frozenset[str] = frozenset(ARCHITECTURES)

# Published shapes of keras.datasets loaders: ((x_train, y_train), (x_test, y_test)).
DATASETS: dict[str, tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = {
    "mnist": ((60000, 28, 28), (60000,), (10000, 28, 28), (10000,)),
    "fashion_mnist": ((60000, 28, 28), (60000,), (10000, 28, 28), (10000,)),
    "cifar10": ((50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1)),
    "cifar100": ((50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1)),
    "boston_housing": ((404, 13), (404,), (102, 13), (102,)),
    "california_housing": ((16512, 8), (16512,), (4128, 8), (4128,)),
}

# How many classes each classification loader's labels hold (cifar100: its default "fine"
# labels; `label_mode="coarse"` gives 20).
DATASET_CLASSES: dict[str, int] = {"mnist": 10, "fashion_mnist": 10, "cifar10": 10, "cifar100": 100}


def dataset_classes(name: str, kwargs: dict[str, Any]) -> int | None:
    """The classes of a `keras.datasets` loader's labels (None for a regression set)."""
    if name == "cifar100" and "label_mode" in kwargs:
        return {"fine": 100, "coarse": 20}.get(kwargs["label_mode"])
    return DATASET_CLASSES.get(name)


class Kind(Enum):
    LAYER = "layer"
    INPUT = "input"  # keras.Input / keras.layers.Input function
    SEQUENTIAL = "sequential"
    MODEL = "model"  # keras.Model / keras.models.Model (functional constructor or base class)
    BASE_LAYER = "base_layer"  # keras.layers.Layer, for subclassing
    BACKBONE = "backbone"
    DATASET_LOADER = "dataset_loader"
    IMAGE_DATA_FORMAT = "image_data_format"
    IMAGE_DIM_ORDERING = "image_dim_ordering"
    SET_IMAGE_DATA_FORMAT = "set_image_data_format"
    SET_IMAGE_DIM_ORDERING = "set_image_dim_ordering"
    TO_CATEGORICAL = "to_categorical"
    BACKEND_NAME = "backend_name"  # keras.backend.backend(): the backend kerasfix assumes
    OTHER = "other"


def is_keras(qualname: str) -> bool:
    return any(qualname == root or qualname.startswith(root + ".") for root in KERAS_ROOTS)


@functools.lru_cache(maxsize=8192)
def classify(qualname: str) -> Kind | None:
    """What a fully qualified name means, or None when it is not a Keras name."""
    if not is_keras(qualname):
        return None
    parts = qualname.split(".")
    leaf = parts[-1]
    if leaf == "Sequential":
        return Kind.SEQUENTIAL
    if leaf in ("Model", "Functional"):
        return Kind.MODEL
    if leaf == "Input":
        return Kind.INPUT
    if leaf == "Layer":
        return Kind.BASE_LAYER
    if leaf in APPLICATIONS:
        return Kind.BACKBONE
    if leaf == "load_data" and len(parts) >= 2 and parts[-2] in DATASETS:
        return Kind.DATASET_LOADER
    if leaf == "image_data_format":
        return Kind.IMAGE_DATA_FORMAT
    if leaf == "image_dim_ordering":
        return Kind.IMAGE_DIM_ORDERING
    if leaf == "set_image_data_format":
        return Kind.SET_IMAGE_DATA_FORMAT
    if leaf == "set_image_dim_ordering":
        return Kind.SET_IMAGE_DIM_ORDERING
    if leaf == "to_categorical":
        return Kind.TO_CATEGORICAL
    if leaf == "backend" and len(parts) >= 2 and parts[-2] == "backend":
        return Kind.BACKEND_NAME
    if leaf == "Lambda" or (leaf in known_names() and leaf[:1].isupper()):
        return Kind.LAYER
    return Kind.OTHER


# Element-wise functions real code applies to a tensor between layers (`x = tf.nn.relu(x)`,
# `K.l2_normalize(x)`): the result has the input's shape.
ELEMENTWISE: frozenset[str] = frozenset(
    {
        "relu", "relu6", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "tanh", "softplus",
        "softsign", "silu", "swish", "leaky_relu", "softmax", "log_softmax", "dropout",
        "abs", "exp", "log", "sqrt", "square", "negative", "sign", "identity", "stop_gradient",
        "cast", "clip_by_value", "clip", "l2_normalize", "per_image_standardization",
        "convert_image_dtype", "local_response_normalization", "lrn",
    }
)  # fmt: skip
_ELEMENTWISE_MODULES = frozenset(
    {"tensorflow", "tensorflow.nn", "tensorflow.math", "tensorflow.image", "keras.backend",
     "keras.ops", "keras.activations"}
)  # fmt: skip


@functools.lru_cache(maxsize=8192)
def _keras_module(qualname: str) -> tuple[str, str]:
    """(module, leaf) with any Keras root spelled "keras" (`tensorflow.keras.backend` ->
    `keras.backend`), so the tensor functions below are listed once."""
    module, _, leaf = qualname.rpartition(".")
    for root in KERAS_ROOTS:
        if module == root or module.startswith(root + "."):
            return "keras" + module[len(root) :], leaf
    return module, leaf


def keeps_tensor_shape(qualname: str) -> bool:
    """Whether calling `qualname` on a tensor returns a tensor of the same shape."""
    module, leaf = _keras_module(qualname)
    return leaf in ELEMENTWISE and module in _ELEMENTWISE_MODULES


def is_tensor_reshape(qualname: str) -> bool:
    """`tf.reshape`, `keras.ops.reshape`, `K.reshape`: reshape a tensor to a given shape."""
    module, leaf = _keras_module(qualname)
    return leaf == "reshape" and module in ("tensorflow", "keras.ops", "keras.backend")


def is_int_shape(qualname: str) -> bool:
    """`K.int_shape(x)` (also `keras.ops.shape`, static in Keras 3): a tensor's static shape."""
    return _keras_module(qualname) in (("keras.backend", "int_shape"), ("keras.ops", "shape"))


# TensorFlow functions on tensors that are a Keras layer in disguise: (module, leaf) -> layer.
_POOLS = {"max_pool2d": "MaxPooling2D", "avg_pool2d": "AveragePooling2D",
          "max_pool1d": "MaxPooling1D", "avg_pool1d": "AveragePooling1D",
          "max_pool3d": "MaxPooling3D", "avg_pool3d": "AveragePooling3D"}  # fmt: skip


_LAYER_FUNCTIONS = frozenset({"concat", "concatenate", "resize", "resize_images", *_POOLS})


def tensor_function_layer(
    qualname: str, args: list[Any], kwargs: dict[str, Any]
) -> tuple[str, dict[str, Any], Any] | None:
    """The Keras layer a TensorFlow tensor function computes, as (class name, config,
    inputs): `tf.concat([a, b], axis=-1)` is Concatenate, `tf.image.resize(x, (h, w))`
    Resizing, `tf.nn.max_pool2d(x, 2, 2, "VALID")` MaxPooling2D; None for anything else
    (or arguments not written literally)."""
    if qualname.rpartition(".")[2] not in _LAYER_FUNCTIONS:
        return None
    module, leaf = _keras_module(qualname)
    if (module, leaf) in (("tensorflow", "concat"), ("keras.ops", "concatenate")):
        values = args[0] if args else kwargs.get("values", kwargs.get("xs"))
        axis = args[1] if len(args) > 1 else kwargs.get("axis", 0 if leaf == "concat" else -1)
        return ("Concatenate", {"axis": axis}, values) if isinstance(axis, int) else None
    if module == "tensorflow.image" and leaf in ("resize", "resize_images"):
        size = args[1] if len(args) > 1 else kwargs.get("size")
        if isinstance(size, tuple | list) and len(size) == 2:
            height, width = size
            if all(isinstance(d, int) and not isinstance(d, bool) for d in (height, width)):
                return "Resizing", {"height": height, "width": width}, args[0] if args else None
        return None
    if module == "tensorflow.nn" and leaf in _POOLS:
        names = ("input", "ksize", "strides", "padding")
        bound = dict(zip(names, args, strict=False)) | kwargs
        padding = bound.get("padding", "VALID")
        pool, strides = bound.get("ksize"), bound.get("strides")
        if not (isinstance(padding, str) and _literal_window(pool) and _literal_window(strides)):
            return None
        config = {"pool_size": pool, "strides": strides, "padding": padding.lower()}
        return _POOLS[leaf], config, bound.get("input")
    return None


def _literal_window(value: Any) -> bool:
    """An int or a tuple/list of ints (NHWC ksize/strides with 1s for batch and channels
    are not read: Keras has no such form)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value > 0
    return (
        isinstance(value, tuple | list)
        and 0 < len(value) <= 3
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    )
