"""`kerasfix.check(model_or_path)`: the lint rules from Python, for notebooks and scripts.

A live `keras.Model` (Keras 3 or tf.keras) is read through `get_config()` and its built
input shapes; it is never called, so checking a model costs no forward pass and no memory
for activations. Keras is never imported here: the model object brings its own.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasfix.checks.options import RuleOptions
from kerasfix.findings import Finding
from kerasfix.graph.model import Graph, Shape

if TYPE_CHECKING:
    from kerasfix.inspection.summary import Summary


class Findings(list[Finding]):
    """The findings of one check: a plain list that also renders as a table in Jupyter."""

    def __init__(self, findings: list[Finding], graph: Graph | None = None) -> None:
        super().__init__(findings)
        self.graph = graph

    @property
    def saved_params(self) -> int:
        """Parameters every KF001 swap to global pooling would save."""
        return sum(f.saved_params or 0 for f in self if f.rule == "KF001")

    def __str__(self) -> str:
        if not self:
            return "No findings."
        lines = [f"{_where(f)}{f.rule} {f.message}" for f in self]
        if self.saved_params:
            lines.append(f"Global pooling would save {self.saved_params:,} parameters.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if not self:
            return "<p><b>kerasfix</b>: no findings.</p>" + self._chart_html()
        return self._chart_html() + self._table_html()

    def _chart_html(self) -> str:
        """The chart `inspect` draws: parameters per layer before/after the swaps."""
        if self.graph is None:
            return ""
        from kerasfix.html_report import fragment
        from kerasfix.inspection.summary import summarize

        return fragment(summarize(self.graph, list(self), path=self[0].path if self else ""))

    def _table_html(self) -> str:
        rows = "".join(
            "<tr>"
            f"<td>{html.escape(f.rule)}</td><td>{html.escape(f.severity.value)}</td>"
            f"<td><code>{html.escape('/'.join(f.layer_path or ()) or _where(f))}</code></td>"
            f"<td style='text-align:right'>{_num(f.data.report().get('params_flatten'))}</td>"
            f"<td style='text-align:right'>{_num(f.data.report().get('params_pooling'))}</td>"
            f"<td style='text-align:left'>{html.escape(f.message)}</td>"
            "</tr>"
            for f in self
        )
        total = (
            f"<p>Global pooling would save <b>{self.saved_params:,}</b> parameters.</p>"
            if self.saved_params
            else ""
        )
        return (
            "<table><thead><tr><th>Rule</th><th>Severity</th><th>Layer</th>"
            "<th>Params (Flatten)</th><th>Params (pooling)</th><th>Message</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{total}"
        )


def check(model_or_path: Any, options: RuleOptions | None = None) -> Findings:
    """Findings for a live Keras model, or for a model/source file path, as `lint` gives
    them: a file gets the configuration nearest to it and its `# noqa` comments apply; a
    live model the defaults. `options` replaces the configured KF001 thresholds."""
    from dataclasses import replace

    from kerasfix.engine import lint_program
    from kerasfix.frontends.base import Program
    from kerasfix.settings import Settings

    if isinstance(model_or_path, (str, os.PathLike)):
        from kerasfix.config import settings_for_file
        from kerasfix.frontends import read

        path = Path(model_or_path)
        program = read(path)
        settings = settings_for_file(path)
    else:
        program = Program("", "model", graph_of_live_model(model_or_path))
        settings = Settings()
    if options is not None:
        settings = replace(settings, rule_options={**settings.rule_options, options.TABLE: options})
    return Findings(lint_program(program, settings), program.graph)


class Tables(list["Summary"]):
    """`kerasfix.inspect` results: one table per model, shown with its chart in Jupyter
    (each table too)."""

    def __init__(self, summaries: list[Summary]) -> None:
        from kerasfix.html_report.jupyter import shown

        super().__init__(shown(summary) for summary in summaries)

    def __str__(self) -> str:
        import io

        from kerasfix.inspection.text import render_text

        out = io.StringIO()
        for index, summary in enumerate(self):
            out.write("\n" if index else "")
            render_text(summary, out)
        return out.getvalue() or "No Keras model."

    def _repr_html_(self) -> str:
        from kerasfix.html_report import fragment

        return "".join(fragment(summary) for summary in self) or "<p>No Keras model.</p>"


def inspect(model_or_path: Any) -> Tables:
    """The `kerasfix inspect` tables of a live model, a model file, a script or a notebook."""
    from kerasfix.commands.inspect import build_source_summaries, build_summary
    from kerasfix.engine import lint_program
    from kerasfix.frontends import kind_of
    from kerasfix.frontends.base import Program
    from kerasfix.inspection.summary import summarize
    from kerasfix.settings import Settings

    if isinstance(model_or_path, (str, os.PathLike)):
        path = Path(model_or_path)
        kind = kind_of(path)
        if kind in ("source", "notebook"):
            summaries, skipped = build_source_summaries(path, kind)
            for summary in summaries if skipped else ():
                summary.notes.append(skipped)  # analysed around, as lint does
            return Tables(summaries)
        return Tables([build_summary(path)])
    program = Program("", "model", graph_of_live_model(model_or_path))
    return Tables([summarize(program.graph, lint_program(program, Settings()))])


def graph_of_live_model(model: Any) -> Graph:
    """The graph of a live model from its config and built input shapes (never called)."""
    from kerasfix.frontends.base import InputError
    from kerasfix.frontends.saved_model.config_graph import graph_from_config

    if not callable(getattr(model, "get_config", None)):
        raise TypeError(f"expected a keras.Model or a path, got {type(model).__name__}")
    try:
        config = model.get_config()
    except NotImplementedError:
        raise InputError(
            f"'{type(model).__name__}' is a subclassed model without get_config(): its "
            "architecture lives in code (lint the source instead)"
        ) from None
    if not isinstance(config, (dict, list)):
        raise InputError(f"get_config() of '{type(model).__name__}' returned no model config")
    config = _plain(config)
    return graph_from_config(
        {"class_name": _model_class(model, config), "config": config},
        input_shapes=_built_input_shapes(model),
    )


def _model_class(model: Any, config: Any) -> str:
    """'Sequential' or 'Functional' when the model is one (subclasses included)."""
    names = {cls.__name__ for cls in type(model).__mro__}
    if "Sequential" in names:
        return "Sequential"
    graph_network = "Functional" in names or getattr(model, "_is_graph_network", False)
    if isinstance(config, dict) and "layers" in config and graph_network:
        return "Functional"
    return type(model).__name__


def _built_input_shapes(model: Any) -> list[Shape | None] | None:
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    if not inputs:
        return None
    shapes: list[Shape | None] = []
    for tensor in inputs:
        shape = getattr(tensor, "shape", None)
        as_list = getattr(shape, "as_list", None)
        dims = as_list() if callable(as_list) else shape
        try:
            shapes.append(tuple(None if d is None else int(d) for d in dims))
        except (TypeError, ValueError):
            shapes.append(None)
    return shapes


def _plain(value: Any, depth: int = 0) -> Any:
    """A live config as the JSON a saved file would hold: tuples become lists, numpy
    integers become ints (the graph builder reads saved and live configs alike)."""
    if depth > 200:
        return value
    if isinstance(value, dict):
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    if not isinstance(value, (bool, int, float, str)) and hasattr(value, "__index__"):
        return int(value)
    return value


def _where(finding: Finding) -> str:
    return f"{finding.path}: " if finding.path else ""


def _num(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"
