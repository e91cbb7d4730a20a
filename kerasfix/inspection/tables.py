"""The models a source file or notebook builds, each as a `model.summary()`-style table.

`kerasfix inspect` on a `.py`/`.ipynb` reads this: the same `Summary` rows a saved model
gets, built from the statically interpreted graph, so nothing is imported or run. (Editors'
shapes beside layer calls come from the same walk, `layer_view.py`, one entry per line.)
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.checks.flatten_dense import locate
from kerasfix.checks.shape_fault import failing_node
from kerasfix.findings import Finding
from kerasfix.frontends.base import Program
from kerasfix.graph.model import Graph, Layer, Node
from kerasfix.inspection.keras_names import keras_names, written_input
from kerasfix.inspection.summary import Summary, summarize


def read_every_model(path: Path, kind: str) -> Program:
    """A source file or notebook fully analysed: unlike lint, also a file without Flatten."""
    if kind == "notebook":
        from kerasfix.frontends.notebook import read_notebook

        return read_notebook(path, prefilter=False)
    from kerasfix.frontends.source import read_source

    return read_source(path, prefilter=False)


def layer_table(program: Program, findings: list[Finding] | None = None) -> list[Summary]:
    """One table per model `program` builds, in creation order (rows carry source spans).

    `findings` are the program's lint findings; they are computed here when not given.
    A file that builds no model but calls layers gets one table of those calls.
    """
    if findings is None:
        from kerasfix.engine import lint_program
        from kerasfix.settings import Settings

        findings = lint_program(program, Settings())
    first_params: dict[int, int | None] = {}
    for node in program.graph.nodes:
        first_params.setdefault(id(node.layer), node.params)
    models: list[tuple[Graph, Layer | None]] = [
        (layer.inner, layer) for layer in program.models if layer.inner is not None
    ]
    if not models and program.graph.nodes:
        models = [(program.graph, None)]
    names = keras_names(program)
    return [_table(program, graph, layer, findings, first_params, names) for graph, layer in models]


def hidden_inputs(graph: Graph) -> set[int]:
    """Input nodes Keras's summary does not list: a Sequential's (`model.layers` leaves its
    InputLayer out) and the ones the code never wrote (a function's parameter)."""
    return {
        id(node)
        for _, sub in graph.walk()
        for node in sub.nodes
        if node.is_input and (sub.class_name == "Sequential" or not written_input(node))
    }


def _table(
    program: Program,
    graph: Graph,
    layer: Layer | None,
    findings: list[Finding],
    first_params: dict[int, int | None],
    names: dict[int, str],
) -> Summary:
    nodes = {id(node) for _, sub in graph.walk() for node in sub.nodes}
    flattens = {id(f): _flatten_node(f, program.graph) for f in findings}
    own = [f for f in findings if flattens[id(f)] is not None and id(flattens[id(f)]) in nodes]
    facts: dict[str, str] = {}
    span = layer.span if layer is not None else None
    if span is not None:
        if span.cell is not None:
            facts["cell"] = str(span.cell)
        facts["line"] = str(span.line)
    summary = summarize(
        graph,
        own,
        path=program.path,
        model_format=program.kind,
        facts=facts,
        layer_params=first_params,
        names=names,
        hidden=hidden_inputs(graph),
    )
    if layer is None:
        summary.name = "(layer calls outside any model)"
    elif summary.name is None:
        summary.name = names.get(id(layer), layer.class_name)
    return summary


def _flatten_node(finding: Finding, graph: Graph) -> Node | None:
    site = locate(graph, finding)
    return site.flatten if site is not None else failing_node(graph, finding)  # KF003
