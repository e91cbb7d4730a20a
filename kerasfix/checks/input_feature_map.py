"""Is a model input itself a feature map? Decided by its shape, not by being an input.

Transfer-learning scripts extract features with a conv base once, then train a small head
on them: `Input(shape=(5, 5, 512))` -> `Flatten()` -> `Dense(256)`. That Flatten has exactly
the cost KF001 is about. Raw inputs (images with 1-4 channels, time-series windows, tables)
are not. The rule: a 2-D or 3-D map (channels last) with many channels and a small spatial
extent is a feature map; anything else at an input stays unreported.
"""

from __future__ import annotations

from kerasfix.graph.model import Shape

MIN_CHANNELS = 64  # raw images have 1-4 channels, multispectral ones about a dozen
MAX_SIDE = 64  # conv bases leave maps of a few cells per side (VGG16 at 224: 7)


def looks_like_feature_map(shape: Shape | None) -> bool:
    """Whether a declared input shape (batch axis included) is a spatial feature map."""
    if shape is None or len(shape) not in (4, 5):  # (batch, H, W, C) or (batch, D, H, W, C)
        return False
    *spatial, channels = shape[1:]
    if not isinstance(channels, int) or channels < MIN_CHANNELS:
        return False
    return all(isinstance(side, int) and 1 <= side <= MAX_SIDE for side in spatial)
