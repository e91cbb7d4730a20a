"""`TimeDistributed(Flatten())` -> `TimeDistributed(Dense(n))`: the head repeated per frame.

Video models wrap every layer: `TimeDistributed(Conv2D)`, `TimeDistributed(Flatten())`,
`TimeDistributed(Dense(256))`. Each frame's feature map is flattened and fed to the same
Dense, so the parameter count is the single-frame one (31x31x32 -> Dense(256) is 7.9
million) and the fix is a global pooling inside the same wrapper.
"""

from __future__ import annotations

from typing import Any

from kerasfix.graph.model import Node

WRAPPER = "TimeDistributed"


def wrapped_class(node: Node) -> str | None:
    """The class a TimeDistributed node wraps (e.g. "Flatten"), or None for other layers."""
    if node.layer.class_name != WRAPPER:
        return None
    inner = node.layer.config.get("layer")
    if isinstance(inner, dict) and isinstance(inner.get("class_name"), str):
        return str(inner["class_name"])
    return None


def is_flatten(node: Node) -> bool:
    return node.layer.class_name == "Flatten" or wrapped_class(node) == "Flatten"


def is_dense(node: Node, per_step: bool) -> bool:
    """A Dense consumer: plain, or (after a per-frame Flatten) TimeDistributed(Dense)."""
    if node.layer.class_name == "Dense":
        return True
    return per_step and wrapped_class(node) == "Dense"


def dense_config(node: Node) -> dict[str, Any]:
    """The Dense's own config, unwrapping TimeDistributed."""
    if node.layer.class_name == WRAPPER:
        inner = node.layer.config.get("layer")
        config = inner.get("config") if isinstance(inner, dict) else None
        return config if isinstance(config, dict) else {}
    return node.layer.config
