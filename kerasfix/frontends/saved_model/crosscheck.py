"""Compare the parameter counts worked out from a legacy `.h5` config with its stored weights.

A mismatch means the config and the weights disagree (an edited file, or a layer kerasfix
gets wrong): it is reported as a note, so numbers are never silently trusted.
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.graph.inference import infer
from kerasfix.graph.model import Graph


def weight_mismatches(path: Path, graph: Graph) -> list[str]:
    """Notes for each top-level layer whose stored weights differ from its computed params."""
    from kerasfix.kerasfile.weights import legacy_h5_weights

    stored = legacy_h5_weights(path)
    if stored is None or not stored.per_layer:
        return []
    infer(graph)
    notes = []
    seen: set[int] = set()
    for node in graph.nodes:
        layer = node.layer
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        name = layer.display_name
        if node.params is None or name not in stored.per_layer:
            continue
        if stored.per_layer[name] != node.params:
            notes.append(
                f"weights of '{name}' hold {stored.per_layer[name]:,} values, but its config "
                f"implies {node.params:,} parameters"
            )
    return notes
