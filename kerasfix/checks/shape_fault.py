"""KF003: a model that will crash on its shapes, found before it runs.

Two kinds, one rule. The model cannot be built: a layer gets an input Keras refuses (a
Conv2D on `(None, 28, 28)`, a window larger than its map). Or the model is fed data it
cannot take: `fit`/`predict`/`evaluate`/`model(x)` with inputs, or targets against the
output and the loss, whose shapes the file fixes. Reported only when every shape involved
is known, no undecided branch or unknown layer is on the way, and no Keras generation would
read the code differently: a false error in someone's pre-commit is worse than silence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kerasfix.checks.input_origin import model_input, sized_by
from kerasfix.checks.shape_replay import (
    Refusal,
    exact,
    follows_config,
    fully_known,
    generation_dependent,
    looks_channels_first,
    replay,
    shape_text,
)
from kerasfix.findings import Finding, RuleData, Severity, plain_shape, plain_text
from kerasfix.graph.model import Graph, Node, Shape
from kerasfix.rule import Rule

_RANK = re.compile(r"rank (\d+)")


@dataclass(frozen=True)
class ShapeFaultFacts(RuleData):
    """KF003 facts: which kind, the layer that refuses, the shape it gets and the one the
    model has (its declared input, or its output for targets)."""

    kind: str = "build"  # "build" | "data" | "targets"
    layer: str | None = None
    layer_at: tuple[int, int, int] | None = None  # (cell or 0, line, column) of that layer
    got: tuple[int | None, ...] | None = None
    model_shape: tuple[int | None, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "layer", plain_text(self.layer))
        object.__setattr__(self, "got", plain_shape(self.got))
        object.__setattr__(self, "model_shape", plain_shape(self.model_shape))
        at = self.layer_at
        ok = isinstance(at, tuple | list) and len(at) == 3
        object.__setattr__(self, "layer_at", tuple(at) if ok else None)  # type: ignore[arg-type]

    def report(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "failing_layer": self.layer,
            "got_shape": list(self.got) if self.got is not None else None,
            "model_shape": list(self.model_shape) if self.model_shape is not None else None,
        }

    def encode(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "layer": self.layer,
            "layer_at": list(self.layer_at) if self.layer_at else None,
            "got": list(self.got) if self.got is not None else None,
            "model_shape": list(self.model_shape) if self.model_shape is not None else None,
        }

    @classmethod
    def decode(cls, data: dict[str, Any]) -> ShapeFaultFacts:
        def shape(key: str) -> tuple[int | None, ...] | None:
            value = data.get(key)
            return tuple(value) if isinstance(value, list) else None

        at = data.get("layer_at")
        return cls(
            kind=str(data.get("kind", "build")),
            layer=data.get("layer"),
            layer_at=tuple(at) if isinstance(at, list) else None,  # type: ignore[arg-type]
            got=shape("got"),
            model_shape=shape("model_shape"),
        )

    def subject(self) -> object:
        return (self.kind, self.layer_at)


def check(graph: Graph, options: object, prefix: tuple[str, ...] = ()) -> Iterator[Finding]:
    """KF003 findings for one graph (nested graphs are walked by the engine)."""
    for node in graph.nodes:
        if node.build_error is not None:
            finding = _cannot_build(node, prefix)
            if finding is not None:
                yield finding
        if node.is_input:
            for feed in node.layer.origin.get("feeds", ()):
                finding = _fed(node, feed)
                if finding is not None:
                    yield finding
    if graph.class_name == "Program":  # the file's every layer call, in call order
        yield from _reused(graph)


# ----------------------------------------------------------------- kind 1: cannot be built


def _cannot_build(node: Node, prefix: tuple[str, ...]) -> Finding | None:
    if node.layer.inner is not None or any(parent.build_error for parent in node.inputs):
        return None  # reported where it starts (inside a nested model: on its layer)
    got = [parent.output_shape for parent in node.inputs]
    reason = _reason(node.build_error or "")
    rank_error = _RANK.search(reason) is not None
    if not got or not all(fully_known(s) for s in got) or not _sure_path(node, rank_error):
        return None
    layer = node.layer
    shape = got[0]
    assert shape is not None
    source = model_input(node)
    origin = _origin_text(node, source)
    message = (
        f"{_name(node)} cannot be built on the input it gets, {shape_text(shape)}: {reason}"
        f"{_keras_terms(reason, shape)}; {origin}{_repair(node, source, reason, shape)}"
    )
    world = layer.origin.get("world")
    if isinstance(world, str) and world:  # one of the file's exclusive branches
        message += f" (when {world})"
    return Finding(
        rule="KF003",
        severity=Severity.ERROR,
        message=message,
        span=layer.span,
        layer_path=None if layer.span else (*prefix, layer.display_name),
        data=ShapeFaultFacts(
            kind="build",
            layer=layer.display_name,
            layer_at=_at(node),
            got=shape,
            model_shape=source.output_shape,
        ),
    )


# Layers whose weights fix the size of their input's last axis in every Keras (input_spec
# set when built), and read the same by every generation.
_WEIGHTS_ON_LAST_AXIS = frozenset({"Dense"})


def _reused(graph: Graph) -> Iterator[Finding]:
    """A layer called on inputs whose last axes differ (`autoencoder.layers[-1](code)` with a
    Dense made for a wider input): its first call builds the weights, Keras refuses the
    other. Only the calls the file's own run makes, in their order."""
    # Only a source file's graph is a "Program" (a saved model's lint never loads this).
    from kerasfix.frontends.source.model_layers import main_run_calls

    first: dict[int, Node] = {}
    for node in main_run_calls(graph):  # not code the file never calls, explored
        layer = node.layer
        if layer.class_name not in _WEIGHTS_ON_LAST_AXIS or len(node.inputs) != 1:
            continue
        built = first.setdefault(id(layer), node)
        if built is node:
            continue
        old, new = built.inputs[0].output_shape, node.inputs[0].output_shape
        sure = all(n.build_error is None and _sure_path(n) for n in (built, node))
        if not (sure and fully_known(old) and fully_known(new)) or old is None or new is None:
            continue
        if old[-1] == new[-1] or layer.origin.get("world") or built.uncertain or node.uncertain:
            continue
        message = (
            f"{_name(node)} is called on {shape_text(new)}, but its first call built its "
            f"weights for inputs of shape {shape_text(old)}: expected axis -1 of input shape "
            f"to have value {old[-1]}, got {new[-1]} (Keras: ValueError, input incompatible "
            "with the layer)"
        )
        yield Finding(
            rule="KF003",
            severity=Severity.ERROR,
            message=message,
            span=layer.span,
            data=ShapeFaultFacts(
                kind="build",
                layer=layer.display_name,
                layer_at=_at(node),
                got=new,
                model_shape=old,
            ),
        )


def _sure_path(node: Node, rank_error: bool = False) -> bool:
    """Every node up to the inputs is sized exactly and read the same by every Keras (and
    every configuration: no spatial layer on an input that looks channels-first without
    saying which axis holds the channels), and in every world of the file's undecided
    branches: a world can be one no run reaches (`if out_channels != in_channels:` taken
    false when they differ), so a fault only some worlds have is no claim."""
    if node.uncertain is not None or generation_dependent(node.layer, rank_error) is not None:
        return False
    path, stack, seen = [node], list(node.inputs), set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if not current.is_input and (
            not exact(current, rank_error) or current.uncertain is not None
        ):
            return False
        path.append(current)
        stack.extend(current.inputs)
    if any(n.layer.origin.get("world") for n in path):
        return False
    return not _config_dependent(path)


def _config_dependent(nodes: list[Node]) -> bool:
    inputs = [n for n in nodes if n.is_input]
    spatial = any(follows_config(n.layer) for n in nodes if not n.is_input)
    return spatial and any(looks_channels_first(n.output_shape) for n in inputs)


def _reason(build_error: str) -> str:
    """The arithmetic's own reason, without the "Keras cannot build 'X' (line n): " lead."""
    _, sep, rest = build_error.partition("): ")
    return rest if sep else build_error


def _keras_terms(reason: str, shape: Shape) -> str:
    """What Keras says when it refuses, in its own words (Keras 2 and 3 agree on these)."""
    match = _RANK.search(reason)
    if match is not None:
        return f" (Keras: ValueError, expected ndim {match.group(1)}, found ndim={len(shape)})"
    if "does not fit" in reason:
        return " (Keras: ValueError, computed output size would be zero or negative)"
    if "axis -1" in reason:
        return " (Keras: ValueError, input incompatible with the layer)"
    return " (Keras: ValueError)"


def _origin_text(node: Node, source: Node) -> str:
    declared = shape_text(source.output_shape)
    fixed = sized_by(source)
    if fixed is not None:
        where = f"the input {declared} is fixed by {fixed}"
    else:
        at = source.layer.origin.get("declared_at")
        line, cell = getattr(at, "line", None), getattr(at, "cell", None)
        place = f"cell {cell}, line {line}" if cell is not None else f"line {line}"
        where = f"the model's input {declared} is declared at {place}"
        if not line:
            where = f"the model's input is {declared}"
    if node.inputs and node.inputs[0] is not source:
        where += " and reaches it through the layers before it"
    return where


def _repair(node: Node, source: Node, reason: str, shape: Shape) -> str:
    """`input_shape=(28, 28, 1)` for a channels-last convolution declared one axis short."""
    config = node.layer.config
    if node.inputs[:1] != [source] or sized_by(source) or "rank" not in reason:
        return ""
    match = _RANK.search(reason)
    channels_last = config.get("data_format") in (None, "channels_last")
    if match is None or int(match.group(1)) != len(shape) + 1 or not channels_last:
        return ""
    wanted = shape_text((*tuple(d for d in shape[1:] if d is not None), 1))
    if source.layer.origin.get("declared_at") == node.layer.span:  # the layer's input_shape=
        return f" (the usual repair for one channel: input_shape={wanted})"
    return f" (the usual repair for one channel: Input(shape={wanted}))"


# ----------------------------------------------------------------- kind 2: fed data


def _fed(source: Node, feed: dict[str, Any]) -> Finding | None:
    graph: Graph | None = feed.get("graph")
    if graph is None or source.layer.origin.get("implicit_input") or sized_by(source):
        return None  # a model sized by its data is built from it: kind 1 covers that
    declared = source.output_shape
    outputs = graph.outputs
    if not fully_known(declared) or len(outputs) != 1 or not all(exact(n) for n in graph.nodes):
        return None
    if any(n.build_error for n in graph.nodes) or _config_dependent(graph.nodes):
        return None  # a model that cannot be built is reported as such
    assert declared is not None
    x = feed.get("x")
    if not isinstance(x, tuple) or not all(isinstance(d, int) for d in x[1:]):
        return None
    sample = x[1:]
    if sample != declared[1:]:
        return _input_refused(graph, source, feed, declared, x)
    return _targets_refused(graph, feed, x)


def _input_refused(
    graph: Graph, source: Node, feed: dict[str, Any], declared: Shape, x: tuple[Any, ...]
) -> Finding | None:
    rank, want = len(x), len(declared)
    if (rank == want - 1 and declared[-1] == 1) or (rank == want + 1 and x[-1] == 1):
        return None  # Keras 3 adds or drops a trailing 1-axis here; Keras 2 refused
    if rank == 1 and want > 2 and declared[-1] != 1:
        # One number per sample, (n, 1) to Keras 2: both refuse an input of rank 3 or more.
        verdict: Refusal | str | None = Refusal(
            source, (None, 1), f"the model expects inputs of rank {want}, got rank 2"
        )
    else:
        # One number per sample: Keras 2 made it (n, 1), Keras 3 refuses it against (None, k).
        verdict = replay(graph, (None, *x[1:]) if rank > 1 else (None, 1))
    if not isinstance(verdict, Refusal):
        return None
    model_at = _declared_line(source, feed)
    loaded = f" (from {feed['source']})" if feed.get("source") else ""
    if rank == 1:
        loaded += f" (one number per sample: Keras 2 reads it as {shape_text((x[0], 1))})"
    message = (
        f"{feed['call']} (line {feed['line']}) feeds inputs of shape {shape_text(x)}{loaded} "
        f"to a model whose input is {shape_text(declared)}{model_at}: {_name(verdict.node)} "
        f"cannot take {shape_text(verdict.got)}: {verdict.reason}"
        f"{_keras_terms(verdict.reason, verdict.got)}"
    )
    return _feed_finding(feed, message, "data", verdict.node, verdict.got, declared)


def _targets_refused(graph: Graph, feed: dict[str, Any], x: tuple[Any, ...]) -> Finding | None:
    y = feed.get("y")
    output = graph.outputs[0]
    out = output.output_shape
    if not isinstance(y, tuple) or not fully_known(out) or out is None:
        return None
    call = f"{feed['call']} (line {feed['line']})"
    if isinstance(x[0], int) and isinstance(y[0], int) and x[0] != y[0]:
        message = (
            f"{call} gives {x[0]:,} input samples but {y[0]:,} targets "
            "(Keras: ValueError, Data cardinality is ambiguous)"
        )
        return _feed_finding(feed, message, "targets", output, y, out)
    loss, labels, o = feed.get("loss"), y[1:], out[1:]
    keras = "Keras: ValueError, incompatible target and output shapes"
    if not all(isinstance(d, int) for d in labels):
        if loss != "categorical_crossentropy" or not _ranks_refused(labels, o):
            return None
        need = f"targets of the output's rank, {len(out)}, whatever their sizes"
    elif loss == "categorical_crossentropy" and not _same_after_squeeze(labels, o):
        need = f"targets shaped like the output, (n, {', '.join(map(str, o))})"
    elif loss == "sparse_categorical_crossentropy" and _indices(labels) != math.prod(o[:-1]):
        need = f"one class index per {'sample' if len(o) == 1 else 'position'}" + (
            ", not one-hot rows" if labels and labels[-1] == o[-1] else ""
        )
    elif loss in _ELEMENTWISE and not _broadcasts(
        (feed.get("batch"), *labels), out, strict=loss == "binary_crossentropy"
    ):
        need = "targets that broadcast against the output"
        if _broadcasts((None, *labels), out, strict=loss == "binary_crossentropy"):
            # Only the batch stands in the way: TensorFlow finds it when the first batch runs.
            need += f"; the first batch of them, {shape_text((feed['batch'], *labels))}, does not"
            keras = _STRICT_AT_FIRST_BATCH if loss == "binary_crossentropy" else _AT_FIRST_BATCH
    else:
        return None
    message = (
        f"{call} gives targets of shape {shape_text(y)} to a model whose output is "
        f"{shape_text(out)} ({_name(output)}) with loss {loss}, which needs {need} ({keras})"
    )
    return _feed_finding(feed, message, "targets", output, y, out)


def _ranks_refused(labels: tuple[Any, ...], output: tuple[Any, ...]) -> bool:
    """Ranks of targets and output that differ by more than the trailing 1-axis Keras 3
    adds or drops: every Keras refuses them for categorical_crossentropy, whatever the
    sizes (a one-hot width the data decides included)."""
    longer = labels if len(labels) > len(output) else output
    apart = abs(len(labels) - len(output))
    return apart >= 2 or (apart == 1 and isinstance(longer[-1], int) and longer[-1] != 1)


def _same_after_squeeze(labels: tuple[int, ...], output: tuple[Any, ...]) -> bool:
    """Targets and output compatible for categorical_crossentropy, after the trailing
    1-axis Keras 2 and 3 both add or drop when the ranks differ by one."""
    if len(labels) + 1 == len(output) and output[-1] == 1:
        output = output[:-1]
    elif len(labels) == len(output) + 1 and labels[-1] == 1:
        labels = labels[:-1]
    return labels == output


# What each Keras raises when a batch of targets does not broadcast against the output.
_AT_FIRST_BATCH = (
    "Keras: InvalidArgumentError, Incompatible shapes, at the first batch (Keras 3, tf.keras); "
    "ValueError, Error when checking target (standalone Keras 2)"
)
_STRICT_AT_FIRST_BATCH = (
    "Keras: ValueError, incompatible target and output shapes (Keras 3, standalone Keras 2); "
    "InvalidArgumentError, Incompatible shapes, at the first batch (tf.keras)"
)
_ELEMENTWISE = frozenset({"binary_crossentropy", "mean_squared_error"})


def _broadcasts(y: tuple[Any, ...], out: tuple[Any, ...], strict: bool) -> bool:
    """Whether some Keras runs an element-wise loss on these targets: Keras 2 made rank-1
    targets (n, 1) against a rank-2 output, then broadcast; Keras 3 adds or drops a trailing
    1-axis, then broadcasts (mse) or needs equal shapes (binary_crossentropy, `strict`: it
    refuses whenever Keras 2's broadcast does, so Keras 2 decides). The targets' first axis
    is one batch of them (it meets an axis of the output other than the batch when the
    ranks differ); an unknown size matches anything."""
    keras2 = (*y, 1) if len(y) == 1 and len(out) == 2 else y
    if _broadcast(keras2, out) or strict:
        return _broadcast(keras2, out)
    keras3_y, keras3_out = y, out
    if len(y) == len(out) + 1 and y[-1] == 1:
        keras3_y = y[:-1]
    elif len(out) == len(y) + 1 and out[-1] == 1:
        keras3_out = out[:-1]
    return _broadcast(keras3_y, keras3_out)


def _broadcast(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return all(
        p is None or q is None or p == q or p == 1 or q == 1
        for p, q in zip(reversed(a), reversed(b), strict=False)
    )


def _indices(labels: tuple[int, ...]) -> int:
    """How many class indices each sample's targets hold (Keras flattens them)."""
    return math.prod(labels)


def _feed_finding(
    feed: dict[str, Any], message: str, kind: str, node: Node, got: Any, model: Shape | None
) -> Finding:
    return Finding(
        rule="KF003",
        severity=Severity.ERROR,
        message=message,
        span=feed["span"],
        data=ShapeFaultFacts(
            kind=kind, layer=node.layer.display_name, layer_at=_at(node), got=got, model_shape=model
        ),
    )


def _declared_line(source: Node, feed: dict[str, Any]) -> str:
    at = source.layer.origin.get("declared_at")
    line = getattr(at, "line", None) or feed.get("model_line")
    return f" (line {line})" if line else ""


# ----------------------------------------------------------------- shared


def _name(node: Node) -> str:
    span = node.layer.span
    name = node.layer.class_name
    if span is None:
        return f"'{node.layer.display_name}' ({name})"
    cell = f"cell {span.cell}, " if span.cell is not None else ""
    return f"{name} ({cell}line {span.line})"


def _at(node: Node) -> tuple[int, int, int] | None:
    span = node.layer.span
    return (span.cell or 0, span.line, span.column) if span is not None else None


def failing_node(graph: Graph, finding: Finding) -> Node | None:
    """The layer a KF003 finding says refuses its input, for `inspect` to mark."""
    data = finding.data
    if not isinstance(data, ShapeFaultFacts) or data.layer_at is None:
        return None
    for _, sub in graph.walk():
        for node in sub.nodes:
            if _at(node) == data.layer_at and node.layer.display_name == data.layer:
                return node
    return None


KF003 = Rule(
    code="KF003",
    name="shape-fault",
    check=check,
    prefilter=("Sequential", "Model", "Input"),
    fix="never",
    data=ShapeFaultFacts,
)
RULES = (KF003,)
