"""A model's layers replayed on another input shape, without touching the graph.

KF003 asks what happens when a built model gets data of a shape other than the one it was
built for: each layer sees the new shape, and a layer whose weights were made for the old
one (a Dense kernel sized by the old width, a Conv2D by the old channels) cannot take it,
just as Keras refuses. Only graphs whose every layer kerasfix sizes exactly are replayed;
anything else is "unsure", never a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from kerasfix.graph.model import Graph, Layer, Node, Shape, ShapeError
from kerasfix.layers.registry import lookup

_ERRORS = (ShapeError, ValueError, TypeError, KeyError, IndexError, ZeroDivisionError)
# Layer arguments whose meaning depends on the Keras generation the file was written for.
_GENERATION_KEYWORDS = frozenset({"input_dim", "input_length"})
_CONV_PREFIXES = ("Conv", "SeparableConv", "DepthwiseConv", "Convolution", "Deconvolution")


@dataclass(frozen=True)
class Refusal:
    """The layer Keras refuses to run on the replayed shape, and why."""

    node: Node
    got: Shape
    reason: str


def generation_dependent(layer: Layer, rank_error: bool = False) -> str | None:
    """Why this layer's reading depends on the Keras generation or configuration, or None.

    `Conv2D(32, 3, 3)` is a 3x3 kernel in Keras 1 and standalone Keras 2.0-2.3, strides 3
    in tf.keras and later (a rank error does not depend on it); `input_dim=`/`input_length=`
    on a recurrent or convolutional layer changed meaning in Keras 3 (on a Dense it is the
    input width in every Keras, on an Embedding the vocabulary and the sequence length); a
    channel order guessed for Keras 1 code is a guess."""
    origin = layer.origin
    raw = origin.get("raw_class", layer.class_name)
    positional = origin.get("positional", 0)
    conv = isinstance(raw, str) and raw.startswith(_CONV_PREFIXES)
    if conv and positional >= 3 and not rank_error and origin.get("tf_keras") is not True:
        return f"{raw} with {positional} positional arguments"
    keywords = _GENERATION_KEYWORDS.intersection(origin.get("keywords", ()))
    if keywords and layer.class_name not in ("Dense", "Embedding"):
        return f"{raw} with {'/'.join(sorted(keywords))}="
    if origin.get("assumed_data_format"):
        return "a channel order assumed for Keras 1 code"
    return None


def follows_config(layer: Layer) -> bool:
    """A spatial layer whose channel axis comes from the user's Keras configuration."""
    spec = lookup(layer.class_name)
    return spec is not None and spec.takes_data_format and "data_format" not in layer.config


def looks_channels_first(shape: Shape | None) -> bool:
    """`(None, 3, 150, 150)`: written for a channels-first configuration (Theano's)."""
    if shape is None or len(shape) < 4:
        return False
    first, rest = shape[1], shape[2:]
    return first in (1, 3, 4) and all(isinstance(d, int) and d > first for d in rest)


def exact(node: Node, rank_error: bool = False) -> bool:
    """A node whose layer kerasfix sizes exactly, on a path no undecided branch touched."""
    layer = node.layer
    if node.uncertain is not None or layer.opaque is not None or layer.inner is not None:
        return False
    if node.is_input:
        return True
    spec = lookup(layer.class_name)
    return spec is not None and generation_dependent(layer, rank_error) is None


def fully_known(shape: Shape | None) -> bool:
    return shape is not None and len(shape) > 0 and all(d is not None for d in shape[1:])


def replay(graph: Graph, shape: Shape) -> Refusal | str | None:
    """Run the one-input model `graph` on `shape`: the first refusal, None when every layer
    takes it, or a string saying why the replay cannot be sure."""
    if len(graph.inputs) != 1:
        return "a model with several inputs"
    shapes: dict[int, Shape] = {id(graph.inputs[0]): shape}
    for node in graph.nodes:
        if node.is_input:
            if node is not graph.inputs[0]:
                return "a second input"
            continue
        if not exact(node):
            return f"'{node.layer.display_name}' is not sized exactly"
        inputs = [shapes.get(id(parent)) for parent in node.inputs]
        if any(s is None for s in inputs):
            return "a layer outside the replayed model"
        spec = lookup(node.layer.class_name)
        assert spec is not None
        got = [s for s in inputs if s is not None]
        try:
            out = spec.output_shape(node.layer.config, got)
            params = spec.params(node.layer.config, got)
        except _ERRORS as exc:
            return Refusal(node, got[0], str(exc))
        built = node.params  # 0 for a shared layer's later calls: nothing to compare
        if built and params is not None and params != built:
            # Weights made for the shape the model was built on cannot take this one.
            return Refusal(node, got[0], _weights_reason(node, got[0]))
        if out is None or not fully_known(out):
            return f"'{node.layer.display_name}' gives a shape kerasfix cannot size"
        shapes[id(node)] = out
    return None


def _weights_reason(node: Node, got: Shape) -> str:
    built_for = node.inputs[0].output_shape if node.inputs else None
    last = built_for[-1] if built_for else None
    return (
        f"its weights were built for inputs of shape {shape_text(built_for)}: expected axis -1 "
        f"of input shape to have value {last}, got {got[-1]}"
    )


def shape_text(shape: Shape | None) -> str:
    if shape is None:
        return "?"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"
