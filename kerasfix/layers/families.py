"""Imports every family module so each registers its layers (the package imports this)."""

from kerasfix.layers import (  # noqa: F401
    applications,
    conv,
    core,
    merging,
    normalization,
    pooling,
    preprocessing,
    regularization,
    reshaping,
    rnn,
    wrappers,
)
