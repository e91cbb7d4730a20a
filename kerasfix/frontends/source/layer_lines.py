"""Each layer a source file builds, with where it is written and what inference made of it.

A static `model.summary()` keyed by source line: editors show it as inlay hints. It is the
per-line projection of the walk `kerasfix inspect` tabulates (`kerasfix.inspection.layer_view`),
so the graph must have been through shape inference (`lint_graph` runs it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kerasfix.graph.model import Graph, Shape, SourceSpan
from kerasfix.inspection.layer_view import format_shape, layer_views


@dataclass(frozen=True)
class LayerLine:
    """One layer call written in the source: its span, output shape and parameter count."""

    span: SourceSpan
    class_name: str
    name: str
    output_shape: Shape | None
    params: int | None
    unknown_reason: str | None = None  # why a dimension or the count is not known
    # The same shape with unknown sizes as formulas of named input sizes (`H-2`), if known.
    symbolic_shape: tuple[Any, ...] | None = None

    @property
    def label(self) -> str:
        """`(None, 38, 38, 256) · 2,360,320 params`; an unknown size shows as the formula the
        KF002 message uses (`(None, H-2, W-2, 256)`), else `None`; `?` for no shape at all."""
        shape = format_shape(self.output_shape, self.symbolic_shape)
        params = "?" if self.params is None else f"{self.params:,}"
        return f"{shape} · {params} params"


def layer_lines(graph: Graph) -> list[LayerLine]:
    """One entry per source line that ends a layer call, the outermost call on that line.

    On a line such as `model = keras.Sequential([layers.Dense(1)])` the model wins (its
    output and total parameters); a shared layer is shown at its first call.
    """
    best: dict[tuple[int | None, int], tuple[tuple[int, int, int], LayerLine]] = {}
    for view in layer_views(graph):
        node = view.node
        span = node.layer.span
        if span is None:
            continue
        entry = LayerLine(
            span,
            node.layer.class_name,
            node.layer.display_name,
            node.output_shape,
            node.params,
            node.unknown_reason,
            node.symbolic_shape,
        )
        key = (span.cell, span.end_line)
        # Outermost first; between calls written at the same place (a layer built in a loop
        # or a shared one), the least nested graph's, then the first.
        rank = (*_outer(span), view.depth)
        current = best.get(key)
        if current is None or rank < current[0]:
            best[key] = (rank, entry)
    entries = [entry for _, entry in best.values()]
    return sorted(entries, key=lambda e: (e.span.cell or 0, e.span.end_line))


def _outer(span: SourceSpan) -> tuple[int, int]:
    return (span.line, span.column)
