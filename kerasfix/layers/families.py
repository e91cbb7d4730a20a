"""Imports every family module so each registers its layers (the registry imports this
when first asked)."""

from kerasfix.layers import (  # noqa: F401
    applications,
    attention,
    conv,
    core,
    merging,
    normalization,
    pooling,
    preprocessing,
    regularization,
    reshaping,
    rnn,
    tensor_slice,
    wrappers,
)
