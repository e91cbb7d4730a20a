"""`keras.applications` backbones as single layers.

Output sizes come from each architecture's list of downsampling steps, run through the
shared `conv_output_length` (so odd input sizes round exactly as Keras does). Parameter
counts come from `applications_table.py`, measured from real Keras by
`gen_applications_table.py` and re-checked against Keras by the test suite.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kerasfix.graph.model import Dim, Shape, ShapeError
from kerasfix.layers.applications_table import TABLE
from kerasfix.layers.arithmetic import as_float, as_int, conv_output_length, first, flag
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]

# One step: (kernel, stride, padding, pad_before, pad_after) applied to each spatial axis.
Step = tuple[int, int, str, int, int]


def _s(kernel: int, stride: int, padding: str = "valid", before: int = 0, after: int = 0) -> Step:
    return (kernel, stride, padding, before, after)


HALVE_SAME = _s(3, 2, "same")
# imagenet_utils.correct_pad + a valid stride-2 conv: rounds up when the backbone was built
# for a known size, but pads ((0, 1), (0, 1)) (rounds down) when built with unknown size.
CORRECT_PAD = _s(3, 2, "correct_pad")
VGG = [_s(2, 2)] * 5
RESNET = [_s(7, 2, "valid", 3, 3), _s(3, 2, "valid", 1, 1), *[_s(1, 2)] * 3]
MOBILENET = [_s(3, 2, "same"), *[_s(3, 2, "valid", 0, 1)] * 4]
FIVE_HALVINGS = [HALVE_SAME] * 5
MOBILENET_V2 = [HALVE_SAME, *[CORRECT_PAD] * 4]
EFFICIENTNET = [CORRECT_PAD] * 5
XCEPTION = [_s(3, 2), _s(3, 1), *[HALVE_SAME] * 4]
INCEPTION = [_s(3, 2), _s(3, 1), _s(3, 2), _s(3, 1), _s(3, 2), _s(3, 2), _s(3, 2)]
DENSENET = [_s(7, 2, "valid", 3, 3), _s(3, 2, "valid", 1, 1), *[_s(2, 2)] * 3]
NASNET = [_s(3, 2), *[CORRECT_PAD] * 4]
CONVNEXT = [_s(4, 4), *[_s(2, 2)] * 3]


@dataclass(frozen=True)
class Architecture:
    steps: list[Step]
    default_size: int = 224
    flatten_head: bool = False  # VGG: Flatten -> Dense(4096) top, size-dependent weights
    # NASNetMobile fills in input_shape=(224, 224, 3) even without its top; NASNetLarge doesn't.
    sized_by_default: bool = False
    positional: tuple[str, ...] = (
        "include_top",
        "weights",
        "input_tensor",
        "input_shape",
        "pooling",
        "classes",
        "classifier_activation",
    )


_TOP_FIRST = Architecture([]).positional
_MOBILENET_POS = (
    "input_shape",
    "alpha",
    "depth_multiplier",
    "dropout",
    "include_top",
    "weights",
    "input_tensor",
    "pooling",
    "classes",
    "classifier_activation",
)
_MOBILENET_V2_POS = (
    "input_shape",
    "alpha",
    "include_top",
    "weights",
    "input_tensor",
    "pooling",
    "classes",
    "classifier_activation",
)
_MOBILENET_V3_POS = (
    "input_shape",
    "alpha",
    "minimalistic",
    "include_top",
    "weights",
    "input_tensor",
    "classes",
    "pooling",
    "dropout_rate",
    "classifier_activation",
    "include_preprocessing",
)
_NASNET_POS = (
    "input_shape",
    "include_top",
    "weights",
    "input_tensor",
    "pooling",
    "classes",
    "classifier_activation",
)
_CONVNEXT_POS = (
    "include_top",
    "include_preprocessing",
    "weights",
    "input_tensor",
    "input_shape",
    "pooling",
    "classes",
    "classifier_activation",
)
_EFFNET_V2_POS = (*_TOP_FIRST, "include_preprocessing")

ARCHITECTURES: dict[str, Architecture] = {
    "VGG16": Architecture(VGG, flatten_head=True),
    "VGG19": Architecture(VGG, flatten_head=True),
    **{name: Architecture(RESNET) for name in ("ResNet50", "ResNet101", "ResNet152")},
    **{name: Architecture(RESNET) for name in ("ResNet50V2", "ResNet101V2", "ResNet152V2")},
    "MobileNet": Architecture(MOBILENET, positional=_MOBILENET_POS),
    "MobileNetV2": Architecture(MOBILENET_V2, positional=_MOBILENET_V2_POS),
    "MobileNetV3Small": Architecture(MOBILENET_V2, positional=_MOBILENET_V3_POS),
    "MobileNetV3Large": Architecture(MOBILENET_V2, positional=_MOBILENET_V3_POS),
    **{
        f"EfficientNetB{i}": Architecture(EFFICIENTNET, default_size=size)
        for i, size in enumerate((224, 240, 260, 300, 380, 456, 528, 600))
    },
    **{
        f"EfficientNetV2{s}": Architecture(
            FIVE_HALVINGS, default_size=size, positional=_EFFNET_V2_POS
        )
        for s, size in (
            ("B0", 224),
            ("B1", 240),
            ("B2", 260),
            ("B3", 300),
            ("S", 384),
            ("M", 480),
            ("L", 480),
        )
    },
    "Xception": Architecture(XCEPTION, default_size=299),
    "InceptionV3": Architecture(INCEPTION, default_size=299),
    "InceptionResNetV2": Architecture(INCEPTION, default_size=299),
    **{f"DenseNet{n}": Architecture(DENSENET) for n in (121, 169, 201)},
    "NASNetMobile": Architecture(NASNET, positional=_NASNET_POS, sized_by_default=True),
    "NASNetLarge": Architecture(NASNET, default_size=331, positional=_NASNET_POS),
    **{
        f"ConvNeXt{s}": Architecture(CONVNEXT, positional=_CONVNEXT_POS)
        for s in ("Tiny", "Small", "Base", "Large", "XLarge")
    },
}

# Defaults of the variant kwargs recorded in the table.
_VARIANT_DEFAULTS: dict[str, object] = {"alpha": 1.0, "minimalistic": False}


def run_steps(size: Dim, steps: Sequence[Step], built_for_size: bool = True) -> Dim:
    """Push one spatial length through an architecture's downsampling steps.

    `built_for_size` says whether the backbone was constructed knowing this size (an
    `input_shape`), which decides how `correct_pad` steps round.
    """
    for kernel, stride, padding, before, after in steps:
        if size is None:
            return None
        if padding == "correct_pad":
            if built_for_size:
                size = conv_output_length(size, kernel, "same", stride)
            else:
                half = kernel // 2
                size = conv_output_length(size + half - 1 + half, kernel, "valid", stride)
        else:
            size = conv_output_length(size + before + after, kernel, padding, stride)
    return size


def _built_for_size(name: str, config: Config, axis: int) -> bool:
    """True when `input_shape` (or a default size) fixed this axis at construction time."""
    declared = config.get("input_shape")
    if isinstance(declared, (list, tuple)) and len(declared) == 3:
        return as_int(declared[axis]) is not None
    # include_top (and NASNet always) builds at the default size.
    return flag(config, "include_top", True) is True or ARCHITECTURES[name].sized_by_default


def _input_image(name: str, config: Config, input_shapes: Shapes) -> Shape:
    """(batch, h, w, c) the backbone sees: the call's input, else input_shape, else defaults."""
    called = first(input_shapes)
    if called is not None and len(called) == 4:
        return called
    if called is not None:
        raise ShapeError(f"{name} expects 4-d image batches, got {called}")
    declared = config.get("input_shape")
    if isinstance(declared, (list, tuple)):
        if len(declared) != 3:
            raise ShapeError(f"{name} input_shape must have 3 entries, got {declared}")
        return (None, *(as_int(d) for d in declared))
    if declared is not None:
        return (None, None, None, None)  # unknown value
    include_top = flag(config, "include_top", True)
    if include_top or ARCHITECTURES[name].sized_by_default:
        size = ARCHITECTURES[name].default_size
        return (None, size, size, 3)
    return (None, None, None, 3)


def _row(name: str, config: Config) -> dict[str, int] | None:
    """The measured counts for this backbone variant, or None if it was not measured."""
    wanted = {}
    for key, default in _VARIANT_DEFAULTS.items():
        value = config.get(key, default)
        if value is None:
            value = default
        if key == "alpha":
            value = as_float(value)
            if value is None:
                return None
        elif not isinstance(value, bool):
            return None
        wanted[key] = value
    if as_int(config.get("depth_multiplier", 1)) != 1:
        return None
    for variant, row in TABLE.get(name, []):
        if all(variant.get(k, _VARIANT_DEFAULTS[k]) == v for k, v in wanted.items()):
            return row
    return None


def _pooling(config: Config) -> str | None:
    value = config.get("pooling")
    if value is None or value in ("avg", "max"):
        return value
    if isinstance(value, str):
        raise ShapeError(f"pooling must be None, 'avg' or 'max', got {value!r}")
    return "unknown"


def _shape_fn(name: str):
    arch = ARCHITECTURES[name]

    def shape_fn(config: Config, input_shapes: Shapes) -> Shape | None:
        batch, height, width, _ = _input_image(name, config, input_shapes)
        include_top = flag(config, "include_top", True)
        if include_top is None:
            return None
        if include_top:
            if arch.flatten_head:
                _check_flatten_head(name, height, width, arch)
            return (batch, as_int(config.get("classes", 1000)))
        row = _row(name, config)
        channels = row["channels"] if row else None
        pooling = _pooling(config)
        if pooling == "unknown":
            return None
        if pooling is not None:
            return (batch, channels)
        return _feature_map(name, config, (batch, height, width), arch.steps, channels)

    return shape_fn


def _feature_map(
    name: str, config: Config, image: tuple[Dim, Dim, Dim], steps: Sequence[Step], channels: Dim
) -> Shape:
    """(batch, h, w, channels) after `steps` of the backbone on a (batch, h, w) image."""
    batch, height, width = image
    return (
        batch,
        run_steps(height, steps, _built_for_size(name, config, 0)),
        run_steps(width, steps, _built_for_size(name, config, 1)),
        channels,
    )


def _check_flatten_head(name: str, height: Dim, width: Dim, arch: Architecture) -> None:
    if height is None or width is None:
        raise ShapeError(f"{name} with include_top=True needs a known input size")
    run_steps(height, arch.steps)
    run_steps(width, arch.steps)


def _params_fn(name: str):
    arch = ARCHITECTURES[name]

    def params_fn(config: Config, input_shapes: Shapes) -> int | None:
        row = _row(name, config)
        include_top = flag(config, "include_top", True)
        if row is None or include_top is None:
            return None
        body = row["body"]
        preprocessing = flag(config, "include_preprocessing", True)
        if preprocessing is None:
            return None
        if not preprocessing:
            body -= row.get("preprocessing", 0)
        if not include_top:
            return body
        classes = as_int(config.get("classes", 1000))
        if classes is None:
            return None
        head = row["head_fixed"] + (row["head_features"] + 1) * classes
        if arch.flatten_head:
            # The table's fc1 was measured at the default 224x224 (7x7 after the steps).
            _, height, width, _ = _input_image(name, config, input_shapes)
            h, w = run_steps(height, arch.steps), run_steps(width, arch.steps)
            if h is None or w is None:
                return None
            fc1_units = 4096
            head += (h * w - 7 * 7) * row["channels"] * fc1_units
        return body + head

    return params_fn


for _name, _arch in ARCHITECTURES.items():
    register(LayerSpec(_name, _shape_fn(_name), _params_fn(_name), Role.SPATIAL, _arch.positional))


# ------------------------------------------------ a backbone cut at a named layer

# `backbone.get_layer(name).output`: a graph node of its own, configured with the backbone's
# config plus "backbone" and the layer's "name".
TAP = "BackboneLayerOutput"


def tap_of(backbone: str, layer_name: str, config: Config) -> tuple[int, int] | None:
    """(steps applied, channels) of `backbone.get_layer(layer_name).output`, or None when the
    layer is not in the generated table or the backbone is not the default variant (the
    table was measured at alpha=1.0)."""
    row = _row(backbone, config)
    if row is None or row is not _row(backbone, {}):
        return None
    return _taps().get(backbone, {}).get(layer_name)


@functools.cache
def _taps() -> dict[str, dict[str, tuple[int, int]]]:
    """The generated table (gen_application_taps.py), read on first use only, indexed as
    backbone -> layer name -> (steps applied, channels)."""
    text = (Path(__file__).parent / "application_taps.json").read_text(encoding="utf-8")
    table = json.loads(text)
    return {
        backbone: {
            name: (steps, channels) for steps, channels, names in rows for name in names.split(" ")
        }
        for backbone, rows in table.items()
        if backbone in ARCHITECTURES
    }


def _tap_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    """A feature map (rank 4) in any case; its size only when the table has the layer."""
    backbone, layer_name = config.get("backbone"), config.get("name")
    if backbone not in ARCHITECTURES:
        return None
    batch, height, width, _ = _input_image(backbone, config, input_shapes)
    tap = tap_of(backbone, layer_name, config) if isinstance(layer_name, str) else None
    if tap is None:
        return (batch, None, None, None)
    steps, channels = tap
    prefix = ARCHITECTURES[backbone].steps[:steps]
    return _feature_map(backbone, config, (batch, height, width), prefix, channels)


def _tap_params(config: Config, input_shapes: Shapes) -> int | None:
    """Not measured: the weights up to an inner layer are not in the table."""
    return None


register(LayerSpec(TAP, _tap_shape, _tap_params, Role.SPATIAL, keras_class=False))
