"""Run the rules over a layer graph: inference first, then every check, then de-duplication."""

from __future__ import annotations

from collections.abc import Iterable

from kerasfix.checks import flatten_dense
from kerasfix.checks.options import RuleOptions
from kerasfix.findings import Finding
from kerasfix.graph.inference import infer
from kerasfix.graph.model import Graph

ALL_RULES: tuple[str, ...] = ("KF001", "KF002")


def lint_graph(
    graph: Graph,
    options: RuleOptions | None = None,
    path: str = "",
    selected: Iterable[str] = ALL_RULES,
) -> list[Finding]:
    """Findings for `graph` and every model nested in it, one per Flatten -> Dense pair
    (a Flatten feeding several heads is reported for each), sorted."""
    options = options or RuleOptions()
    wanted = set(selected)
    infer(graph)
    best: dict[object, Finding] = {}
    for prefix, sub in graph.walk():
        for finding in flatten_dense.check(sub, options, prefix):
            if finding.rule not in wanted:
                continue
            finding.path = path
            key = (finding.span or finding.layer_path, finding.dense_layer)
            # The same Flatten can be reached standalone and as part of an outer model:
            # keep the most informative finding (known sizes beat unknown ones).
            current = best.get(key)
            if current is None or _informative(finding) > _informative(current):
                best[key] = finding
    return sorted(best.values(), key=Finding.sort_key)


def _informative(finding: Finding) -> int:
    return (finding.rule == "KF001") * 2 + (finding.params_flatten is not None)
