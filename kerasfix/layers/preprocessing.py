"""Image preprocessing and augmentation layers.

They act on the raw input image, so for the Flatten -> Dense rules they are PRESERVING:
`Input -> Rescaling -> Flatten -> Dense` walks back to the InputLayer and is not a
feature map. Resizing/CenterCrop/RandomCrop change the spatial size, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape, ShapeError
from kerasfix.layers.arithmetic import (
    as_int,
    channels_first,
    first,
    identity_shape,
    product,
    zero_params,
)
from kerasfix.layers.normalization import axes_of
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]


def _resize_shape(config: Config, input_shapes: Shapes) -> Shape | None:
    """(height, width) replaced; works batched (rank 4) and unbatched (rank 3)."""
    shape = first(input_shapes)
    cf = channels_first(config)
    if shape is None or cf is None:
        return None
    if len(shape) not in (3, 4):
        raise ShapeError(f"image preprocessing expects rank 3 or 4 inputs, got {shape}")
    height, width = as_int(config.get("height")), as_int(config.get("width"))
    lead = shape[:-3]
    if cf:
        return (*lead, shape[-3], height, width)
    return (*lead, height, width, shape[-1])


def _normalization_params(config: Config, input_shapes: Shapes) -> int | None:
    """mean + variance over the kept axes, plus a scalar count, unless mean/variance are given."""
    if config.get("mean") is not None or config.get("variance") is not None:
        return 0
    shape = first(input_shapes)
    if shape is None:
        return None
    axis = config.get("axis", -1)
    axes = [] if axis is None else axes_of(axis, len(shape))
    if axes is None:
        return None
    kept = product([shape[a] for a in axes])
    return None if kept is None else 2 * kept + 1


AUGMENTATION: dict[str, tuple[str, ...]] = {
    "RandomFlip": ("mode", "seed"),
    "RandomRotation": ("factor", "fill_mode", "interpolation", "seed", "fill_value"),
    "RandomZoom": ("height_factor", "width_factor", "fill_mode", "interpolation", "seed"),
    "RandomContrast": ("factor", "value_range", "seed"),
    "RandomTranslation": ("height_factor", "width_factor", "fill_mode", "interpolation", "seed"),
    "RandomBrightness": ("factor", "value_range", "seed"),
    "RandomGrayscale": ("factor", "data_format", "seed"),
    "RandomHue": ("factor", "value_range"),
    "RandomSaturation": ("factor", "value_range"),
    "RandomSharpness": ("factor", "value_range"),
    "RandomShear": ("x_factor", "y_factor", "interpolation", "fill_mode", "fill_value"),
    "RandomColorJitter": ("value_range", "brightness_factor", "contrast_factor"),
    "RandomPosterization": ("factor", "value_range"),
    "RandomInvert": ("factor", "value_range", "seed"),
    "RandomErasing": ("factor", "scale", "fill_value", "value_range", "seed"),
    "RandomGaussianBlur": ("factor", "kernel_size", "sigma", "value_range"),
    "RandomPerspective": ("factor", "scale", "interpolation", "fill_value", "seed"),
    "AutoContrast": ("value_range",),
    "Solarization": ("addition_factor", "threshold_factor", "value_range", "seed"),
    "Equalization": ("value_range", "bins"),
}

for _name, _positional in AUGMENTATION.items():
    register(LayerSpec(_name, identity_shape, zero_params, Role.PRESERVING, _positional))
register(LayerSpec("Rescaling", identity_shape, zero_params, Role.PRESERVING, ("scale", "offset")))
register(
    LayerSpec(
        "Resizing",
        _resize_shape,
        zero_params,
        Role.PRESERVING,
        ("height", "width", "interpolation", "crop_to_aspect_ratio"),
        keywords=("data_format",),
    )
)
register(
    LayerSpec(
        "CenterCrop",
        _resize_shape,
        zero_params,
        Role.PRESERVING,
        ("height", "width", "data_format"),
    )
)
register(
    LayerSpec(
        "RandomCrop",
        _resize_shape,
        zero_params,
        Role.PRESERVING,
        ("height", "width", "seed"),
        keywords=("data_format",),
    )
)
register(
    LayerSpec(
        "Normalization",
        identity_shape,
        _normalization_params,
        Role.PRESERVING,
        ("axis", "mean", "variance", "invert"),
    )
)
