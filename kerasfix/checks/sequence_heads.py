"""Two shapes of a Flatten -> Dense head that are not a plain conv map into a Dense.

- A recurrent layer's sequence (`LSTM(32, return_sequences=True)`): its steps are learned
  features that each carry the steps before them, as a Conv1D's positions carry their
  neighbours, so a Flatten over it costs steps x units per Dense unit where pooling over the
  steps costs units (rules/KF001.md, "Sequences"). Embedding lookups and raw inputs, whose
  steps are independent, are not such maps.
- A Concatenate of vectors between the Flatten and the Dense (`concatenate([flat, other])`,
  a multi-input model): the Dense's weights on the flattened part shrink with pooling, its
  weights on the other inputs stay as they are.
"""

from __future__ import annotations

from kerasfix.graph.model import Node

# A ConvLSTM3D sequence, (time, depth, rows, cols, channels): no single Keras layer pools four
# axes, so the pooling that keeps the channels is two layers (no one-layer fix or rewrite).
VOLUME_SEQUENCE_POOLING = "TimeDistributed(GlobalAveragePooling3D()) then GlobalAveragePooling1D()"
RECURRENT = frozenset({"SimpleRNN", "LSTM", "GRU", "CuDNNLSTM", "CuDNNGRU", "RNN"})
CONCATENATE = "Concatenate"


def is_recurrent_sequence(node: Node) -> bool:
    """A recurrent layer (or a Bidirectional one) that returns its whole sequence."""
    layer = node.layer
    name = layer.class_name
    if name == "Bidirectional":
        inner = layer.config.get("layer")
        name = inner.get("class_name") if isinstance(inner, dict) else None
    shape = node.output_shape
    return name in RECURRENT and shape is not None and len(shape) == 3


def is_vector_concatenate(node: Node) -> bool:
    """A Concatenate of flat vectors along their features: the Dense after it sees the
    flattened part as a block of its input rows, unchanged in meaning."""
    if node.layer.class_name != CONCATENATE:
        return False
    axis = node.layer.config.get("axis", -1)
    shapes = [node.output_shape, *(i.output_shape for i in node.inputs)]
    ranks = {len(s) for s in shapes if s is not None}
    if None in shapes or len(ranks) != 1:
        return False
    (rank,) = ranks
    return axis in (-1, rank - 1) and all(is_row(s) for s in shapes)  # type: ignore[arg-type]


def is_row(shape: tuple[int | None, ...]) -> bool:
    """A flat vector, or one as a single row (`(None, 1, 16384)`, a `Reshape((1, N))`):
    its features all on the last axis."""
    return len(shape) >= 2 and all(d == 1 for d in shape[1:-1])


def concatenated(between: list[Node]) -> Node | None:
    """The last Concatenate between a Flatten and its Dense, if any."""
    return next((n for n in reversed(between) if n.layer.class_name == CONCATENATE), None)


def other_width(between: list[Node], features: int | None) -> int | None:
    """How many of the Dense's input features come from the Concatenate's other inputs."""
    merge = concatenated(between)
    shape = merge.output_shape if merge is not None else None
    width = shape[-1] if shape else None
    if not isinstance(width, int) or features is None:
        return None
    return width - features
