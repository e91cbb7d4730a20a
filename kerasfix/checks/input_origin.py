"""Where a model's input shape came from, for messages: the Input or first layer that
declares it, or the call that fixed it (`model.fit(x_train)` sizing a Sequential that
declares no input). Read from the input node's `origin`, which the source frontend fills."""

from __future__ import annotations

from kerasfix.graph.model import Node


def model_input(node: Node) -> Node:
    """The input node `node` descends from along first inputs (a chain's own input)."""
    seen = 0
    while node.inputs and seen < 10_000:
        node, seen = node.inputs[0], seen + 1
    return node


def sized_by(node: Node) -> str | None:
    """The call that fixed the input size of the model `node` belongs to, if one did."""
    text = model_input(node).layer.origin.get("sized_by")
    return text if isinstance(text, str) else None


def sized_by_note(node: Node) -> str:
    """'; the input size is fixed by model.fit(x_train) (line 8)', or ''."""
    text = sized_by(node)
    return f"; the input size is fixed by {text}" if text else ""
