"""One walk over an inferred graph: every layer call with its place, shape and parameters.

Two projections read it: the `kerasfix inspect` table (one per model, `summary.py`) and the
language server's inlay hints (one per source line, `frontends/source/layer_lines.py`), so
both show the same shape and count for the same call. The graph must have been through
shape inference (`lint_graph` runs it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kerasfix.graph.model import Graph, Layer, Node, Shape


@dataclass(frozen=True)
class LayerView:
    """One layer call: the node, the layer names leading to it, and how deeply nested it is."""

    node: Node
    path: tuple[str, ...]
    depth: int

    @property
    def layer(self) -> Layer:
        return self.node.layer

    @property
    def unknown_note(self) -> str | None:
        """Why the layer is opaque, or why its output shape is unknown; None when known."""
        if self.layer.opaque:
            return self.layer.opaque
        return self.node.unknown_reason if self.node.output_shape is None else None


def layer_views(
    graph: Graph, prefix: tuple[str, ...] = (), names: Mapping[int, str] | None = None
) -> Iterator[LayerView]:
    """Every call in `graph`, depth first: a nested model's calls follow the call of the
    model, each nested graph expanded once (at its first call). `names` (id(layer) -> name)
    overrides the names the graph holds (inspect: the names Keras would give)."""
    yield from _walk(graph, prefix, 0, set(), names or {})


def _walk(
    graph: Graph,
    prefix: tuple[str, ...],
    depth: int,
    expanded: set[int],
    names: Mapping[int, str],
) -> Iterator[LayerView]:
    for node in graph.nodes:
        layer = node.layer
        name = names.get(id(layer)) or layer.display_name
        # A source file may name a layer with a value known only at run time.
        path = (*prefix, name if isinstance(name, str) else layer.class_name)
        yield LayerView(node, path, depth)
        if layer.inner is not None and id(layer.inner) not in expanded:
            expanded.add(id(layer.inner))
            yield from _walk(layer.inner, path, depth + 1, expanded, names)


def format_shape(shape: Shape | None, symbolic: tuple[Any, ...] | None = None) -> str:
    """`(None, 7, 7, 512)` as Keras prints it, `(10,)` for one axis, `?` for no shape. With
    `symbolic` (the same shape as formulas of named input sizes), an unknown size after the
    batch axis shows as its formula (`H-2`) instead of `None`."""
    if shape is None:
        return "?"
    named = (
        symbolic if symbolic is not None and len(symbolic) == len(shape) else (None,) * len(shape)
    )
    dims = ", ".join(
        str(d) if d is not None else (getattr(s, "text", None) if i else None) or "None"
        for i, (d, s) in enumerate(zip(shape, named, strict=True))
    )
    return f"({dims},)" if len(shape) == 1 else f"({dims})"
