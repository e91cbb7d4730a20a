"""Pure-Python arithmetic and legacy normalisation (no Keras needed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kerasfix.graph.model import ShapeError, Unknown
from kerasfix.layers.arithmetic import (
    as_int,
    conv_output_length,
    deconv_output_length,
    normalize_tuple,
)
from kerasfix.layers.legacy import declared_input_shape, normalize, positional_names
from kerasfix.layers.registry import Role, canonical_name, lookup


def test_as_int_rejects_non_ints() -> None:
    assert as_int(3) == 3
    assert as_int(True) is None
    assert as_int(3.0) is None
    assert as_int(Unknown("x")) is None
    assert as_int(None) is None


def test_normalize_tuple() -> None:
    assert normalize_tuple(3, 2) == (3, 3)
    assert normalize_tuple([2, 4], 2) == (2, 4)
    assert normalize_tuple((2, Unknown()), 2) == (2, None)
    assert normalize_tuple(Unknown(), 3) == (None, None, None)
    with pytest.raises(ShapeError):
        normalize_tuple((1, 2, 3), 2)


@pytest.mark.parametrize(
    ("length", "kernel", "padding", "stride", "dilation", "expected"),
    [
        (28, 3, "valid", 1, 1, 26),
        (28, 3, "same", 2, 1, 14),
        (27, 3, "same", 2, 1, 14),
        (27, 3, "valid", 2, 1, 13),
        (10, 3, "causal", 1, 4, 10),
        (10, 3, "valid", 1, 4, 2),
        (10, 3, "full", 1, 1, 12),
        (None, 3, "valid", 1, 1, None),
        (10, None, "valid", 1, 1, None),
    ],
)
def test_conv_output_length(
    length: int | None,
    kernel: int | None,
    padding: str,
    stride: int,
    dilation: int,
    expected: int | None,
) -> None:
    assert conv_output_length(length, kernel, padding, stride, dilation) == expected


def test_conv_output_length_rejects_too_small_inputs() -> None:
    with pytest.raises(ShapeError):
        conv_output_length(2, 3, "valid", 1)


@given(
    length=st.integers(1, 500),
    kernel=st.integers(1, 9),
    stride=st.integers(1, 5),
)
def test_same_padding_is_ceil_division(length: int, kernel: int, stride: int) -> None:
    assert conv_output_length(length, kernel, "same", stride) == -(-length // stride)


@given(length=st.integers(1, 200), kernel=st.integers(1, 7), stride=st.integers(1, 4))
def test_transpose_same_inverts_stride(length: int, kernel: int, stride: int) -> None:
    assert deconv_output_length(length, kernel, "same", stride) == length * stride


def test_normalize_keras1_conv() -> None:
    name, config = normalize(
        "Convolution2D",
        {"nb_filter": 32, "nb_row": 3, "nb_col": 3, "border_mode": "same", "dim_ordering": "th"},
    )
    assert name == "Conv2D"
    assert config == {
        "filters": 32,
        "kernel_size": (3, 3),
        "padding": "same",
        "data_format": "channels_first",
    }


def test_normalize_keeps_unknowns_and_modern_keys() -> None:
    unknown = Unknown("parameter n")
    name, config = normalize("Dense", {"units": unknown, "activation": "relu"})
    assert name == "Dense"
    assert config["units"] is unknown


def test_normalize_input_dim_shortcuts() -> None:
    assert normalize("Dense", {"output_dim": 4, "input_dim": 784})[1] == {
        "units": 4,
        "input_shape": (784,),
    }
    assert normalize("LSTM", {"output_dim": 4, "input_dim": 8, "input_length": 10})[1] == {
        "units": 4,
        "input_shape": (10, 8),
    }
    _, emb = normalize("Embedding", {"input_dim": 1000, "output_dim": 8, "input_length": 20})
    assert emb == {"input_dim": 1000, "output_dim": 8, "input_shape": (20,)}


def test_normalize_wrapped_layers() -> None:
    name, config = normalize(
        "TimeDistributed",
        {
            "layer": {
                "class_name": "Convolution2D",
                "config": {"nb_filter": 4, "nb_row": 3, "nb_col": 3},
            }
        },
    )
    assert name == "TimeDistributed"
    assert config["layer"]["class_name"] == "Conv2D"
    assert config["layer"]["config"]["kernel_size"] == (3, 3)


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("MaxPool2D", "MaxPooling2D"),
        ("AvgPool2D", "AveragePooling2D"),
        ("GlobalAvgPool2D", "GlobalAveragePooling2D"),
        ("GlobalMaxPool1D", "GlobalMaxPooling1D"),
        ("Convolution2DTranspose", "Conv2DTranspose"),
        ("SeparableConvolution2D", "SeparableConv2D"),
        ("Deconvolution2D", "Conv2DTranspose"),
        ("AtrousConvolution2D", "Conv2D"),
        ("Input", "InputLayer"),
    ],
)
def test_aliases(alias: str, canonical: str) -> None:
    assert normalize(alias, {})[0] == canonical
    assert lookup(canonical) is not None


def test_canonical_name_of_tf_keras_alias() -> None:
    assert canonical_name("MaxPool1D") == "MaxPooling1D"


def test_positional_names() -> None:
    assert positional_names("Convolution2D") == ("nb_filter", "nb_row", "nb_col")
    assert positional_names("Conv2D")[:3] == ("filters", "kernel_size", "strides")
    assert positional_names("Dense")[:2] == ("units", "activation")
    assert positional_names("MaxPooling2D") == ("pool_size", "strides", "padding", "data_format")
    assert positional_names("MaxPool2D") == positional_names("MaxPooling2D")
    assert positional_names("Reshape") == ("target_shape",)
    assert positional_names("Embedding")[:2] == ("input_dim", "output_dim")
    assert positional_names("NotALayer") == ()


def test_declared_input_shape() -> None:
    assert declared_input_shape({"batch_shape": (None, 28, 28, 1)}) == (None, 28, 28, 1)
    assert declared_input_shape({"batch_input_shape": [8, 10]}) == (8, 10)
    assert declared_input_shape({"shape": (3,), "batch_size": 4}) == (4, 3)
    assert declared_input_shape({"input_shape": (32, Unknown(), 3)}) == (None, 32, None, 3)
    assert declared_input_shape({"input_shape": Unknown()}) is None
    assert declared_input_shape({"units": 3}) is None
    assert declared_input_shape({"input_dim": 784, "units": 3}, "Dense") == (None, 784)


def test_roles() -> None:
    assert lookup("Conv2D").role is Role.SPATIAL  # type: ignore[union-attr]
    assert lookup("ConvLSTM2D").role is Role.SPATIAL  # type: ignore[union-attr]
    assert lookup("Rescaling").role is Role.PRESERVING  # type: ignore[union-attr]
    assert lookup("Resizing").role is Role.PRESERVING  # type: ignore[union-attr]
    assert lookup("Add").role is Role.MERGE  # type: ignore[union-attr]
    assert lookup("GlobalAveragePooling2D").role is Role.OTHER  # type: ignore[union-attr]
    assert lookup("ResNet50").role is Role.SPATIAL  # type: ignore[union-attr]
    assert lookup("Lambda") is None
    td = lookup("TimeDistributed")
    assert td is not None
    conv = {"layer": {"class_name": "Conv2D", "config": {"filters": 1, "kernel_size": 1}}}
    dense = {"layer": {"class_name": "Dense", "config": {"units": 1}}}
    assert td.role_for(conv) is Role.SPATIAL
    assert td.role_for(dense) is Role.OTHER


def test_unknown_values_give_unknown_dims_not_errors() -> None:
    conv = lookup("Conv2D")
    assert conv is not None
    config = {"filters": Unknown("n"), "kernel_size": 3}
    assert conv.output_shape(config, [(None, 28, 28, 1)]) == (None, 26, 26, None)
    assert conv.params(config, [(None, 28, 28, 1)]) is None
    assert conv.output_shape({"filters": 4, "kernel_size": Unknown()}, [(None, 28, 28, 1)]) == (
        None,
        None,
        None,
        4,
    )
    assert conv.output_shape({"filters": 4, "kernel_size": 3}, [None]) is None
    dense = lookup("Dense")
    assert dense is not None
    assert dense.params({"units": 3}, [(None, None)]) is None


def test_backbone_defaults() -> None:
    spec = lookup("ResNet50")
    assert spec is not None
    assert spec.output_shape({"include_top": False}, []) == (None, None, None, 2048)
    assert spec.output_shape({"include_top": False, "input_shape": (224, 224, 3)}, []) == (
        None,
        7,
        7,
        2048,
    )
    assert spec.output_shape({"include_top": False, "pooling": "avg"}, []) == (None, 2048)
    inception = lookup("InceptionV3")
    assert inception is not None
    assert inception.output_shape({"include_top": False, "input_shape": (299, 299, 3)}, []) == (
        None,
        8,
        8,
        2048,
    )
