"""`model.layers[-1]` of a functional model the file built: the layer object itself, so that
calling it again on a new input is seen as the reuse of a built layer (KF003: the decoder
of an autoencoder cut as `Model(code, autoencoder.layers[-1](code))`, whose last Dense has
weights for the layer before it, not for the code).

Only a model that is one chain of distinct layers is read, and only from its end: every
Keras lists a chain's layers in call order, while whether the `InputLayer` comes first
differs between generations and model kinds. Anything else stays unknown (this value is an
`Unknown` to every other operation: loops, `len()`, `Sequential(model.layers)`).

A Sequential's `layers` are its added layers, in order (Keras leaves its input out), and any
model's layer can be taken by name (`get_layer`); an unnamed layer's name is the one Keras
gives it at run time (an `AutoLayerName`, made by the interpreter)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from kerasfix.frontends.source.values import (
    LayerValue,
    ModelValue,
    SequentialValue,
    TensorValue,
    Unknown,
)
from kerasfix.graph.model import Graph, Node


@dataclass(frozen=True, eq=False)
class ModelLayers(Unknown):
    """`model.layers` of a functional model: unknown but for negative indices."""

    reason: str = "the layer list of a model, which kerasfix reads only from its end"
    graph: Graph | None = None

    def subscript(self, index: Any) -> Any:
        graph = self.graph
        chain = chain_layers(graph) if graph is not None and graph not in _EDITED else None
        if isinstance(index, bool) or not isinstance(index, int) or chain is None:
            return Unknown(self.reason)  # a slice of it is not this list
        if not -len(chain) <= index < 0:
            return Unknown(self.reason)
        return LayerValue(chain[index].layer)

    def attribute(self, attr: str) -> Any:
        """`model.layers.pop()` edits the list in standalone Keras 2 (a copy in tf.keras):
        after any method of the list, its items are not read for this model."""
        if self.graph is not None:
            _EDITED.add(self.graph)
        return Unknown(self.reason)


def sequential_layers(seq: SequentialValue) -> list[LayerValue] | None:
    """A Sequential's `layers` when each is a layer added for sure (its input, when given as
    an `Input`, is not one of them); None otherwise."""
    items = [value for value, _, _ in seq.items if not _input_item(value)]
    if all(isinstance(value, LayerValue) for value in items) and not any(
        conditional for _, conditional, _ in seq.items
    ):
        return items
    return None


def named_layer(model: SequentialValue | ModelValue, name: Any) -> Any:
    """`model.get_layer("bottleneck")`: the layer of that name in a model the file built."""
    if isinstance(model, SequentialValue):
        layers = [value.layer for value in sequential_layers(model) or ()]
    else:
        assert model.layer.inner is not None
        layers = list({id(n.layer): n.layer for n in model.layer.inner.nodes}.values())
    named = [layer for layer in layers if isinstance(name, str) and layer.name == name]
    if len(named) != 1:
        return Unknown("a layer of a model chosen by name or index at run time")
    return LayerValue(named[0])


def _input_item(value: Any) -> bool:
    """A Sequential's input given as an item (`Input(...)`, `InputLayer(...)`): not one of
    its `layers` in Keras."""
    if isinstance(value, TensorValue):
        return True
    return isinstance(value, LayerValue) and value.layer.class_name == "InputLayer"


# Models whose layer list the file has called a method of (weakly: one lint's graphs).
_EDITED: weakref.WeakSet[Graph] = weakref.WeakSet()


def chain_layers(graph: Graph) -> list[Node] | None:
    """The model's nodes after its input, in call order, when they form one chain of
    distinct plain layers (no nested model, no layer of unknown behaviour); else None."""
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        return None
    chain: list[Node] = []
    node = graph.outputs[0]
    while not node.is_input:
        layer = node.layer
        if len(node.inputs) != 1 or layer.inner is not None or layer.opaque is not None:
            return None
        chain.append(node)
        node = node.inputs[0]
    if node is not graph.inputs[0]:
        return None
    members = [n for n in graph.nodes if not n.is_input]
    layers = {id(n.layer) for n in chain}
    if len(members) != len(chain) or len(layers) != len(chain):
        return None  # a side branch or a layer used twice: Keras's order is not read here
    return chain[::-1]


# The layer calls a file's own run made for sure, in call order, kept before code it defines
# but never calls is explored and Sequentials are laid out (weakly: one lint's graphs).
_MAIN_RUN: weakref.WeakKeyDictionary[Graph, list[Node]] = weakref.WeakKeyDictionary()


def mark_main_run(graph: Graph, depths: dict[int, int], undecided: bool) -> None:
    """Called once the file has run: its calls made outside any undecided loop, in order;
    none when it met a condition it does not decide (merged branches call a shared layer
    in both, though a run takes one)."""
    sure = [] if undecided else [n for n in graph.nodes if depths.get(id(n), 0) == 0]
    _MAIN_RUN[graph] = sure


def main_run_calls(graph: Graph) -> list[Node]:
    """The layer calls the file's own run surely made, in call order (none if not marked)."""
    return _MAIN_RUN.get(graph, [])
