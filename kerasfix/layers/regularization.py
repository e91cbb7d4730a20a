"""Regularization and activation layers: shape-preserving, mostly weightless (PReLU has alpha)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape
from kerasfix.layers.arithmetic import as_int, first, identity_shape, product, zero_params
from kerasfix.layers.spec import LayerSpec, Role, register

Config = dict[str, Any]
Shapes = Sequence[Shape | None]


def _prelu_params(config: Config, input_shapes: Shapes) -> int | None:
    """One alpha per input element, except along `shared_axes` (1-based, batch excluded)."""
    shape = first(input_shapes)
    if shape is None:
        return None
    dims = list(shape[1:])
    shared = config.get("shared_axes")
    if shared is not None:
        items = shared if isinstance(shared, (list, tuple)) else [shared]
        for axis in items:
            index = as_int(axis)
            if index is None:
                return None
            dims[index - 1] = 1
    return product(dims)


WEIGHTLESS: dict[str, tuple[str, ...]] = {
    "Dropout": ("rate", "noise_shape", "seed"),
    "SpatialDropout1D": ("rate", "seed"),
    "SpatialDropout2D": ("rate", "data_format", "seed"),
    "SpatialDropout3D": ("rate", "data_format", "seed"),
    "GaussianNoise": ("stddev", "seed"),
    "GaussianDropout": ("rate", "seed"),
    "AlphaDropout": ("rate", "noise_shape", "seed"),
    "ActivityRegularization": ("l1", "l2"),
    "ReLU": ("max_value", "negative_slope", "threshold"),
    "LeakyReLU": ("negative_slope",),
    "ELU": ("alpha",),
    "Softmax": ("axis",),
    "ThresholdedReLU": ("theta",),
}

for _name, _positional in WEIGHTLESS.items():
    register(LayerSpec(_name, identity_shape, zero_params, Role.PRESERVING, _positional))
register(
    LayerSpec(
        "PReLU",
        identity_shape,
        _prelu_params,
        Role.PRESERVING,
        ("alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"),
    )
)
