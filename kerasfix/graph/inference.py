"""Static shape inference: every node's output shape and parameter count.

Unknown stays unknown: when an input shape is not known, or a layer is opaque (Lambda,
custom class), the output is `None` and `unknown_reason` says why, so rules can name what
is missing instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence

from kerasfix.graph.model import Graph, Layer, Node, Shape, ShapeError, Unknown
from kerasfix.layers.registry import LayerSpec, lookup
from kerasfix.limits import MAX_NESTING

# id(nested graph) -> (the input shapes and depth it was last inferred for, its result):
# a model used as a layer many times on the same shapes is inferred once, so nested
# models that reuse each other cost time linear in the graph, not exponential in depth.
_Memo = dict[int, tuple[tuple[object, ...], tuple[Shape | None, int | None, str | None]]]


def infer(graph: Graph) -> Graph:
    """Fill `output_shape`, `params` and `unknown_reason` on every node, in place."""
    _infer_graph(graph, counted=set(), depth=0, memo={})
    return graph


def infer_upstream(node: Node, done: set[int]) -> Shape | None:
    """Infer `node` and the nodes it depends on that are not in `done` yet, and return its
    shape: for a frontend that needs a shape while it is still building the graph
    (`K.int_shape(x)` deciding a branch). `infer` later recomputes every node anyway."""
    order: list[Node] = []
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if id(current) in done:
            continue
        if expanded:
            done.add(id(current))
            order.append(current)
            continue
        stack.append((current, True))
        stack.extend((parent, False) for parent in current.inputs if id(parent) not in done)
    for current in order:
        _infer_node(current, counted=set(), depth=0, memo={})
    return node.output_shape


def _infer_graph(graph: Graph, counted: set[int], depth: int, memo: _Memo) -> None:
    for node in graph.nodes:
        _infer_node(node, counted, depth, memo)


def _infer_node(node: Node, counted: set[int], depth: int, memo: _Memo) -> None:
    layer = node.layer
    node.build_error = None  # a nested model is inferred again for each new input shape
    input_shapes = [parent.output_shape for parent in node.inputs]
    first_call = id(layer) not in counted
    counted.add(id(layer))

    node.symbolic_shape = None
    if node.is_input:
        node.output_shape = node.declared_shape
        node.params = 0
        if node.output_shape is None or _has_unknown(node.output_shape[1:]):
            node.unknown_reason = layer.origin.get("unknown_reason") or (
                f"the input shape of '{layer.display_name}' is not known statically"
            )
            node.symbolic_shape = _named_input(node)
        return

    broken = next((parent.build_error for parent in node.inputs if parent.build_error), None)
    if broken is not None:  # nothing after a layer Keras refuses to build has a size
        node.output_shape, node.params = None, None
        node.build_error = node.unknown_reason = broken
        return

    if layer.opaque is not None:
        node.output_shape = None
        node.params = None
        node.unknown_reason = layer.opaque
        _use_recorded(node)
        return

    if layer.inner is not None:
        _infer_nested(node, input_shapes, depth, memo)
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
        node.build_error = f"Keras cannot build {_where(layer)}: {exc}"
        node.unknown_reason = node.build_error
        return
    node.params = params if first_call else 0
    if node.uncertain is not None and node.output_shape is not None:
        node.output_shape = (None,) * len(node.output_shape)
        node.unknown_reason = node.uncertain
        return
    if node.output_shape is None or _has_unknown(node.output_shape[1:]):
        node.unknown_reason = (
            _first_reason(node.inputs)
            or layer.origin.get("unknown_reason")
            or _unknown_argument(layer)
            or f"the output shape of '{layer.display_name}' is not known statically"
        )
        node.symbolic_shape = _symbolic(node, spec)


def _infer_nested(
    node: Node, input_shapes: Sequence[Shape | None], depth: int, memo: _Memo
) -> None:
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
    key = (depth, *(i.declared_shape for i in inner.inputs))
    last = memo.get(id(inner))
    if last is not None and last[0] == key:
        # Same shapes as the last time: the inner nodes already hold this very result.
        node.output_shape, node.params, reason = last[1]
    else:
        _infer_graph(inner, counted=set(), depth=depth + 1, memo=memo)
        outputs = inner.outputs or inner.nodes[-1:]
        node.output_shape = outputs[0].output_shape if outputs else None
        params = [n.params for n in inner.nodes]
        node.params = None if any(p is None for p in params) else sum(p or 0 for p in params)
        reason = outputs[0].unknown_reason if outputs else None
        memo[id(inner)] = (key, (node.output_shape, node.params, reason))
    if outputs_broken := next((n.build_error for n in inner.nodes if n.build_error), None):
        node.build_error = outputs_broken
    if node.output_shape is None or _has_unknown(node.output_shape[1:]):
        node.unknown_reason = reason or _first_reason(node.inputs)


def _named_input(node: Node) -> tuple[object, ...] | None:
    """An input of known rank: its unknown sizes named H, W... (channels-last)."""
    from kerasfix.layers.symbolic import input_names, named

    shape = node.output_shape
    if shape is None or len(shape) < 3:
        return None
    names = input_names(len(shape), node.layer.origin.get("dim_names"))
    if not names:
        return None
    spatial = [named(n) if d is None else d for n, d in zip(names, shape[1:-1], strict=True)]
    return (shape[0], *spatial, shape[-1])


def _symbolic(node: Node, spec: LayerSpec) -> tuple[object, ...] | None:
    """The output as formulas of the input sizes, for the layers `layers.symbolic` follows."""
    from kerasfix.layers.arithmetic import identity_shape
    from kerasfix.layers.symbolic import merge_known, output_shape

    if len(node.inputs) != 1 or node.inputs[0].symbolic_shape is None:
        return None
    parent = node.inputs[0].symbolic_shape
    if spec.output_shape is identity_shape:  # Activation, Dropout, BatchNormalization...
        return merge_known(node.output_shape, parent)
    try:
        result = output_shape(node.layer.class_name, node.layer.config, parent)
    except (ValueError, TypeError, KeyError, IndexError, ZeroDivisionError):
        return None
    return merge_known(node.output_shape, result)


def _where(layer: Layer) -> str:
    """'MaxPooling2D' (line 12), with the notebook cell when there is one."""
    span = layer.span
    if span is None:
        return f"'{layer.display_name}'"
    cell = f"cell {span.cell}, " if span.cell is not None else ""
    return f"'{layer.display_name}' ({cell}line {span.line})"


def _use_recorded(node: Node) -> None:
    """Take the shape Keras recorded for an unsizable layer's output, when it is complete;
    the layer's parameter count stays unknown."""
    shape = node.recorded_shape
    if shape is not None and node.uncertain is None and not _has_unknown(shape[1:]):
        node.output_shape = shape
        node.unknown_reason = None


def _has_unknown(shape: Shape) -> bool:
    return any(dim is None for dim in shape)


def _unknown_argument(layer: Layer) -> str | None:
    """Why a layer's own argument (Conv2D's filters from argparse) is unknown, naming it."""
    for key, value in layer.config.items():
        if isinstance(value, Unknown):
            return f"the {key} argument of {_where(layer)} is not a constant: {value.reason}"
    return None


def _first_reason(nodes: Sequence[Node]) -> str | None:
    for parent in nodes:
        if parent.unknown_reason:
            return parent.unknown_reason
    return None
