"""The layer graph every frontend produces and every rule reads.

Source code, notebooks, saved models and live models all end up as `Graph`s of `Node`s.
A `Layer` is one layer object (class name plus a config in Keras's own vocabulary); a
`Node` is one call of that layer on input tensors, so a shared layer is one `Layer`
with several `Node`s, exactly as in Keras's functional graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# A shape in Keras's convention: the full tuple including the batch axis; `None` marks an
# unknown dimension. A shape that is itself `None` means even the rank is unknown.
Dim = int | None
Shape = tuple[Dim, ...]


class ShapeError(ValueError):
    """A layer config that Keras itself would reject (negative size, wrong rank...).

    Raised by the layer arithmetic in `kerasfix.layers`, caught by shape inference: it
    lives with the graph so that both import it downward.
    """


@dataclass(frozen=True)
class SourceSpan:
    """Where a layer was constructed in a source file (1-based, end column exclusive)."""

    line: int
    column: int
    end_line: int
    end_column: int
    cell: int | None = None  # 1-based notebook cell; lines are then relative to the cell


@dataclass(eq=False)
class Layer:
    """One layer object: Keras class name and config, and where it came from.

    `inner` holds the graph of a model used as a layer (a nested Sequential/Functional
    model or a `keras.applications` backbone expanded into a graph). `opaque` explains why a
    layer's behaviour cannot be known (Lambda, custom class, unresolved call): its output
    shape is then unknown downstream, never guessed.
    """

    class_name: str
    config: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    span: SourceSpan | None = None
    inner: Graph | None = None
    opaque: str | None = None
    # Frontend-specific facts the fixers need (e.g. the import alias used), never read by rules;
    # "unknown_reason" says why the frontend could not size it (shape inference reports it).
    origin: dict[str, Any] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        """A readable name; a name the file computes at run time (an f-string) is not one."""
        for candidate in (self.name, self.config.get("name")):
            if isinstance(candidate, str) and candidate:
                return candidate
        return self.class_name


@dataclass(eq=False)
class Node:
    """One call of a layer on input tensors; its output is one tensor.

    `output_shape`, `params` and `unknown_reason` are filled by shape inference.
    `params` counts the layer's weights the first time the layer is called and is 0 for
    later calls of a shared layer, so summing `params` over a graph gives the model total.
    """

    layer: Layer
    inputs: list[Node] = field(default_factory=list)
    # Declared shape for input nodes (Input/InputLayer, or the first layer's input_shape).
    declared_shape: Shape | None = None
    output_shape: Shape | None = None
    params: int | None = None
    unknown_reason: str | None = None
    # Set by a frontend when this call may run zero or several times (a layer added under an
    # `if` or in a loop): its rank is kept but every dimension after it becomes unknown.
    uncertain: str | None = None
    # For the input node of a model used as a layer: the outer tensor it was last called on,
    # so rules can see that a nested model's input is a feature map from outside.
    bound_to: Node | None = None
    # Set by shape inference when Keras would refuse to build this call or one before it
    # (a pooling window larger than its input): says which layer and why, for the message.
    build_error: str | None = None
    # Where `output_shape` has unknown sizes: the same shape with those sizes as formulas of
    # named input sizes (`kerasfix.layers.symbolic.Sym`), where the layers allow it.
    symbolic_shape: tuple[Any, ...] | None = None
    # The output shape Keras recorded for this call in a saved Keras 3 config (in a
    # consumer's inbound node): used where inference cannot size the layer (Lambda, custom
    # class), so what follows keeps exact numbers without running the layer.
    recorded_shape: Shape | None = None

    @property
    def is_input(self) -> bool:
        return self.layer.class_name == "InputLayer"

    @property
    def input_sized(self) -> bool:
        """Whether the first input's size is known past the batch axis and Keras builds it
        (after inference): a Flatten of it has exact counts."""
        source = self.inputs[0]
        shape = source.output_shape
        return shape is not None and None not in shape[1:] and source.build_error is None


@dataclass(eq=False)
class Graph:
    """A model (or a whole source file's worth of layer calls) as nodes in call order.

    `inputs`/`outputs` are set for a model; a source file's graph may have dangling
    nodes. `path` names the graph for findings on model files ('functional_1').
    """

    nodes: list[Node] = field(default_factory=list)
    inputs: list[Node] = field(default_factory=list)
    outputs: list[Node] = field(default_factory=list)
    name: str | None = None
    class_name: str = "Functional"

    def add(self, node: Node) -> Node:
        self.nodes.append(node)
        return node

    def consumers(self) -> dict[int, list[Node]]:
        """Map id(node) -> the nodes that take it as input, in graph order."""
        result: dict[int, list[Node]] = {}
        for node in self.nodes:
            for parent in node.inputs:
                result.setdefault(id(parent), []).append(node)
        return result

    def walk(self, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Graph]]:
        """This graph and every nested model graph, with the layer path leading to it."""
        yield prefix, self
        seen: set[int] = set()
        for node in self.nodes:
            inner = node.layer.inner
            if inner is not None and id(inner) not in seen:
                seen.add(id(inner))
                yield from inner.walk((*prefix, node.layer.display_name))


@dataclass(frozen=True)
class Unknown:
    """A config value a frontend could not determine statically (e.g. a function parameter).

    Layer arithmetic treats it like a missing number: the dimensions or counts that depend
    on it become unknown, and `reason` travels into KF002 messages.
    """

    reason: str = "a value is not known statically"

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __str__(self) -> str:
        # Interpolated into a message by mistake, it still reads as a phrase, not a repr.
        return self.reason


# Reasons are written either as a clause ("'rows' is unpacked (line 4) from ...") or as the
# thing that is unknown ("a loop variable (line 9)"); a clause has one of these verbs.
_CLAUSE_VERBS = (" is ", " are ", " calls ", " depends ", " declares ", " cannot ", " has ")


def as_clause(reason: str) -> str:
    """A reason that reads as a whole clause after "because": the thing that is unknown
    ("a loop variable (line 9)") becomes "it depends on a loop variable (line 9), which is
    only known at run time"; a reason that already is a clause is kept."""
    if any(verb in f" {reason} " for verb in _CLAUSE_VERBS):
        return reason
    return f"it depends on {reason}, which is only known at run time"
