"""Keras 1/2 vocabulary -> Keras 3 vocabulary, shared by every frontend.

Old notebooks and saved models spell layers `Convolution2D(32, 3, 3, border_mode='same')`
or carry `batch_input_shape`; the arithmetic only speaks Keras 3 (`Conv2D(32, (3, 3),
padding='same')`). Frontends call `normalize` before looking a layer up, and
`positional_names` to bind positional constructor arguments to config keys.
"""

from __future__ import annotations

from typing import Any

from kerasfix.graph.model import Shape
from kerasfix.layers.spec import canonical_name, lookup

Config = dict[str, Any]

# Legacy class names -> Keras 3 class names (the registry adds tf.keras aliases such as
# MaxPool2D on top of these).
CLASS_RENAMES: dict[str, str] = {
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "AtrousConvolution1D": "Conv1D",
    "AtrousConvolution2D": "Conv2D",
    "Deconvolution2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "Convolution2DTranspose": "Conv2DTranspose",
    "Convolution3DTranspose": "Conv3DTranspose",
    "Conv1DTranspose": "Conv1DTranspose",
    "Convolution1DTranspose": "Conv1DTranspose",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
    "DepthwiseConvolution1D": "DepthwiseConv1D",
    "DepthwiseConvolution2D": "DepthwiseConv2D",
    "CuDNNLSTM": "LSTM",
    "CuDNNGRU": "GRU",
    "Input": "InputLayer",
}

# Positional constructor arguments of legacy (Keras 1) signatures. Keras 2 kept accepting
# these through its legacy-interface decorators, e.g. `Convolution2D(32, 3, 3)`.
LEGACY_POSITIONAL: dict[str, tuple[str, ...]] = {
    "Convolution1D": ("nb_filter", "filter_length"),
    "AtrousConvolution1D": ("nb_filter", "filter_length"),
    "Convolution2D": ("nb_filter", "nb_row", "nb_col"),
    "AtrousConvolution2D": ("nb_filter", "nb_row", "nb_col"),
    "SeparableConvolution2D": ("nb_filter", "nb_row", "nb_col"),
    "Deconvolution2D": ("nb_filter", "nb_row", "nb_col", "output_shape"),
    "Convolution3D": ("nb_filter", "kernel_dim1", "kernel_dim2", "kernel_dim3"),
    "CuDNNLSTM": ("units",),
    "CuDNNGRU": ("units",),
}

# Legacy names whose positional Keras 1 form standalone Keras 2.0-2.3 still converted
# (keras/legacy/interfaces.py: conv2d_args_preprocessor, conv3d_args_preprocessor).
KERAS2_CONVERTED = frozenset({"Convolution2D", "Convolution3D", "SeparableConvolution2D"})

_DIM_ORDERING = {"th": "channels_first", "tf": "channels_last", "default": None}

# Simple key renames valid for every layer that carries the old key.
_KEY_RENAMES = {
    "nb_filter": "filters",
    "border_mode": "padding",
    "subsample": "strides",
    "subsample_length": "strides",
    "atrous_rate": "dilation_rate",
    "inner_activation": "recurrent_activation",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "bias": "use_bias",
}

_RNN_NAMES = ("LSTM", "GRU", "SimpleRNN")
_POOL_1D = ("MaxPooling1D", "AveragePooling1D")


def normalize(class_name: str, config: Config) -> tuple[str, Config]:
    """Translate a legacy class name and config into Keras 3 vocabulary (a new dict).

    Unknown keys are kept; values are never evaluated, so `Unknown` sentinels pass through.
    """
    legacy_name = class_name
    name = canonical_name(CLASS_RENAMES.get(class_name, class_name))
    out: Config = dict(config)

    for old, new in _KEY_RENAMES.items():
        if old in out and new not in out:
            out[new] = out.pop(old)
        elif old in out:
            out.pop(old)
    if "dim_ordering" in out:
        value = out.pop("dim_ordering")
        if "data_format" not in out:
            out["data_format"] = (
                _DIM_ORDERING.get(value, value) if isinstance(value, str) else value
            )

    _kernel_size(out)
    if "output_dim" in out and name != "Embedding":
        out.setdefault("units", out.pop("output_dim"))
        out.pop("output_dim", None)
    if name in _POOL_1D or name in ("GlobalMaxPooling1D", "GlobalAveragePooling1D"):
        if "pool_length" in out:
            out.setdefault("pool_size", out.pop("pool_length"))
        if "stride" in out:
            out.setdefault("strides", out.pop("stride"))
    if name == "UpSampling1D" and "length" in out:
        out.setdefault("size", out.pop("length"))
    if (
        name in ("Dropout", "GaussianDropout", "SpatialDropout1D", "SpatialDropout2D")
        and "p" in out
    ):
        out.setdefault("rate", out.pop("p"))
    if name == "GaussianNoise" and "sigma" in out:
        out.setdefault("stddev", out.pop("sigma"))
    if name == "LeakyReLU" and "alpha" in out:
        out.setdefault("negative_slope", out.pop("alpha"))
    if legacy_name == "CuDNNGRU":
        out.setdefault("reset_after", True)
    if name == "Conv2DTranspose" and legacy_name == "Deconvolution2D":
        out.pop("output_shape", None)  # Keras 1 made you restate it; Keras 3 derives it
    if name == "InputLayer" and "batch_input_shape" in out:
        out.setdefault("batch_shape", out.pop("batch_input_shape"))
    _input_dim(name, out)
    for key in ("layer", "backward_layer"):
        inner = out.get(key)
        if isinstance(inner, dict) and isinstance(inner.get("class_name"), str):
            inner_name, inner_config = normalize(inner["class_name"], inner.get("config") or {})
            out[key] = {**inner, "class_name": inner_name, "config": inner_config}
    return name, out


def _kernel_size(out: Config) -> None:
    """nb_row/nb_col, filter_length or kernel_dim1..3 -> kernel_size."""
    if "kernel_size" in out:
        for key in (
            "nb_row",
            "nb_col",
            "filter_length",
            "kernel_dim1",
            "kernel_dim2",
            "kernel_dim3",
        ):
            out.pop(key, None)
        return
    if "filter_length" in out:
        out["kernel_size"] = out.pop("filter_length")
    elif "kernel_dim1" in out:
        dims = [out.pop(f"kernel_dim{i}", None) for i in (1, 2, 3)]
        out["kernel_size"] = dims[0] if isinstance(dims[0], (tuple, list)) else tuple(dims)
    elif "nb_row" in out:
        row = out.pop("nb_row")
        col = out.pop("nb_col", None)
        # Keras 2 code such as Convolution2D(32, (3, 3)) binds the tuple to nb_row.
        out["kernel_size"] = row if col is None else (row, col)


def _input_dim(name: str, out: Config) -> None:
    """Keras 1/2 `input_dim`/`input_length` shortcuts -> `input_shape`."""
    if "input_shape" in out or "batch_input_shape" in out or "batch_shape" in out:
        if name != "Embedding":
            out.pop("input_length", None)
        return
    if name == "Embedding":
        if "input_length" in out:
            length = out.pop("input_length")
            out["input_shape"] = (length,)
        return
    if "input_dim" in out:
        dim = out.pop("input_dim")
        length = out.pop("input_length", None)
        if name in _RNN_NAMES or length is not None:
            out["input_shape"] = (length, dim)
        else:
            out["input_shape"] = (dim,)


def positional_names(class_name: str, keras1: bool = True) -> tuple[str, ...]:
    """Names to bind positional constructor arguments to, in order.

    In Keras 1 code (`keras1`), legacy spellings use their Keras 1 order
    (`Convolution2D(32, 3, 3)` -> nb_filter, nb_row, nb_col), so feed the bound kwargs to
    `normalize` afterwards; otherwise (tf.keras, Keras 2/3, where `Convolution2D` is an alias
    of `Conv2D`) every name uses the Keras 3 signature: filters, kernel_size, strides.
    """
    if keras1 and class_name in LEGACY_POSITIONAL:
        return LEGACY_POSITIONAL[class_name]
    spec = lookup(CLASS_RENAMES.get(class_name, class_name))
    return spec.positional if spec is not None else ()


def _dims(value: object) -> tuple[int | None, ...] | None:
    if isinstance(value, (list, tuple)):
        return tuple(v if isinstance(v, int) and not isinstance(v, bool) else None for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    return None


def declared_input_shape(config: Config, class_name: str | None = None) -> Shape | None:
    """The full batch shape a layer or InputLayer declares, or None if it declares none.

    Reads Keras 3 `batch_shape`/`shape`, Keras 2 `batch_input_shape`/`input_shape` (plus
    `batch_size`), and, given `class_name`, the Keras 1 `input_dim`/`input_length` shortcuts.
    """
    for key in ("batch_shape", "batch_input_shape"):
        if config.get(key) is not None:
            return _dims(config[key])
    batch = config.get("batch_size")
    batch = batch if isinstance(batch, int) and not isinstance(batch, bool) else None
    for key in ("shape", "input_shape"):
        if config.get(key) is not None:
            dims = _dims(config[key])
            return None if dims is None else (batch, *dims)
    if class_name is not None and ("input_dim" in config or "input_length" in config):
        _, normalized = normalize(class_name, config)
        if normalized.get("input_shape") is not None:
            dims = _dims(normalized["input_shape"])
            return None if dims is None else (batch, *dims)
    return None


# Keras 1's `merge(inputs, mode=...)` function -> the Keras 2+ merge layer it became.
_MERGE_MODES = {
    "sum": "Add",
    "mul": "Multiply",
    "ave": "Average",
    "max": "Maximum",
    "concat": "Concatenate",
    "dot": "Dot",
}


def keras1_merge(kwargs: Config) -> tuple[str, list[Any], Config] | None:
    """The merge layer (class name, positional arguments, keywords) a Keras 1
    `merge(..., mode="concat", concat_axis=1)` call builds, or None for a mode Keras 2
    has no layer for (`cos`, a callable) or one the code does not state literally."""
    mode = kwargs.get("mode", "sum")  # Keras 1's default
    if not isinstance(mode, str) or mode not in _MERGE_MODES:
        return None
    config: Config = {}
    if mode == "concat":
        config["axis"] = kwargs.get("concat_axis", -1)
    if mode == "dot":
        config["axes"] = kwargs.get("dot_axes", -1)
    if "name" in kwargs:
        config["name"] = kwargs["name"]
    return _MERGE_MODES[mode], [], config
