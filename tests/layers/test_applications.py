"""keras.applications backbones: kerasfix's step arithmetic and measured table vs Keras.

Each backbone is built with `weights=None`, inside
`keras.StatelessScope(initialize_variables=False)`: Keras creates every variable with its shape
(so `count_params()` and the output shapes are Keras's own) but never fills it, so a
350M-parameter backbone costs 10 MB instead of 1.6 GB and no random numbers. Big backbones
are marked slow (CI runs them).
"""

from __future__ import annotations

from typing import Any

import pytest

from kerasfix.layers.applications import ARCHITECTURES
from kerasfix.layers.registry import lookup
from tests.keras_on_demand import keras

pytestmark = pytest.mark.keras

# Over ~2 s to build on a laptop core: still checked in CI, via the slow marker.
SLOW = {
    "VGG19",
    "ResNet101",
    "ResNet152",
    "ResNet101V2",
    "ResNet152V2",
    "EfficientNetB3",
    "EfficientNetB4",
    "EfficientNetB5",
    "EfficientNetB6",
    "EfficientNetB7",
    "EfficientNetV2B3",
    "EfficientNetV2S",
    "EfficientNetV2M",
    "EfficientNetV2L",
    "InceptionResNetV2",
    "DenseNet169",
    "DenseNet201",
    "NASNetLarge",
    "ConvNeXtSmall",
    "ConvNeXtBase",
    "ConvNeXtLarge",
    "ConvNeXtXLarge",
}
# Other sizes to push through a backbone built for unknown sizes (odd sizes on purpose).
OTHER_SIZES = [(197, 251), (300, 160)]


def _param(names: list[str]) -> list[Any]:
    return [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in names]


NAMES = list(ARCHITECTURES)


def _build(name: str, **kwargs: Any) -> Any:
    """`keras.applications.<name>(weights=None, **kwargs)`, its variables shaped but unfilled."""
    with keras.StatelessScope(initialize_variables=False):
        return getattr(keras.applications, name)(weights=None, **kwargs)


def _spec(name: str) -> Any:
    spec = lookup(name)
    assert spec is not None
    return spec


@pytest.mark.parametrize("name", _param(NAMES))
def test_backbone_without_top(name: str) -> None:
    model = _build(name, include_top=False)
    spec = _spec(name)
    config = {"include_top": False}
    assert spec.params(config, []) == model.count_params()
    assert spec.output_shape(config, []) == tuple(model.output_shape)
    if name.startswith("NASNet"):
        return  # NASNet built for unknown sizes only runs on sizes it was not built for by luck
    default = ARCHITECTURES[name].default_size
    for height, width in [(default, default), *OTHER_SIZES]:
        shape = (None, height, width, 3)
        with keras.StatelessScope(initialize_variables=False):  # a pass that fills nothing
            expected = tuple(model.compute_output_shape(shape))
        assert spec.output_shape(config, [shape]) == expected, shape


# Built for a known size (correct_pad then rounds up), with top, at odd sizes.
SIZED = {
    "VGG16": (160, 96),
    "ResNet50": (225, 199),
    "ResNet50V2": (97, 131),
    "MobileNet": (225, 161),
    "MobileNetV2": (193, 250),
    "MobileNetV3Small": (193, 250),
    "MobileNetV3Large": (97, 131),
    "EfficientNetB0": (225, 199),
    "EfficientNetV2B0": (225, 199),
    "Xception": (225, 301),
    "InceptionV3": (225, 301),
    "DenseNet121": (225, 199),
    "NASNetMobile": (224, 224),
    "ConvNeXtTiny": (225, 199),
}


@pytest.mark.parametrize("name", list(SIZED))
def test_backbone_built_for_a_size(name: str) -> None:
    height, width = SIZED[name]
    spec = _spec(name)
    model = _build(name, include_top=False, input_shape=(height, width, 3))
    config = {"include_top": False, "input_shape": (height, width, 3)}
    assert spec.output_shape(config, []) == tuple(model.output_shape)
    assert spec.output_shape(config, [(None, height, width, 3)]) == tuple(model.output_shape)
    assert spec.params(config, []) == model.count_params()


@pytest.mark.parametrize("name", _param(NAMES))
def test_backbone_with_top(name: str) -> None:
    model = _build(name, classes=7)
    spec = _spec(name)
    config = {"include_top": True, "classes": 7, "weights": None}
    assert spec.output_shape(config, []) == tuple(model.output_shape) == (None, 7)
    assert spec.params(config, []) == model.count_params()
    # Default classes=1000 on the same measured table.
    assert spec.output_shape({}, []) == (None, 1000)


def test_vgg_top_at_another_size() -> None:
    model = _build("VGG16", input_shape=(96, 128, 3), classes=5)
    config = {"input_shape": (96, 128, 3), "classes": 5}
    assert _spec("VGG16").params(config, []) == model.count_params()


@pytest.mark.parametrize("name", ["ResNet50", "MobileNetV3Small", "MobileNet"])
@pytest.mark.parametrize("pooling", ["avg", "max"])
def test_backbone_pooling(name: str, pooling: str) -> None:
    model = _build(name, include_top=False, pooling=pooling)
    config = {"include_top": False, "pooling": pooling}
    assert _spec(name).output_shape(config, []) == tuple(model.output_shape)
    assert _spec(name).params(config, []) == model.count_params()


VARIANTS = [
    ("MobileNet", {"alpha": 0.5}),
    ("MobileNetV2", {"alpha": 0.35}),
    ("MobileNetV2", {"alpha": 1.4}),
    ("MobileNetV3Small", {"alpha": 0.75, "minimalistic": True}),
    ("MobileNetV3Large", {"minimalistic": True}),
    ("MobileNetV3Small", {"include_preprocessing": False}),
    ("EfficientNetV2B0", {"include_preprocessing": False}),
    ("ConvNeXtTiny", {"include_preprocessing": False}),
]


@pytest.mark.parametrize(("name", "extra"), VARIANTS)
@pytest.mark.parametrize("include_top", [False, True])
def test_backbone_variants(name: str, extra: dict[str, Any], include_top: bool) -> None:
    model = _build(name, include_top=include_top, classes=3, **extra)
    config = {"include_top": include_top, "classes": 3, **extra}
    assert _spec(name).output_shape(config, []) == tuple(model.output_shape)
    assert _spec(name).params(config, []) == model.count_params()


def test_unmeasured_variant_has_unknown_params_but_known_shape() -> None:
    spec = _spec("MobileNetV2")
    config = {"include_top": False, "alpha": 0.9, "input_shape": (224, 224, 3)}
    assert spec.params(config, []) is None
    assert spec.output_shape(config, [])[1:3] == (7, 7)
