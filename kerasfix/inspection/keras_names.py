"""The names Keras 3 gives the layers and models of a source file, for `inspect`'s tables.

A layer keeps the `name=` the code gives it; any other gets Keras's automatic name: its class
in snake_case made unique per prefix in the order the objects are created (`conv2d`,
`conv2d_1`, `sequential`, `functional`), as `keras.src.utils.naming.auto_name` does when the
file runs top to bottom in a fresh session. An object is created once its arguments are, so
creation order is the order in which the constructor calls *end* in the source; objects made
by the same call (a loop, a function called twice) are ordered by their first use.
"""

from __future__ import annotations

from collections import defaultdict

from kerasfix.frontends.base import Program
from kerasfix.graph.model import Graph, Layer, Node, SourceSpan
from kerasfix.layers.naming import to_snake_case

Position = tuple[int, int, int]


def keras_names(program: Program) -> dict[int, str]:
    """id(layer) -> its name in Keras, for every layer or model the file creates without a
    name of its own (named layers keep theirs, so they are left out).

    Keras also spends names the code never sees: a Sequential, once built (at construction
    when its input is known, else at its first call), creates an `input_layer` (unless its
    first item is an Input) and a `functional`; these are counted at that moment too.
    """
    layers: dict[int, Layer] = {}
    first_use: dict[int, int] = {}
    calls: dict[int, list[tuple[Graph, Node]]] = defaultdict(list)
    for _, graph in program.graph.walk():
        for node in graph.nodes:
            layers.setdefault(id(node.layer), node.layer)
            first_use.setdefault(id(node.layer), len(first_use))
            calls[id(node.layer)].append((graph, node))
    for model in program.models:
        layers.setdefault(id(model), model)
        if model.inner is not None:
            for _, graph in model.inner.walk():
                for node in graph.nodes:
                    layers.setdefault(id(node.layer), node.layer)
                    calls[id(node.layer)].append((graph, node))
    owners = {id(layer.inner): layer for layer in layers.values() if layer.inner is not None}
    builds = _Builds(owners, calls)
    events: list[tuple[Position, int, int, str, int | None]] = []
    for key, layer in layers.items():
        order = first_use.get(key, len(first_use))
        span = created_at(layer)
        if span is not None and _unnamed(layer) and not _assumed_input(layer, calls[key]):
            events.append((_end(span), 0, order, to_snake_case(layer.class_name), key))
        if layer.inner is not None and layer.inner.class_name == "Sequential":
            built = builds.time(layer)
            if built is not None:
                where, phase = built
                if not _starts_with_written_input(layer.inner):
                    events.append((where, phase, order, "input_layer", None))
                events.append((where, phase + 1, order, "functional", None))
    counts: defaultdict[str, int] = defaultdict(int)
    names: dict[int, str] = {}
    for *_, prefix, key in sorted(events, key=lambda e: e[:3]):
        if key is not None:
            names[key] = f"{prefix}_{counts[prefix]}" if counts[prefix] else prefix
        counts[prefix] += 1
    return names


class _Builds:
    """When Keras builds a Sequential: at its construction if its input is known, else when
    it is first called: inside the Sequential that holds it, or on a tensor (just after the
    layer that made the tensor was created)."""

    def __init__(
        self, owners: dict[int, Layer], calls: dict[int, list[tuple[Graph, Node]]]
    ) -> None:
        self.owners, self.calls = owners, calls
        self.seen: set[int] = set()

    def time(self, model: Layer) -> tuple[Position, int] | None:
        if id(model) in self.seen or model.inner is None:
            return None  # a cycle: never in code that runs
        self.seen.add(id(model))
        try:
            first = model.inner.nodes[0] if model.inner.nodes else None
            if first is not None and first.is_input and first.declared_shape is not None:
                span = model.span
                return None if span is None else (_end(span), 1)
            for graph, node in self.calls.get(id(model), []):
                owner = self.owners.get(id(graph))
                if owner is not None and graph.class_name == "Sequential":
                    return self.time(owner)
                made = [created_at(parent.layer) for parent in node.inputs]
                spans = [span for span in made if span is not None]
                if spans:
                    return (max(_end(span) for span in spans), 5)
            return None
        finally:
            self.seen.discard(id(model))


def _assumed_input(layer: Layer, calls: list[tuple[Graph, Node]]) -> bool:
    """The InputLayer a Sequential makes from its first layer's `input_shape=`: Keras creates
    it when it builds the model (counted there), not where the code wrote the shape."""
    if layer.class_name != "InputLayer" or layer.span is not None:
        return False
    declared = layer.origin.get("declared_at")
    for graph, node in calls:
        index = graph.nodes.index(node)
        following = graph.nodes[index + 1 : index + 2]
        if following and following[0].layer.span == declared:
            return True
    return False


def _starts_with_written_input(graph: Graph) -> bool:
    first = graph.nodes[0] if graph.nodes else None
    return (
        first is not None and first.is_input and not _assumed_input(first.layer, [(graph, first)])
    )


def created_at(layer: Layer) -> SourceSpan | None:
    """Where the code creates `layer`: its constructor call, or for an input the `Input(...)`
    call (or the layer whose `input_shape=` declares it); None for what the code never wrote
    (the parameter of a function kerasfix analysed without a call)."""
    declared = layer.origin.get("declared_at")
    return layer.span or (declared if isinstance(declared, SourceSpan) else None)


def written_input(node: Node) -> bool:
    """An input the code wrote, as opposed to one kerasfix assumed."""
    return created_at(node.layer) is not None


def _unnamed(layer: Layer) -> bool:
    # A name known only at run time (`name=prefix + "fc"`) is the code's own, not Keras's.
    return layer.name is None and "name" not in layer.config


def _end(span: SourceSpan) -> tuple[int, int, int]:
    return (span.cell or 0, span.end_line, span.end_column)
