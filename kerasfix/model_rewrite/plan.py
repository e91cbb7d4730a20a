"""Which Flatten layers to rewrite, and what each rewrite changes: the lint, turned into a plan.

A site is rewritten only when the rule's arithmetic is exact (KF001: every size known) and
every layer between Flatten and Dense keeps working on a C-wide vector: weightless
elementwise layers stay as they are, and a BatchNormalization is resized (its per-feature
statistics are folded into the Dense, see fold.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kerasfix.checks import time_distributed
from kerasfix.kerasfile.layout import Key
from kerasfix.layers.core import quantization_mode
from kerasfix.layers.naming import to_snake_case
from kerasfix.model_rewrite.errors import RewriteError

# Identity at inference, or elementwise: they commute with averaging a constant map.
ELEMENTWISE = frozenset(
    {
        "Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization",
        "Identity", "Activation", "ReLU", "LeakyReLU", "ELU", "ThresholdedReLU",
    }
)  # fmt: skip
INFERENCE_IDENTITY = frozenset(
    {"Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"}
)
# Activations over the whole vector, not one value at a time: softmax over H*W*C values is
# not softmax over C values, so such a layer would mean something else on pooled channels.
VECTOR_ACTIVATIONS = frozenset({"softmax", "log_softmax", "sparsemax", "glu"})


@dataclass
class Between:
    """A layer between Flatten and Dense, kept in place."""

    key: Key
    class_name: str
    config: dict[str, Any]


@dataclass
class PlannedSwap:
    """One Flatten -> Dense head the rewrite will swap to global pooling, with the geometry
    the new weights are computed from."""

    model: Key  # names of the nested models holding the site ((), the top model)
    flatten: str
    dense: str
    between: list[Between]
    spatial: tuple[int, ...]
    channels: int
    units: int
    use_bias: bool
    channels_first: bool  # layout of the feature map (GAP's data_format)
    # The feature map's axes (no batch) in the order Flatten lays them out, and which of
    # them is the channel axis: Flatten(data_format="channels_first") first moves axis 1
    # of whatever it is given to the end, even over a channels_last map.
    flat_dims: tuple[int, ...]
    flat_channel_axis: int
    pooling: str  # "GlobalAveragePooling2D"...
    new_name: str = ""
    per_step: bool = False  # TimeDistributed(Flatten()): the pooling is per frame too
    dense_config: dict[str, Any] = field(default_factory=dict)

    @property
    def lora_rank(self) -> int:
        rank = self.dense_config.get("lora_rank")
        return rank if isinstance(rank, int) and not isinstance(rank, bool) else 0

    @property
    def features(self) -> int:
        return math.prod(self.spatial) * self.channels

    @property
    def positions(self) -> int:
        return math.prod(self.spatial)

    @property
    def bn(self) -> Between | None:
        return next((b for b in self.between if b.class_name == "BatchNormalization"), None)

    def dense_params(self, width: int) -> int:
        lora = self.lora_rank * (width + self.units)
        return width * self.units + (self.units if self.use_bias else 0) + lora

    @property
    def params_before(self) -> int:
        return self.dense_params(self.features) + self._bn_params(self.features)

    @property
    def params_after(self) -> int:
        return self.dense_params(self.channels) + self._bn_params(self.channels)

    @property
    def macs_before(self) -> int:
        return self.features * self.units

    @property
    def macs_after(self) -> int:
        return self.channels * self.units

    def _bn_params(self, width: int) -> int:
        bn = self.bn
        if bn is None:
            return 0
        per = 2 + bool(bn.config.get("scale", True)) + bool(bn.config.get("center", True))
        return per * width

    @property
    def label(self) -> str:
        return "/".join((*self.model, self.flatten))


@dataclass
class Plan:
    """What the rewrite will do to one model file."""

    path: Path
    fmt: str
    config: dict[str, Any]
    facts: dict[str, str]
    sites: list[PlannedSwap]
    skipped: list[str]  # one line per KF001 finding not rewritten, with the reason
    params_before: int


def make_plan(
    path: Path,
    pooling: str = "avg",
    select: set[str] | None = None,
    min_params: int = 0,
    init: str = "fold",
) -> Plan:
    """Read `path`, lint it and plan the rewrite; RewriteError for models it cannot handle."""
    from kerasfix.checks.flatten_dense import locate
    from kerasfix.engine import lint_program
    from kerasfix.frontends.base import Program
    from kerasfix.frontends.saved_model import ModelConfigError, graph_of
    from kerasfix.kerasfile.model_file import load_model_file
    from kerasfix.settings import Settings

    model_file = load_model_file(path)
    if model_file.format not in ("keras", "h5"):
        raise RewriteError(f"cannot rewrite a {model_file.format} model; save it as .keras first")
    try:
        graph = graph_of(model_file)
    except ModelConfigError as exc:
        if "subclassed" in str(exc):
            raise RewriteError(
                f"{exc}. A subclassed model has no architecture in the file to rewrite: "
                "run `kerasfix lint --fix` on the source that defines it"
            ) from None
        raise
    program = Program(path.as_posix(), "model", graph)
    findings = lint_program(program, Settings(select=("KF001",)))
    sites: list[PlannedSwap] = []
    skipped: list[str] = []
    known: set[str] = set()
    usage = _Usage(graph)
    groups: dict[int, list[Any]] = {}  # one Flatten may feed several Dense heads
    for finding in findings:
        found = locate(graph, finding)
        if found is not None:
            groups.setdefault(id(found.flatten), []).append((finding, found))
    for group in groups.values():
        labels = ["/".join(f.layer_path or ()) for f, _ in group]
        names = {n for f, _ in group for n in (f.data.flatten_layer, f.data.dense_layer)}
        names |= set(labels)
        known |= names
        if select and not (names & select):
            continue
        if max(f.data.params_flatten or 0 for f, _ in group) < min_params:
            continue
        try:
            usage.check([found for _, found in group])
            sites.extend(_site(finding, found, pooling, init) for finding, found in group)
        except RewriteError as exc:
            skipped.append(f"{labels[0]}: {exc}")
    missing = (select or set()) - known
    # With no KF001 site at all (a model rewritten before), --select has nothing to name:
    # the run is the documented no-op copy, so rewriting an output again still exits 0.
    if missing and groups:
        raise RewriteError(
            f"--select names no KF001 Flatten or Dense: {', '.join(sorted(missing))}"
        )
    total = _total_params(graph, model_file)
    _name_pooling_layers(model_file.config, sites)
    return Plan(path, model_file.format, model_file.config, model_file.facts, sites, skipped, total)


def _total_params(graph: Any, model_file: Any) -> int:
    """Keras's `count_params()`: from the architecture where it can be sized, and from the
    stored weights for each top-level layer it cannot size (Lambda, custom and
    MultiHeadAttention-like layers, or a nested model holding one)."""
    unsized = {n.layer.display_name for n in graph.nodes if n.params is None}
    total = sum(n.params or 0 for n in graph.nodes)
    if not unsized:
        return total
    from kerasfix.model_rewrite.source import open_source

    with open_source(model_file.path, model_file.format, model_file.config) as source:
        paths = [(k, p) for k, tensors in source.tensors.items() for _, p in tensors]
        paths += [(k, p) for k, found in source.subtensors.items() for p in found]
        for key, path in paths:
            if key[0] in unsized:
                total += int(source.dataset(path).size)
    return total


class _Usage:
    """Who calls what, across the model and its nested models: a rewrite replaces the
    Flatten for every consumer, so each consumer must be a Dense the rewrite resizes,
    called on nothing else."""

    def __init__(self, graph: Any) -> None:
        self.calls: dict[int, int] = {}
        self.consumers: dict[int, list[Any]] = {}
        self.outputs: set[int] = set()
        for _, sub in graph.walk():
            for node in sub.nodes:
                self.calls[id(node.layer)] = self.calls.get(id(node.layer), 0) + 1
            self.consumers.update(sub.consumers())
            self.outputs |= {id(n) for n in sub.outputs}

    def check(self, group: list[Any]) -> None:
        """RewriteError naming why this Flatten's heads cannot all be resized."""
        flatten = group[0].flatten
        denses = {id(found.dense) for found in group}
        for found in group:
            dense = found.dense
            if self.calls.get(id(dense.layer), 0) > 1:
                raise RewriteError(
                    f"Dense '{dense.layer.display_name}' is also called on another input; "
                    "resizing it would break that call: give that call its own Dense"
                )
        if self.calls.get(id(flatten.layer), 0) > 1:
            raise RewriteError(
                f"Flatten '{flatten.layer.display_name}' is called twice: give each call its "
                "own Flatten"
            )
        frontier = [flatten]
        while frontier:
            node = frontier.pop()
            if id(node) in self.outputs:
                raise RewriteError(
                    f"the flattened vector is a model output (at '{node.layer.display_name}'); "
                    "its width would change: make another layer the output to rewrite this head"
                )
            for child in self.consumers.get(id(node), []):
                if id(child) in denses:
                    continue
                if child.layer.inner is not None and any(
                    id(inner) in denses
                    for _, sub in child.layer.inner.walk()
                    for inner in sub.nodes
                ):
                    raise RewriteError(
                        f"the Dense is inside the nested model '{child.layer.display_name}'; "
                        "rewrite resizes only layers of the model that holds the Flatten: "
                        "rewrite the source instead (kerasfix lint --fix)"
                    )
                if _own_class(child.layer) in ELEMENTWISE | {"BatchNormalization"}:
                    frontier.append(child)
                    continue
                raise RewriteError(
                    f"the flattened vector also feeds '{child.layer.display_name}' "
                    f"({child.layer.class_name}), which would receive a different width: feed "
                    "it from another layer to rewrite this head"
                )


def _site(finding: Any, found: Any, pooling: str, init: str) -> PlannedSwap:
    flatten, dense = found.flatten, found.dense
    shape = flatten.inputs[0].output_shape
    channels_first = found.channels_first
    if found.time_first:  # (time, filters, ...): pooling that keeps the filters is two layers
        origin = found.origin.layer
        raise RewriteError(
            f"'{origin.display_name}' ({origin.class_name}, channels_first, return_sequences="
            f"True) outputs time steps before filters: keeping the filters needs "
            f"{finding.data.suggestion}, two layers where rewrite puts one: fix the source "
            "(kerasfix lint --fix writes both)"
        )
    body = tuple(shape[found.leading_axes :])
    if len(body) > 4:  # (time, depth, rows, cols, channels): no Keras layer pools four axes
        raise RewriteError(
            f"the map entering '{flatten.layer.display_name}' is a sequence of volumes "
            f"({'x'.join(map(str, body))}): keeping its channels needs "
            f"{finding.data.suggestion}, two layers where rewrite puts one: fix the source by hand"
        )
    dense_config = time_distributed.dense_config(dense)
    channels, spatial = (body[0], body[1:]) if channels_first else (body[-1], body[:-1])
    flat_format = _own_config(flatten.layer).get("data_format")
    dims, axis = _flatten_order(tuple(int(d) for d in body), 0 if channels_first else len(body) - 1,
                                flat_format)  # fmt: skip
    between = []
    for node in found.between:
        layer = node.layer
        between.append(Between((*finding.layer_path[:-1], layer.display_name),
                               _own_class(layer), _own_config(layer)))  # fmt: skip
    features = math.prod(int(d) for d in body)
    _check_between(between, init, features)
    mode = quantization_mode(dense_config)
    if mode is not None:
        raise RewriteError(
            f"Dense '{dense.layer.display_name}' is quantized ({mode}): its stored kernel and "
            "scales cannot be folded; rewrite the float model, then quantize it again"
        )
    kind = "Average" if pooling == "avg" else "Max"
    return PlannedSwap(
        model=tuple(finding.layer_path[:-1]),
        flatten=flatten.layer.display_name,
        dense=dense.layer.display_name,
        between=between,
        spatial=tuple(int(d) for d in spatial),
        channels=int(channels),
        units=int(dense_config["units"]),
        use_bias=bool(dense_config.get("use_bias", True)),
        channels_first=channels_first,
        flat_dims=dims,
        flat_channel_axis=axis,
        pooling=f"Global{kind}Pooling{len(spatial)}D",
        dense_config=dense_config,
        per_step=found.per_step,
    )


def _own_class(layer: Any) -> str:
    """The class that computes: the wrapped layer's for TimeDistributed."""
    if layer.class_name == time_distributed.WRAPPER:
        inner = layer.config.get("layer")
        if isinstance(inner, dict) and isinstance(inner.get("class_name"), str):
            return str(inner["class_name"])
    return str(layer.class_name)


def _own_config(layer: Any) -> dict[str, Any]:
    """The config of the layer that computes (the wrapped layer's for TimeDistributed)."""
    if layer.class_name == time_distributed.WRAPPER:
        inner = layer.config.get("layer")
        config = inner.get("config") if isinstance(inner, dict) else None
        return config if isinstance(config, dict) else {}
    return dict(layer.config)


def _flatten_order(
    body: tuple[int, ...], channel_axis: int, data_format: Any
) -> tuple[tuple[int, ...], int]:
    """The axes in Flatten's output order (keras.layers.Flatten: with channels_first it
    transposes axis 1 to the end before reshaping), and where the channel axis went."""
    if data_format != "channels_first" or len(body) < 2:
        return body, channel_axis
    order = [*range(1, len(body)), 0]
    return tuple(body[i] for i in order), order.index(channel_axis)


def _check_between(between: list[Between], init: str, features: int) -> None:
    seen_bn = False
    for layer in between:
        name = layer.class_name
        _check_noise_shape(layer, features)
        _check_activation(layer)
        if name == "BatchNormalization":
            axis = layer.config.get("axis", -1)
            if axis not in (-1, 1, [-1], [1]):
                raise RewriteError(
                    f"BatchNormalization '{layer.key[-1]}' has axis {axis}: only one over the "
                    "features (axis -1) can be resized with them"
                )
            if seen_bn:
                raise RewriteError(
                    f"two BatchNormalization layers between Flatten and Dense (the second is "
                    f"'{layer.key[-1]}'): keep one, or use --init random"
                )
            seen_bn = True
        elif name not in ELEMENTWISE:
            raise RewriteError(
                f"'{layer.key[-1]}' ({name}) between Flatten and Dense mixes features; "
                "it would not mean the same thing on pooled channels: move it after the Dense "
                "to rewrite this head"
            )
        elif seen_bn and init == "fold" and name not in INFERENCE_IDENTITY and not _linear(layer):
            raise RewriteError(
                f"a BatchNormalization followed by the nonlinear '{layer.key[-1]}' before the "
                "Dense cannot be folded exactly (its per-position scale does not commute with "
                "the activation); use --init calibrate or random"
            )


def _check_noise_shape(layer: Between, features: int) -> None:
    """A Dropout's `noise_shape` over the flattened vector: config_edit resizes a last axis
    of `features` to the channels; any other fixed width would not fit the pooled vector."""
    shape = layer.config.get("noise_shape")
    if shape is None:
        return
    last = shape[-1] if isinstance(shape, list | tuple) and shape else shape
    if last not in (None, 1, features):
        raise RewriteError(
            f"{layer.class_name} '{layer.key[-1]}' has noise_shape {list(shape)}, which "
            "cannot be resized to the pooled channels: use noise_shape=None"
        )


def _check_activation(layer: Between) -> None:
    """Only element-wise activations keep their meaning on pooled channels."""
    if layer.class_name not in ("Activation", "Softmax"):
        return
    activation = layer.config.get("activation", "softmax")
    if layer.class_name == "Softmax" or activation in VECTOR_ACTIVATIONS:
        raise RewriteError(
            f"Activation '{layer.key[-1]}' ({activation}) between Flatten and Dense works on "
            "the whole flattened vector: over the pooled channels it would compute something "
            "else (fold is not exact there); retrain the head or remove the activation"
        )
    if not isinstance(activation, str) or ">" in activation:
        raise RewriteError(
            f"Activation '{layer.key[-1]}' uses a custom function kerasfix cannot tell is "
            "element-wise; it may not mean the same thing on pooled channels: use a "
            "built-in element-wise activation to rewrite this head"
        )


def _linear(layer: Between) -> bool:
    return layer.class_name == "Activation" and layer.config.get("activation") in (
        "linear",
        None,
    )


def _name_pooling_layers(config: dict[str, Any], sites: list[PlannedSwap]) -> None:
    """A fresh, file-wide unique name for each new pooling layer."""
    used: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            name = value.get("name")
            if isinstance(name, str):
                used.add(name)
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(config)
    named: dict[tuple[Key, str], str] = {}
    for site in sites:
        if (site.model, site.flatten) in named:  # another head of the same Flatten
            site.new_name = named[(site.model, site.flatten)]
            continue
        base = to_snake_case(site.pooling)
        name, n = base, 1
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        site.new_name = named[(site.model, site.flatten)] = name
