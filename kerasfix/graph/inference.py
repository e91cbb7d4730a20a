"""Static shape inference: every node's output shape and parameter count.

Unknown stays unknown: when an input shape is not known, or a layer is opaque (Lambda,
custom class), the output is `None` and `unknown_reason` says why, so rules can name what
is missing instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence

from kerasfix.graph.model import Graph, Node, Shape
from kerasfix.layers.registry import lookup

MAX_NESTING = 64


class ShapeError(ValueError):
    """A layer config that Keras itself would reject (negative size, wrong rank...)."""


def infer(graph: Graph) -> Graph:
    """Fill `output_shape`, `params` and `unknown_reason` on every node, in place."""
    _infer_graph(graph, counted=set(), depth=0)
    return graph


def _infer_graph(graph: Graph, counted: set[int], depth: int) -> None:
    for node in graph.nodes:
        _infer_node(node, counted, depth)


def _infer_node(node: Node, counted: set[int], depth: int) -> None:
    layer = node.layer
    input_shapes = [parent.output_shape for parent in node.inputs]
    first_call = id(layer) not in counted
    counted.add(id(layer))

    if node.is_input:
        node.output_shape = node.declared_shape
        node.params = 0
        if node.output_shape is None or _has_unknown(node.output_shape[1:]):
            node.unknown_reason = layer.origin.get("unknown_reason") or (
                f"the input shape of '{layer.display_name}' is not known statically"
            )
        return

    if layer.opaque is not None:
        node.output_shape = None
        node.params = None
        node.unknown_reason = layer.opaque
        _use_recorded(node)
        return

    if layer.inner is not None:
        _infer_nested(node, input_shapes, depth)
        if not first_call:
            node.params = 0
        return

    spec = lookup(layer.class_name)
    if spec is None:
        node.output_shape = None
        node.params = None
        node.unknown_reason = f"'{layer.class_name}' is not a layer kerasfix knows"
        _use_recorded(node)
        return

    try:
        node.output_shape = spec.output_shape(layer.config, input_shapes)
        params = spec.params(layer.config, input_shapes)
    except (ShapeError, ValueError, TypeError, KeyError, IndexError, ZeroDivisionError) as exc:
        node.output_shape = None
        node.params = None
        node.unknown_reason = f"cannot work out the output of '{layer.display_name}': {exc}"
        return
    node.params = params if first_call else 0
    if node.uncertain is not None and node.output_shape is not None:
        node.output_shape = (None,) * len(node.output_shape)
        node.unknown_reason = node.uncertain
        return
    if node.output_shape is None or _has_unknown(node.output_shape[1:]):
        node.unknown_reason = _first_reason(node.inputs) or (
            f"the output shape of '{layer.display_name}' is not known statically"
        )


def _infer_nested(node: Node, input_shapes: Sequence[Shape | None], depth: int) -> None:
    """Infer a model used as a layer on this call's input shapes; its weights count once."""
    inner = node.layer.inner
    assert inner is not None
    if depth >= MAX_NESTING:
        node.output_shape, node.params = None, None
        node.unknown_reason = f"models nested more than {MAX_NESTING} deep"
        return
    for inner_input, outer in zip(inner.inputs, node.inputs, strict=False):
        inner_input.bound_to = outer
    for inner_input, shape in zip(inner.inputs, input_shapes, strict=False):
        if shape is not None and (
            inner_input.declared_shape is None or _has_unknown(inner_input.declared_shape)
        ):
            inner_input.declared_shape = shape
    _infer_graph(inner, counted=set(), depth=depth + 1)
    outputs = inner.outputs or inner.nodes[-1:]
    node.output_shape = outputs[0].output_shape if outputs else None
    params = [n.params for n in inner.nodes]
    node.params = None if any(p is None for p in params) else sum(p or 0 for p in params)
    if node.output_shape is None or _has_unknown(node.output_shape[1:]):
        node.unknown_reason = (outputs[0].unknown_reason if outputs else None) or _first_reason(
            node.inputs
        )


def _use_recorded(node: Node) -> None:
    """Take the shape Keras recorded for an unsizable layer's output, when it is complete;
    the layer's parameter count stays unknown."""
    shape = node.recorded_shape
    if shape is not None and node.uncertain is None and not _has_unknown(shape[1:]):
        node.output_shape = shape
        node.unknown_reason = None


def _has_unknown(shape: Shape) -> bool:
    return any(dim is None for dim in shape)


def _first_reason(nodes: Sequence[Node]) -> str | None:
    for parent in nodes:
        if parent.unknown_reason:
            return parent.unknown_reason
    return None
