"""Each layer a source file builds, with where it is written and what inference made of it.

A static `model.summary()` keyed by source line: editors show it as inlay hints. The graph
must have been through shape inference (`kerasfix.graph.inference.infer`, which
`lint_graph` runs) so the shapes and counts are filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kerasfix.graph.model import Graph, Shape, SourceSpan


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
        shape = "?" if self.output_shape is None else _shape(self.output_shape, self.symbolic_shape)
        params = "?" if self.params is None else f"{self.params:,}"
        return f"{shape} · {params} params"


def layer_lines(graph: Graph) -> list[LayerLine]:
    """One entry per source line that ends a layer call, the outermost call on that line.

    On a line such as `model = keras.Sequential([layers.Dense(1)])` the model wins (its
    output and total parameters); a shared layer is shown at its first call.
    """
    best: dict[tuple[int | None, int], LayerLine] = {}
    for _, sub in graph.walk():
        for node in sub.nodes:
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
            current = best.get(key)
            if current is None or _outer(span) < _outer(current.span):
                best[key] = entry
    return sorted(best.values(), key=lambda e: (e.span.cell or 0, e.span.end_line))


def _outer(span: SourceSpan) -> tuple[int, int]:
    return (span.line, span.column)


def _shape(shape: Shape, symbolic: tuple[Any, ...] | None = None) -> str:
    named = (
        symbolic if symbolic is not None and len(symbolic) == len(shape) else (None,) * len(shape)
    )
    dims = ", ".join(
        str(d) if d is not None else (getattr(s, "text", None) if i else None) or "None"
        for i, (d, s) in enumerate(zip(shape, named, strict=True))
    )
    return f"({dims},)" if len(shape) == 1 else f"({dims})"
