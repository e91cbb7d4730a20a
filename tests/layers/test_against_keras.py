"""Every family's shape and parameter arithmetic against real Keras layers.

Each case builds the Keras layer on `keras.Input(batch_shape=...)` and compares
`output.shape` and `count_params()` with kerasfix's spec, fed both the hand-written
kwargs (what the source frontend sees) and `layer.get_config()` (what saved models hold).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.layers.kerasutil import assert_matches, assert_rejected

pytestmark = pytest.mark.keras

Case = tuple[str, dict[str, Any], tuple]


def _ids(cases: list) -> list[str]:
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


def conv_cases() -> list[Case]:
    cases: list[Case] = []
    spatial = {1: (None, 17, 5), 2: (2, 15, 12, 3), 3: (None, 9, 8, 7, 2)}
    for rank, shape in spatial.items():
        for padding, strides, dilation, kernel in itertools.product(
            ("valid", "same"), (1, 2, 3), (1, 2), (1, 3)
        ):
            if strides > 1 and dilation > 1:
                continue
            for use_bias in (True, False):
                kwargs = {
                    "filters": 4,
                    "kernel_size": kernel,
                    "strides": strides,
                    "padding": padding,
                    "dilation_rate": dilation,
                    "use_bias": use_bias,
                }
                cases.append((f"Conv{rank}D", kwargs, shape))
        cf_shape = (shape[0], shape[-1], *shape[1:-1])
        cases.append(
            (
                f"Conv{rank}D",
                {"filters": 6, "kernel_size": 2, "strides": 2, "data_format": "channels_first"},
                cf_shape,
            )
        )
    cases.append(("Conv1D", {"filters": 3, "kernel_size": 4, "padding": "causal"}, (None, 11, 2)))
    cases.append(
        (
            "Conv1D",
            {"filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 4},
            (None, 11, 2),
        )
    )
    cases.append(("Conv2D", {"filters": 8, "kernel_size": (3, 1), "groups": 2}, (None, 7, 9, 4)))
    cases.append(("Conv2D", {"filters": 6, "kernel_size": (2, 5), "strides": (1, 3)}, (1, 7, 9, 4)))
    cases.append(("Conv3D", {"filters": 4, "kernel_size": 2, "groups": 2}, (None, 5, 5, 5, 2)))
    for rank, shape in ((1, (None, 13, 3)), (2, (None, 13, 10, 3))):
        for kind in ("SeparableConv", "DepthwiseConv"):
            for padding, strides, multiplier in itertools.product(
                ("valid", "same"), (1, 2), (1, 3)
            ):
                kwargs: dict[str, Any] = {
                    "kernel_size": 3,
                    "strides": strides,
                    "padding": padding,
                    "depth_multiplier": multiplier,
                }
                if kind == "SeparableConv":
                    kwargs["filters"] = 5
                cases.append((f"{kind}{rank}D", kwargs, shape))
            cases.append(
                (
                    f"{kind}{rank}D",
                    {
                        "kernel_size": 2,
                        "dilation_rate": 2,
                        "use_bias": False,
                        "data_format": "channels_first",
                        **({"filters": 2} if kind == "SeparableConv" else {}),
                    },
                    (None, shape[-1], *shape[1:-1]),
                )
            )
    for rank, shape in spatial.items():
        for padding, strides, kernel, out_pad in itertools.product(
            ("valid", "same"), (1, 2, 3), (1, 3, 4), (None, 0, 1)
        ):
            if out_pad is not None and out_pad >= strides:
                continue
            kwargs = {
                "filters": 3,
                "kernel_size": kernel,
                "strides": strides,
                "padding": padding,
                "output_padding": out_pad,
            }
            cases.append((f"Conv{rank}DTranspose", kwargs, shape))
    cases.append(
        (
            "Conv2DTranspose",
            {"filters": 3, "kernel_size": 3, "dilation_rate": 2, "data_format": "channels_first"},
            (None, 3, 6, 7),
        )
    )
    return cases


def pooling_cases() -> list[Case]:
    cases: list[Case] = []
    spatial = {1: (None, 17, 5), 2: (3, 15, 12, 3), 3: (None, 9, 8, 7, 2)}
    for rank, shape in spatial.items():
        cf_shape = (shape[0], shape[-1], *shape[1:-1])
        for kind in ("Max", "Average"):
            for pool, strides, padding in itertools.product(
                (None, 2, 3), (None, 1, 2, 3), ("valid", "same")
            ):
                if pool is None and kind == "Average":
                    continue  # AveragePooling has no default pool_size
                kwargs: dict[str, Any] = {"padding": padding}
                if pool is not None:
                    kwargs["pool_size"] = pool
                if strides is not None:
                    kwargs["strides"] = strides
                cases.append((f"{kind}Pooling{rank}D", kwargs, shape))
            cases.append(
                (
                    f"{kind}Pooling{rank}D",
                    {"pool_size": 2, "data_format": "channels_first"},
                    cf_shape,
                )
            )
            for keepdims, data_format in itertools.product(
                (False, True), ("channels_last", "channels_first")
            ):
                cases.append(
                    (
                        f"Global{kind}Pooling{rank}D",
                        {"keepdims": keepdims, "data_format": data_format},
                        cf_shape if data_format == "channels_first" else shape,
                    )
                )
    cases.append(("MaxPooling2D", {"pool_size": (3, 2), "strides": (2, 1)}, (None, 9, 9, 1)))
    cases.append(("MaxPooling2D", {}, (None, None, 9, 1)))
    return cases


def reshaping_cases() -> list[Case]:
    cases: list[Case] = [
        ("Flatten", {}, (None, 7, 7, 64)),
        ("Flatten", {"data_format": "channels_first"}, (2, 64, 7, 7)),
        ("Flatten", {}, (None, 5)),
        ("Flatten", {}, (None, None, 3)),
        ("Reshape", {"target_shape": (7, 7, 4)}, (None, 196)),
        ("Reshape", {"target_shape": (-1, 4)}, (None, 196)),
        ("Reshape", {"target_shape": (7, -1)}, (None, 14, 14)),
        ("Reshape", {"target_shape": (-1,)}, (None, 3, None)),
        ("Reshape", {"target_shape": [2, 3]}, (None, 6)),
        ("Permute", {"dims": (2, 1)}, (None, 5, 7)),
        ("Permute", {"dims": (3, 1, 2)}, (None, 5, 7, 2)),
        ("RepeatVector", {"n": 4}, (None, 9)),
    ]
    for rank, shape in ((1, (None, 10, 3)), (2, (None, 9, 8, 3)), (3, (None, 7, 6, 5, 2))):
        cf = () if rank == 1 else ("channels_last", "channels_first")
        pads: list[Any] = [1, 2]
        crops: list[Any] = [1]
        if rank == 1:
            pads.append((2, 3))
            crops.append((2, 3))
        elif rank == 2:
            pads += [(1, 2), ((1, 2), (0, 3))]
            crops += [(1, 2), ((1, 2), (0, 3))]
        else:
            pads += [(1, 2, 3), ((1, 2), (0, 3), (2, 0))]
            crops += [(1, 2, 0), ((1, 2), (0, 3), (2, 0))]
        for data_format in cf or (None,):
            in_shape = shape if data_format != "channels_first" else (None, shape[-1], *shape[1:-1])
            extra = {} if data_format is None else {"data_format": data_format}
            for pad in pads:
                cases.append((f"ZeroPadding{rank}D", {"padding": pad, **extra}, in_shape))
            for crop in crops:
                cases.append((f"Cropping{rank}D", {"cropping": crop, **extra}, in_shape))
            cases.append((f"Cropping{rank}D", {**extra}, in_shape))
            cases.append((f"ZeroPadding{rank}D", {**extra}, in_shape))
            for size in (2, 3):
                cases.append((f"UpSampling{rank}D", {"size": size, **extra}, in_shape))
            cases.append((f"UpSampling{rank}D", {**extra}, in_shape))
    cases.append(("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, (None, 4, 5, 1)))
    # Keras 3's ZeroPadding1D (alone of the 1D family) takes a data_format.
    for pad in (1, (2, 3)):
        cases.append(
            ("ZeroPadding1D", {"padding": pad, "data_format": "channels_first"}, (None, 3, 10))
        )
    return cases


def rnn_cases() -> list[Case]:
    cases: list[Case] = []
    for kind, sequences, use_bias, shape in itertools.product(
        ("SimpleRNN", "LSTM", "GRU"), (False, True), (True, False), ((None, 7, 5), (2, None, 3))
    ):
        cases.append(
            (kind, {"units": 6, "return_sequences": sequences, "use_bias": use_bias}, shape)
        )
    cases.append(("GRU", {"units": 4, "reset_after": False}, (None, 7, 5)))
    cases.append(("GRU", {"units": 4, "reset_after": False, "use_bias": False}, (None, 7, 5)))
    for rank, step in ((1, (9, 3)), (2, (8, 7, 3)), (3, (6, 5, 4, 2))):
        for sequences, padding, strides in itertools.product(
            (False, True), ("valid", "same"), (1, 2)
        ):
            kwargs = {
                "filters": 4,
                "kernel_size": 3,
                "return_sequences": sequences,
                "padding": padding,
                "strides": strides,
            }
            cases.append((f"ConvLSTM{rank}D", kwargs, (None, 5, *step)))
        cases.append(
            (
                f"ConvLSTM{rank}D",
                {"filters": 2, "kernel_size": 2, "data_format": "channels_first"},
                (None, 4, step[-1], *step[:-1]),
            )
        )
    return cases


def misc_cases() -> list[Case]:
    cases: list[Case] = [
        ("Dense", {"units": 10}, (None, 20)),
        ("Dense", {"units": 10, "use_bias": False}, (None, 20)),
        ("Dense", {"units": 3}, (None, 5, 7)),
        ("Dense", {"units": 3}, (2, 4, 5, 7)),
        ("Embedding", {"input_dim": 100, "output_dim": 8}, (None, 12)),
        ("Embedding", {"input_dim": 50, "output_dim": 4}, (None, None)),
        ("Activation", {"activation": "relu"}, (None, 4, 4)),
        ("Identity", {}, (None, 3)),
        ("Masking", {"mask_value": 0.0}, (None, 5, 2)),
        ("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 16, "bias_axes": "c"}, (None, 8)),
        ("EinsumDense", {"equation": "abc,cd->abd", "output_shape": (None, 6)}, (None, 5, 3)),
        (
            "EinsumDense",
            {"equation": "abc,cde->abde", "output_shape": (5, 2, 4), "bias_axes": "de"},
            (None, 5, 3),
        ),
        ("BatchNormalization", {}, (None, 8, 8, 16)),
        ("BatchNormalization", {"axis": 1}, (None, 16, 8, 8)),
        ("BatchNormalization", {"center": False, "scale": False}, (None, 5)),
        ("LayerNormalization", {}, (None, 6, 10)),
        ("LayerNormalization", {"axis": [1, 2]}, (None, 6, 10)),
        ("LayerNormalization", {"center": False}, (None, 6, 10)),
        ("GroupNormalization", {"groups": 4}, (None, 5, 5, 8)),
        ("GroupNormalization", {"groups": 2, "axis": 1, "scale": False}, (None, 8, 5)),
        ("UnitNormalization", {}, (None, 7)),
        ("PReLU", {}, (None, 4, 4, 3)),
        ("PReLU", {"shared_axes": [1, 2]}, (None, 4, 4, 3)),
        ("ReLU", {"max_value": 6.0}, (None, 3)),
        ("LeakyReLU", {"negative_slope": 0.2}, (None, 3)),
        ("ELU", {}, (None, 3)),
        ("Softmax", {}, (None, 3)),
        ("Dropout", {"rate": 0.5}, (None, 4, 4)),
        ("SpatialDropout1D", {"rate": 0.5}, (None, 4, 4)),
        ("SpatialDropout2D", {"rate": 0.5}, (None, 4, 4, 2)),
        ("SpatialDropout3D", {"rate": 0.5}, (None, 4, 4, 2, 2)),
        ("GaussianNoise", {"stddev": 0.1}, (None, 3)),
        ("GaussianDropout", {"rate": 0.1}, (None, 3)),
        ("AlphaDropout", {"rate": 0.1}, (None, 3)),
        ("ActivityRegularization", {"l1": 0.01}, (None, 3)),
        ("Rescaling", {"scale": 1 / 255}, (None, 32, 32, 3)),
        ("Resizing", {"height": 20, "width": 24}, (None, 32, 32, 3)),
        ("Resizing", {"height": 20, "width": 24, "data_format": "channels_first"}, (4, 3, 9, 9)),
        ("CenterCrop", {"height": 20, "width": 24}, (None, 32, 32, 3)),
        ("RandomCrop", {"height": 20, "width": 24}, (None, 32, 32, 3)),
        ("Normalization", {}, (None, 32, 32, 3)),
        ("Normalization", {"axis": None}, (None, 32, 3)),
        ("Normalization", {"axis": (1, 2)}, (None, 4, 5, 3)),
        ("Normalization", {"mean": 0.5, "variance": 2.0}, (None, 32, 3)),
        ("RandomFlip", {}, (None, 32, 32, 3)),
        ("RandomRotation", {"factor": 0.1}, (None, 32, 32, 3)),
        ("RandomZoom", {"height_factor": 0.1}, (None, 32, 32, 3)),
        ("RandomContrast", {"factor": 0.1}, (None, 32, 32, 3)),
        ("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.1}, (None, 32, 32, 3)),
        ("RandomBrightness", {"factor": 0.1}, (None, 32, 32, 3)),
    ]
    return cases


ALL = conv_cases() + pooling_cases() + reshaping_cases() + rnn_cases() + misc_cases()


@pytest.mark.parametrize(("class_name", "kwargs", "shape"), ALL, ids=_ids(ALL))
def test_layer_matches_keras(class_name: str, kwargs: dict[str, Any], shape: tuple) -> None:
    assert_matches(class_name, kwargs, shape)


BIDIRECTIONAL = [
    (mode, kind, sequences)
    for mode in ("concat", "sum", "mul", "ave", None)
    for kind in ("LSTM", "GRU", "SimpleRNN")
    for sequences in (False, True)
]


@pytest.mark.parametrize(("mode", "kind", "sequences"), BIDIRECTIONAL)
def test_bidirectional(mode: str | None, kind: str, sequences: bool) -> None:
    import keras

    inner = getattr(keras.layers, kind)(5, return_sequences=sequences)
    hand = {
        "layer": {"class_name": kind, "config": {"units": 5, "return_sequences": sequences}},
        "merge_mode": mode,
    }
    assert_matches("Bidirectional", {"layer": inner, "merge_mode": mode}, (None, 6, 3), config=hand)


def test_bidirectional_conv_lstm_and_backward_layer() -> None:
    import keras

    inner = keras.layers.ConvLSTM2D(3, 3, return_sequences=True)
    hand = {
        "layer": {
            "class_name": "ConvLSTM2D",
            "config": {"filters": 3, "kernel_size": 3, "return_sequences": True},
        }
    }
    assert_matches("Bidirectional", {"layer": inner}, (None, 4, 9, 9, 2), config=hand)
    forward = keras.layers.LSTM(4)
    backward = keras.layers.LSTM(4, go_backwards=True, use_bias=False)
    hand = {
        "layer": {"class_name": "LSTM", "config": {"units": 4}},
        "backward_layer": {
            "class_name": "LSTM",
            "config": {"units": 4, "go_backwards": True, "use_bias": False},
        },
    }
    assert_matches(
        "Bidirectional",
        {"layer": forward, "backward_layer": backward},
        (None, 5, 3),
        config=hand,
    )


TIME_DISTRIBUTED = [
    ("Dense", {"units": 7}, (None, 5, 3)),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2}, (None, 5, 16, 15, 3)),
    ("MaxPooling2D", {}, (2, 4, 8, 8, 3)),
    ("Flatten", {}, (None, 5, 4, 4, 2)),
    ("BatchNormalization", {}, (None, 5, 4)),
]


@pytest.mark.parametrize(("inner", "kwargs", "shape"), TIME_DISTRIBUTED)
def test_time_distributed(inner: str, kwargs: dict[str, Any], shape: tuple) -> None:
    import keras

    layer = getattr(keras.layers, inner)(**kwargs)
    hand = {"layer": {"class_name": inner, "config": kwargs}}
    assert_matches("TimeDistributed", {"layer": layer}, shape, config=hand)


MERGE_CASES = [
    ("Add", {}, [(None, 4, 5), (None, 4, 5)]),
    ("Add", {}, [(None, 4, 5), (None, 4, 5), (None, 4, 5)]),
    ("Add", {}, [(None, 4, 5), (None, 1, 5)]),
    ("Subtract", {}, [(None, 3), (None, 3)]),
    ("Multiply", {}, [(None, 4, 5), (None, 4, 1)]),
    ("Average", {}, [(None, 8), (None, 8)]),
    ("Maximum", {}, [(2, 8), (2, 8)]),
    ("Minimum", {}, [(None, 8), (None, 8)]),
    ("Concatenate", {}, [(None, 4, 5), (None, 4, 7)]),
    ("Concatenate", {"axis": 1}, [(None, 4, 5), (None, 2, 5), (None, 1, 5)]),
    ("Concatenate", {"axis": -2}, [(None, 4, 5), (None, None, 5)]),
    ("Dot", {"axes": 1}, [(None, 4), (None, 4)]),
    ("Dot", {"axes": (2, 2)}, [(None, 3, 4), (None, 5, 4)]),
    ("Dot", {"axes": (1, 2)}, [(None, 3, 4), (None, 5, 3)]),
]


@pytest.mark.parametrize(("class_name", "kwargs", "shapes"), MERGE_CASES)
def test_merge(class_name: str, kwargs: dict[str, Any], shapes: list[tuple]) -> None:
    assert_matches(class_name, kwargs, *shapes)


LEGACY_CASES = [
    (
        ("Convolution2D", {"nb_filter": 32, "nb_row": 3, "nb_col": 5, "border_mode": "same"}),
        ("Conv2D", {"filters": 32, "kernel_size": (3, 5), "padding": "same"}),
        (None, 28, 28, 1),
    ),
    (
        ("Convolution2D", {"nb_filter": 8, "nb_row": 3, "nb_col": 3, "subsample": (2, 2)}),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "strides": 2}),
        (None, 28, 27, 1),
    ),
    (
        (
            "Convolution2D",
            {"nb_filter": 8, "nb_row": 3, "nb_col": 3, "dim_ordering": "th"},
        ),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "data_format": "channels_first"}),
        (None, 3, 20, 20),
    ),
    (
        ("Convolution2D", {"nb_filter": 8, "nb_row": (3, 3), "dim_ordering": "tf"}),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "data_format": "channels_last"}),
        (None, 20, 20, 3),
    ),
    (
        (
            "Convolution1D",
            {"nb_filter": 4, "filter_length": 5, "subsample_length": 2, "border_mode": "valid"},
        ),
        ("Conv1D", {"filters": 4, "kernel_size": 5, "strides": 2}),
        (None, 30, 6),
    ),
    (
        ("AtrousConvolution1D", {"nb_filter": 4, "filter_length": 3, "atrous_rate": 2}),
        ("Conv1D", {"filters": 4, "kernel_size": 3, "dilation_rate": 2}),
        (None, 30, 6),
    ),
    (
        ("AtrousConvolution2D", {"nb_filter": 4, "nb_row": 3, "nb_col": 3, "atrous_rate": (2, 2)}),
        ("Conv2D", {"filters": 4, "kernel_size": 3, "dilation_rate": 2}),
        (None, 17, 17, 6),
    ),
    (
        (
            "Convolution3D",
            {"nb_filter": 4, "kernel_dim1": 2, "kernel_dim2": 3, "kernel_dim3": 1},
        ),
        ("Conv3D", {"filters": 4, "kernel_size": (2, 3, 1)}),
        (None, 8, 8, 8, 2),
    ),
    (
        (
            "Deconvolution2D",
            {
                "nb_filter": 4,
                "nb_row": 3,
                "nb_col": 3,
                "output_shape": (None, 14, 14, 4),
                "subsample": (2, 2),
                "border_mode": "same",
            },
        ),
        ("Conv2DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}),
        (None, 7, 7, 3),
    ),
    (
        ("SeparableConvolution2D", {"nb_filter": 4, "nb_row": 3, "nb_col": 3}),
        ("SeparableConv2D", {"filters": 4, "kernel_size": 3}),
        (None, 9, 9, 3),
    ),
    (
        ("MaxPooling1D", {"pool_length": 3, "stride": 2, "border_mode": "same"}),
        ("MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}),
        (None, 11, 2),
    ),
    (
        ("AveragePooling2D", {"pool_size": (2, 2), "dim_ordering": "th"}),
        ("AveragePooling2D", {"pool_size": 2, "data_format": "channels_first"}),
        (None, 3, 9, 9),
    ),
    (("MaxPool2D", {"pool_size": 3}), ("MaxPooling2D", {"pool_size": 3}), (None, 9, 9, 1)),
    (("AvgPool1D", {"pool_size": 2}), ("AveragePooling1D", {"pool_size": 2}), (None, 9, 1)),
    (("GlobalAvgPool2D", {}), ("GlobalAveragePooling2D", {}), (None, 9, 9, 4)),
    (("GlobalMaxPool1D", {}), ("GlobalMaxPooling1D", {}), (None, 9, 4)),
    (("Dense", {"output_dim": 12}), ("Dense", {"units": 12}), (None, 7)),
    (
        ("LSTM", {"output_dim": 12, "return_sequences": True, "inner_activation": "sigmoid"}),
        ("LSTM", {"units": 12, "return_sequences": True}),
        (None, 5, 7),
    ),
    (("CuDNNGRU", {"units": 6}), ("GRU", {"units": 6}), (None, 5, 7)),
    (("Dropout", {"p": 0.5}), ("Dropout", {"rate": 0.5}), (None, 7)),
    (("UpSampling1D", {"length": 3}), ("UpSampling1D", {"size": 3}), (None, 5, 7)),
    (
        ("Embedding", {"input_dim": 40, "output_dim": 5, "input_length": 9}),
        ("Embedding", {"input_dim": 40, "output_dim": 5}),
        (None, 9),
    ),
]


@pytest.mark.parametrize(("legacy", "modern", "shape"), LEGACY_CASES)
def test_legacy_spelling_matches_modern_keras(
    legacy: tuple[str, dict[str, Any]], modern: tuple[str, dict[str, Any]], shape: tuple
) -> None:
    assert_matches(modern[0], modern[1], shape, legacy=legacy)


REJECTED = [
    ("Conv2D", {"filters": 4, "kernel_size": 5}, (None, 3, 3, 1)),
    ("Conv2D", {"filters": 4, "kernel_size": 3}, (None, 9, 1)),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, (None, 9, 9, 1)),
    ("Conv2D", {"filters": 5, "kernel_size": 3, "groups": 2}, (None, 9, 9, 4)),
    ("MaxPooling2D", {"pool_size": 4}, (None, 3, 9, 1)),
    ("Cropping1D", {"cropping": (3, 3)}, (None, 6, 1)),
    ("Reshape", {"target_shape": (5, -1)}, (None, 12)),
    ("Reshape", {"target_shape": (5, 3)}, (None, 12)),
    ("LSTM", {"units": 4}, (None, 12)),
    ("GroupNormalization", {"groups": 3}, (None, 8)),
]


@pytest.mark.parametrize(("class_name", "kwargs", "shape"), REJECTED, ids=_ids(REJECTED))
def test_rejected_like_keras(class_name: str, kwargs: dict[str, Any], shape: tuple) -> None:
    assert_rejected(class_name, kwargs, shape)
