"""The `kerasfix inspect` data: a model.summary()-like table with findings and totals.

Built from the same inferred graph and findings `lint` uses, so the table and the lint
messages can never disagree. Weight bytes come from the stored HDF5 dtypes when the file
has them (never the arrays), else from the parameter count at float32.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kerasfix.checks.flatten_dense import locate
from kerasfix.checks.shape_fault import failing_node
from kerasfix.findings import Finding
from kerasfix.graph.model import Graph, Layer, Node, Shape, SourceSpan
from kerasfix.inspection.keras_names import created_at
from kerasfix.inspection.layer_view import layer_views
from kerasfix.kerasfile.weights import WeightInfo


@dataclass
class Row:
    """One layer call in the table; `depth` > 0 for layers inside nested models."""

    path: tuple[str, ...]
    class_name: str
    output_shape: Shape | None
    params: int | None
    depth: int
    markers: list[str] = field(default_factory=list)
    note: str | None = None  # why the shape is unknown / the layer is opaque
    opaque: bool = False
    params_after: int | None = None  # what every KF001 swap to global pooling leaves
    span: SourceSpan | None = None  # where a source file constructs the layer

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": "/".join(self.path),
            "class_name": self.class_name,
            "output_shape": list(self.output_shape) if self.output_shape is not None else None,
            "params": self.params,
            "params_after_swaps": self.params_after,
            "line": self.span.line if self.span else None,
            "cell": self.span.cell if self.span else None,
            "depth": self.depth,
            "findings": self.markers,
            "note": self.note,
            "opaque": self.opaque,
        }


@dataclass
class Summary:
    path: str
    name: str | None
    format: str | None
    facts: dict[str, str]
    rows: list[Row]
    findings: list[Finding]
    total_params: int | None
    weights: WeightInfo | None
    notes: list[str] = field(default_factory=list)
    graph: Graph | None = field(default=None, repr=False, compare=False)
    between_saved: int = 0  # what the swaps save on layers between Flatten and Dense

    @property
    def swaps(self) -> list[Finding]:
        return [f for f in self.findings if f.rule == "KF001" and f.saved_params is not None]

    @property
    def params_after_swaps(self) -> int | None:
        if self.total_params is None:
            return None
        return self.total_params - self.params_saved

    @property
    def params_saved(self) -> int:
        return sum(f.saved_params or 0 for f in self.swaps) + self.between_saved

    @property
    def weight_bytes(self) -> int | None:
        if self.weights is not None:
            return self.weights.bytes
        return None if self.total_params is None else self.total_params * 4

    @property
    def bytes_per_param(self) -> int:
        info = self.weights
        if info is None or not info.values or len(info.by_dtype) != 1:
            return 4
        return info.bytes // info.values

    @property
    def weight_bytes_after_swaps(self) -> int | None:
        total = self.weight_bytes
        if total is None:
            return None
        return total - self.params_saved * self.bytes_per_param

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "model": self.name,
            "format": self.format,
            **self.facts,
            "layers": [row.to_dict() for row in self.rows],
            "total_params": self.total_params,
            "params_after_swaps": self.params_after_swaps,
            "swaps": len(self.swaps),
            "weight_bytes": self.weight_bytes,
            "weight_dtypes": sorted(self.weights.by_dtype) if self.weights else None,
            "weight_bytes_source": "stored" if self.weights else "estimated (float32)",
            "weight_bytes_after_swaps": self.weight_bytes_after_swaps,
            "findings": [f.to_dict() for f in self.findings],
            "notes": self.notes,
        }


def summarize(
    graph: Graph,
    findings: list[Finding],
    path: str = "",
    model_format: str | None = None,
    facts: dict[str, str] | None = None,
    weights: WeightInfo | None = None,
    notes: list[str] | None = None,
    layer_params: dict[int, int | None] | None = None,
    names: Mapping[int, str] | None = None,
    hidden: Collection[int] = (),
) -> Summary:
    """The table for an already-linted graph (inference has filled shapes and params).

    `layer_params` (id(layer) -> its parameters) counts a shared layer at its first call in
    *this* graph; without it a node's own count is used (0 for a layer called before).
    `names` (id(layer) -> name) overrides layer names; nodes in `hidden` (ids) get no row.
    """
    markers: dict[int, list[str]] = {}
    savings: dict[int, int] = {}
    between: dict[int, int] = {}  # a BatchNormalization between shrinks with the swap
    for finding in findings:
        if (failing := failing_node(graph, finding)) is not None:  # KF003: the refusing layer
            markers.setdefault(id(failing), []).append(finding.rule)
            continue
        site = locate(graph, finding)
        if site is None:
            continue
        for node, suffix in ((site.flatten, ""), (site.dense, " (Dense)")):
            markers.setdefault(id(node), []).append(f"{finding.rule}{suffix}")
        if finding.rule == "KF001" and finding.saved_params is not None:
            savings[id(site.dense)] = savings.get(id(site.dense), 0) + finding.saved_params
            between.update(_between_savings(site, finding))
    savings.update(between)
    counter = _Counter(layer_params)
    rows = _rows(graph, markers, savings, counter, names, hidden)
    top = [row for row in rows if row.depth == 0]
    total = None if any(r.params is None for r in top) else sum(r.params or 0 for r in top)
    if total is None and weights is not None and weights.values:
        total = weights.values  # opaque layers: the stored weights still count exactly
    return Summary(
        path=path,
        name=graph.name,
        format=model_format,
        facts=dict(facts or {}),
        rows=rows,
        findings=findings,
        total_params=total,
        weights=weights,
        notes=list(notes or []),
        graph=graph,
        between_saved=sum(between.values()),
    )


def _between_savings(site: Any, finding: Finding) -> dict[int, int]:
    """Parameters a swap also saves on the layers between Flatten and Dense: a
    BatchNormalization there keeps its per-feature variables for the channels only."""
    shape = getattr(finding.data, "shape", None)
    if not shape or any(d is None for d in shape):
        return {}
    features = math.prod(shape)
    channels = shape[0] if getattr(finding.data, "channels_first", False) else shape[-1]
    saved = {}
    for node in site.between:
        if node.layer.class_name == "BatchNormalization" and node.params and features:
            saved[id(node)] = node.params - node.params // features * channels
    return saved


class _Counter:
    """Parameters per node, each layer counted once per table."""

    def __init__(self, layer_params: dict[int, int | None] | None) -> None:
        self.layer_params = layer_params
        self.counted: set[int] = set()

    def __call__(self, node: Node) -> int | None:
        if self.layer_params is None or id(node.layer) not in self.layer_params:
            return node.params
        if id(node.layer) in self.counted:
            return 0
        self.counted.add(id(node.layer))
        return self.layer_params[id(node.layer)]


def _rows(
    graph: Graph,
    markers: dict[int, list[str]],
    savings: dict[int, int],
    count: _Counter,
    names: Mapping[int, str] | None,
    hidden: Collection[int],
) -> list[Row]:
    rows: list[Row] = []
    for view in layer_views(graph, names=names):
        node, layer = view.node, view.layer
        if id(node) in hidden:
            continue
        params = count(node)
        row = Row(
            path=view.path,
            class_name=_shown_class(layer),
            output_shape=node.output_shape,
            params=params,
            depth=view.depth,
            markers=markers.get(id(node), []),
            note=view.unknown_note,
            opaque=layer.opaque is not None,
            span=created_at(layer),
        )
        rows.append(row)
        saved = savings.get(id(node), 0)
        if layer.inner is not None:
            inner_nodes = {id(n) for _, sub in layer.inner.walk() for n in sub.nodes}
            saved += sum(v for k, v in savings.items() if k in inner_nodes)
        # A later call of a shared layer counts 0 before and after.
        row.params_after = params - saved if params else params
    return rows


def weights_for(path: Path, model_format: str) -> WeightInfo | None:
    """Stored weight metadata for a model file, None when not cheaply readable."""
    from kerasfix.kerasfile.weights import keras_archive_weights, legacy_h5_weights

    if model_format == "keras":
        return keras_archive_weights(path)
    if model_format == "h5":
        return legacy_h5_weights(path)
    return None


def _shown_class(layer: Layer) -> str:
    """The class as the file names it; a custom layer by its registered name (`package>Class`),
    which is what a legacy .h5 stores as its class name, so both formats read the same."""
    registered = layer.origin.get("registered_name")
    if isinstance(registered, str) and ">" in registered:
        return registered
    return layer.origin.get("class_name") or layer.class_name
