"""KF001/KF002: a Flatten over a spatial feature map feeding a Dense.

One pattern finder serves both rules: KF001 when the feature map's size is known (exact
parameter counts), KF002 when it cannot be worked out statically.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from kerasfix.checks import time_distributed
from kerasfix.checks.imported_note import imported_note
from kerasfix.checks.input_feature_map import looks_like_feature_map
from kerasfix.checks.input_origin import sized_by_note
from kerasfix.checks.options import RuleOptions
from kerasfix.checks.sequence_heads import (
    VOLUME_SEQUENCE_POOLING,
    concatenated,
    is_recurrent_sequence,
    is_row,
    is_vector_concatenate,
    other_width,
)
from kerasfix.findings import Finding, RuleData, Severity, plain_int, plain_shape, plain_text
from kerasfix.graph.model import Graph, Node, Shape, Unknown, as_clause
from kerasfix.layers.core import lora_params, quantization_mode
from kerasfix.layers.registry import Role, lookup
from kerasfix.layers.rnn import time_before_channels
from kerasfix.layers.wrappers import inner_layer
from kerasfix.rule import Rule

if TYPE_CHECKING:
    from kerasfix.layers.symbolic import Formula

# Layers allowed between Flatten and Dense: they keep the flattened vector's meaning.
MAX_WALK = 256


@dataclass(frozen=True)
class PoolingFacts(RuleData):
    """KF001/KF002 facts about one Flatten -> Dense pair: the arithmetic the message states
    (`None` where the file does not determine it) and what a fix rewrites.

    The fields up to `params_pooling_per_unit` are the JSON output's rule keys (README); the
    layer names and the data format are for the fixers and `rewrite`, never shown.
    """

    shape: tuple[int | None, ...] | None = None
    dense_units: int | None = None
    params_flatten: int | None = None
    params_pooling: int | None = None
    suggestion: str | None = None  # e.g. "GlobalAveragePooling2D"
    # KF002: the Dense size after Flatten as a formula of the unknown input sizes,
    # e.g. "65536*(H-2)*(W-2) + 256"; None where the layers do not determine one.
    params_flatten_formula: str | None = None
    # KF002 with the Dense width unknown: the parameters each unit of it costs, with Flatten
    # (H*W*C + 1) and with global pooling (C + 1); None where the width is known.
    params_flatten_per_unit: int | None = None
    params_pooling_per_unit: int | None = None
    flatten_layer: str | None = None
    dense_layer: str | None = None
    channels_first: bool = False
    # The map is (time, channels, *spatial) (a channels_first ConvLSTM sequence): pooling
    # that keeps the channels needs a Permute first, so no one-layer fix or rewrite exists.
    time_first: bool = False
    known: bool = False  # the sizes are known and the model builds: KF001
    # The Dense is the first layer of a nested model that declares its input width
    # (`Sequential([Input((3136,)), Dense(256)])`): swapping Flatten alone would not fit it.
    fixed_width_head: str | None = None
    # A `Reshape((1, N))` between Flatten and Dense: pooling changes N, so the fix would
    # have to rewrite that Reshape too (its name; the fix leaves such a site to the user).
    row_reshape: str | None = None
    # Where the Dense is written in source ((cell or 0, line, column)): two heads of one
    # Flatten are told apart by it when both are unnamed (`Dense(10)(x); Dense(20)(x)`).
    dense_at: tuple[int, int, int] | None = None
    # Built in an iteration of a loop the file spells out (a hyperparameter grid): each
    # iteration is a variant of one model, and the finding kept is the costliest variant.
    loop_variant: bool = False

    def __post_init__(self) -> None:
        # A frontend's internal value (an `Unknown`, a tuple of them) must never leak out.
        for name in (
            "dense_units",
            "params_flatten",
            "params_pooling",
            "params_flatten_per_unit",
            "params_pooling_per_unit",
        ):
            object.__setattr__(self, name, plain_int(getattr(self, name)))
        for name in (
            "suggestion",
            "params_flatten_formula",
            "flatten_layer",
            "dense_layer",
            "fixed_width_head",
            "row_reshape",
        ):
            object.__setattr__(self, name, plain_text(getattr(self, name)))
        object.__setattr__(self, "shape", plain_shape(self.shape))
        at = self.dense_at
        plain_at = tuple(plain_int(v) for v in at) if isinstance(at, tuple | list) else ()
        object.__setattr__(
            self,
            "dense_at",
            plain_at if len(plain_at) == 3 and None not in plain_at else None,
        )
        object.__setattr__(self, "channels_first", self.channels_first is True)
        object.__setattr__(self, "time_first", self.time_first is True)
        object.__setattr__(self, "known", self.known is True)
        object.__setattr__(self, "loop_variant", self.loop_variant is True)

    def report(self) -> dict[str, Any]:
        return {
            "shape": list(self.shape) if self.shape is not None else None,
            "dense_units": self.dense_units,
            "params_flatten": self.params_flatten,
            "params_pooling": self.params_pooling,
            "suggestion": self.suggestion,
            "params_flatten_formula": self.params_flatten_formula,
            "params_flatten_per_unit": self.params_flatten_per_unit,
            "params_pooling_per_unit": self.params_pooling_per_unit,
        }

    def encode(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def decode(cls, data: dict[str, Any]) -> PoolingFacts:
        shape = data["shape"]
        return cls(**{**data, "shape": tuple(shape) if shape is not None else None})

    @property
    def saved_params(self) -> int | None:
        if self.params_flatten is None or self.params_pooling is None:
            return None
        return self.params_flatten - self.params_pooling

    def subject(self) -> object:
        # A Flatten feeding several heads: one finding per Dense.
        return (self.dense_layer, self.dense_at)

    def precedence(self) -> tuple[int, int]:
        """Known sizes beat unknown ones (KF001 over KF002), counts beat no counts; of a
        loop's variants of one model, the largest saving (else the first one met)."""
        largest = (self.saved_params or 0) if self.loop_variant else 0
        return self.known * 2 + (self.params_flatten is not None), largest


@dataclass
class FlattenDenseSite:
    """A Flatten -> Dense pair over a feature map in a graph, before any arithmetic."""

    flatten: Node
    dense: Node
    origin: Node  # the layer that produced the feature map
    between: list[Node]  # shape-preserving layers between Flatten and Dense
    channels_first: bool
    # A Reshape after the Dense back into a spatial map (an encoder/decoder bottleneck).
    reshaped: Node | None = None
    per_step: bool = False  # TimeDistributed(Flatten()): one flattened frame at a time

    @property
    def head_model(self) -> Node | None:
        """The nested model the Dense belongs to, when a model is used as the head."""
        return next((node for node in self.between if node.layer.inner is not None), None)

    @property
    def fixed_width_head(self) -> str | None:
        """The name of the head model when it declares its input width (an `Input`, not the
        width Keras takes from the first call): swapping Flatten alone would not fit it."""
        head = self.head_model
        if head is None or head.layer.inner is None:
            return None
        declared = [n for n in head.layer.inner.inputs if not n.layer.origin.get("implicit_input")]
        return head.layer.display_name if declared else None

    @property
    def row_reshape(self) -> str | None:
        """The `Reshape((1, N))` the flattened vector passes (N would change with pooling),
        as the message names it: `Reshape((1, 800)) (line 7)`, or its name in a model file."""
        node = next((n for n in self.between if row_reshape(n)), None)
        if node is None:
            return None
        span = node.layer.span
        if span is None:
            return f"'{node.layer.display_name}'"
        target = tuple(node.layer.config.get("target_shape") or ())
        return f"Reshape({target}) (line {span.line})"

    @property
    def time_first(self) -> bool:
        """The flattened map is (time, channels, *spatial): a channels_first ConvLSTM's
        sequence, flattened whole (per frame, TimeDistributed sees (channels, *spatial))."""
        layer = self.origin.layer
        if self.per_step or not self.channels_first:
            return False
        # TimeDistributed(Conv2D(data_format="channels_first")) stacks (C, H, W) frames.
        return layer.class_name == time_distributed.WRAPPER or time_before_channels(
            layer.class_name, layer.config, self.channels_first
        )

    @property
    def leading_axes(self) -> int:
        """Axes before a frame's spatial dims: the batch, and the time axis per frame."""
        return 2 if self.per_step else 1


def find_sites(graph: Graph) -> Iterator[FlattenDenseSite]:
    """Every Flatten in `graph` (not nested graphs) that turns a feature map into a Dense input."""
    consumers = graph.consumers()
    for node in graph.nodes:
        flatten, outer = node, node
        if node.layer.inner is not None:  # a nested model whose output is a Flatten
            inner_flatten = _trailing_flatten(node.layer.inner)
            if inner_flatten is None:
                continue
            flatten = inner_flatten
        if not time_distributed.is_flatten(flatten) or len(flatten.inputs) != 1:
            continue
        per_step = flatten.layer.class_name == time_distributed.WRAPPER
        origin = feature_map_origin(flatten.inputs[0])
        if origin is None:
            continue
        for dense, between in dense_consumers(outer, consumers, per_step):
            reshaped = _spatial_reshape(dense, consumers)
            channels_first = _channels_first(origin)
            yield FlattenDenseSite(
                flatten, dense, origin, between, channels_first, reshaped, per_step
            )


def _spatial_reshape(dense: Node, consumers: dict[int, list[Node]]) -> Node | None:
    """A Reshape that turns the Dense output back into a map of rank >= 2, looking through
    shape-preserving layers (Activation, BatchNormalization, Dropout...) and further Dense
    layers (a decoder's `Dense(latent) -> Dense(h*w*c) -> Reshape`)."""
    frontier, steps = [dense], 0
    while frontier and steps < MAX_WALK:
        steps += 1
        for child in consumers.get(id(frontier.pop(0)), []):
            target = child.layer.config.get("target_shape")
            if child.layer.class_name == "Reshape" and isinstance(target, tuple | list):
                return child if len(target) >= 2 else None
            if child.layer.class_name == "Dense" or _preserves_shape(child):
                frontier.append(child)
    return None


def _trailing_flatten(inner: Graph) -> Node | None:
    """The Flatten that a nested model ends with (through shape-preserving layers)."""
    outputs = inner.outputs or inner.nodes[-1:]
    current = outputs[0] if len(outputs) == 1 else None
    for _ in range(MAX_WALK):
        if current is None:
            return None
        if current.layer.class_name == "Flatten":
            return current
        if not _preserves_shape(current) or not current.inputs:
            return None
        current = current.inputs[0]
    return None


def feature_map_origin(node: Node) -> Node | None:
    """The spatial layer whose feature map reaches `node`, looking through shape-preserving
    layers, merges and nested models; `None` for raw inputs and non-spatial tensors."""
    stack, steps = [node], 0
    while stack and steps < MAX_WALK:
        steps += 1
        current = stack.pop()
        layer = current.layer
        if layer.inner is not None and layer.inner.nodes:
            outputs = layer.inner.outputs or layer.inner.nodes[-1:]
            if outputs:
                stack.append(outputs[0])
            continue
        if current.is_input:
            if current.bound_to is not None:
                stack.append(current.bound_to)
            elif looks_like_feature_map(current.output_shape or current.declared_shape):
                return current  # features a conv base extracted, fed in as an input
            elif current.layer.origin.get("model_features"):
                return current  # a model's predictions (saved and loaded back): size unknown
            continue
        if layer.origin.get("unknown_callable") and layer.opaque is not None:
            # A callable passed in (a backbone parameter) applied to the model's input:
            # what it returns is a map of unknown size (KF002), not the raw input.
            return current
        spec = lookup(layer.class_name)
        if spec is None or layer.opaque is not None:
            # A Lambda or custom layer: its output is unknown, so a feature map behind it
            # can only give KF002, never numbers.
            if current.inputs:
                stack.append(current.inputs[0])
            continue
        role = spec.role_for(layer.config)
        if is_recurrent_sequence(current):
            return current  # its steps are learned features, as a Conv1D's (sequence_heads)
        if _per_position_dense(current):
            # A Dense applied per position (or per step: `TimeDistributed(Dense(64))`) keeps
            # the feature map's spatial axes.
            stack.append(current.inputs[0])
            continue
        if role is Role.SPATIAL:
            # A backbone with its top or pooling on yields a vector, not a feature map.
            shape = current.output_shape
            return current if shape is None or len(shape) > 2 else None
        if role is Role.PRESERVING and current.inputs:
            stack.append(current.inputs[0])
        elif role is Role.MERGE:
            stack.extend(reversed(current.inputs))
    return None


def _per_position_dense(node: Node) -> bool:
    if not node.inputs or not _rank_above_2(node):
        return False
    if node.layer.class_name == "Dense":
        return True
    wrapped = inner_layer(node.layer.config) if node.layer.class_name == "TimeDistributed" else None
    return wrapped is not None and wrapped[0].class_name == "Dense"


def _rank_above_2(node: Node) -> bool:
    shape = node.output_shape
    return shape is None or len(shape) > 2


def dense_consumers(
    flatten: Node, consumers: dict[int, list[Node]], per_step: bool = False
) -> list[tuple[Node, list[Node]]]:
    """Every Dense fed by `flatten`, possibly through Dropout/BatchNormalization/Activation,
    with the layers in between (a Flatten may feed several heads)."""
    return _denses_from(consumers.get(id(flatten), []), consumers, per_step)


def _denses_from(
    starts: list[Node], consumers: dict[int, list[Node]], per_step: bool
) -> list[tuple[Node, list[Node]]]:
    """The Dense layers reached from `starts` through shape-preserving layers, and the first
    ones of a model used as the head, each with the layers passed on the way."""
    found: list[tuple[Node, list[Node]]] = []
    frontier: list[tuple[Node, list[Node]]] = [(node, []) for node in starts]
    expanded = 0
    while frontier and expanded < MAX_WALK:
        node, path = frontier.pop(0)
        if time_distributed.is_dense(node, per_step):
            reached = [(node, path)]
        elif node.layer.inner is not None:  # a nested model as the head
            inner = _leading_dense(node.layer.inner, per_step)
            reached = [(dense, [*path, node, *steps]) for dense, steps in inner]
        else:
            if _passes_through(node, path):
                expanded += 1
                frontier.extend((child, [*path, node]) for child in consumers.get(id(node), []))
            continue
        found.extend(item for item in reached if all(item[0] is not seen for seen, _ in found))
    return found


def _passes_through(node: Node, path: list[Node]) -> bool:
    """Whether the walk from a Flatten to its Dense goes on through `node`: a layer that
    keeps the vector's meaning, or a Concatenate of vectors (the Dense then also reads the
    other inputs). After a Concatenate only layers without weights: a BatchNormalization
    there would normalise the other inputs too."""
    if is_vector_concatenate(node):
        return True
    if row_reshape(node):  # the vector as one row: a Dense still reads it whole
        return concatenated(path) is None
    if not _preserves_shape(node):
        return False
    return concatenated(path) is None or not node.params


def row_reshape(node: Node) -> bool:
    """`Reshape((1, N))` of a flat vector of N known values: the same values as one row."""
    if node.layer.class_name != "Reshape" or len(node.inputs) != 1:
        return False
    before, after = node.inputs[0].output_shape, node.output_shape
    if before is None or after is None or len(before) != 2 or len(after) < 3:
        return False
    return isinstance(before[-1], int) and after[-1] == before[-1] and is_row(after)


def _leading_dense(inner: Graph, per_step: bool) -> list[tuple[Node, list[Node]]]:
    """The Dense layers a nested model (`Sequential([Dense(256), Dense(10)])` used as a head)
    applies first to its input, through shape-preserving layers."""
    consumers = inner.consumers()
    if inner.inputs:
        starts = [child for root in inner.inputs for child in consumers.get(id(root), [])]
    else:
        starts = [node for node in inner.nodes if not node.inputs][:1]
    return _denses_from(starts, consumers, per_step)


def _preserves_shape(node: Node) -> bool:
    """A layer that keeps its input's meaning and shape (Dropout, Activation, ...)."""
    spec = lookup(node.layer.class_name)
    return spec is not None and spec.role_for(node.layer.config) is Role.PRESERVING


def _written_at(node: Node) -> tuple[int, int, int] | None:
    """(cell or 0, line, column) of a layer written in source; None for model files."""
    span = node.layer.span
    return (span.cell or 0, span.line, span.column) if span is not None else None


def _channels_first(origin: Node) -> bool:
    # a TimeDistributed layer computes in the layout of the layer it wraps
    data_format = time_distributed.dense_config(origin).get("data_format")
    if data_format is None and origin.layer.inner is not None:
        return False
    return data_format == "channels_first"


def locate(graph: Graph, finding: Finding) -> FlattenDenseSite | None:
    """The site in `graph` (or a model nested in it) that `finding` reports: the typed link
    from a finding back to graph nodes, for `inspect` and `rewrite` (findings hold no nodes)."""
    data = finding.data
    if not isinstance(data, PoolingFacts):
        return None
    for prefix, sub in graph.walk():
        if finding.layer_path is not None and tuple(prefix) != finding.layer_path[:-1]:
            continue
        for site in find_sites(sub):
            if (
                site.flatten.layer.display_name == data.flatten_layer
                and site.dense.layer.display_name == data.dense_layer
                and _written_at(site.dense) == data.dense_at
                and (
                    finding.span is None
                    or (site.flatten.layer.origin.get("inner_span") or site.flatten.layer.span)
                    == finding.span
                )
            ):
                return site
    return None


def check(graph: Graph, options: RuleOptions, prefix: tuple[str, ...] = ()) -> Iterator[Finding]:
    """KF001 and KF002 findings for one graph (nested graphs are walked by the engine)."""
    for site in find_sites(graph):
        if site.flatten.layer.origin.get("reported_in"):
            continue  # an imported builder's Flatten its own file reports alike (source frontend)
        finding = _finding_for(site, options, prefix, graph)
        if finding is not None:
            yield finding


def _finding_for(
    site: FlattenDenseSite, options: RuleOptions, prefix: tuple[str, ...], graph: Graph
) -> Finding | None:
    shape: Shape | None = site.flatten.inputs[0].output_shape
    skip = site.leading_axes
    body = shape[skip:] if shape is not None and len(shape) > skip else None
    channels, spatial = _split(body, site.channels_first, site.time_first)
    dense_config = time_distributed.dense_config(site.dense)
    units = _as_int(dense_config.get("units"))
    use_bias = bool(dense_config.get("use_bias", True))
    rank = len(spatial) if spatial is not None else None
    suggestion = f"GlobalAveragePooling{rank}D" if rank in (1, 2, 3) else None
    if suggestion is not None and site.time_first:
        suggestion = permuted_pooling(suggestion, rank)
    elif rank == 4 and not (site.channels_first or site.per_step):
        suggestion = VOLUME_SEQUENCE_POOLING  # a ConvLSTM3D sequence: time and a volume

    sized = spatial is not None and channels is not None and all(d is not None for d in spatial)
    if sized:
        assert spatial is not None and channels is not None
        if math.prod(d for d in spatial if d is not None) <= 1 or suggestion is None:
            return None
    # KF001 states exact counts for both heads: an unknown Dense width makes it KF002.
    known = sized and units is not None
    config = site.dense.layer.config
    params_pooling = _dense_params(channels, units, use_bias, config)
    features = math.prod(body) if sized and body is not None else None  # type: ignore[arg-type]
    params_flatten = _dense_params(features, units, use_bias, config)
    quantized = quantization_mode(dense_config)
    if quantized is not None:  # Keras stores scales by mode and version: no guessed count
        params_flatten = params_pooling = None
    shared = _other_call_width(site.dense, site.flatten, graph)
    if shared is not None and params_flatten is not None:
        params_pooling = params_flatten  # its other call keeps the Dense's width: Keras's count
    per_unit = _per_unit(features, channels, use_bias, config) if units is None else (None, None)

    if site.flatten.inputs[0].build_error is not None:
        return None  # a model Keras refuses to build has no count: KF003 says where it fails
    formula = None
    rule = "KF001" if known else "KF002"
    if rule == "KF001":
        if params_flatten is not None and params_flatten < options.min_params:
            return None
        severity = options.severity_for(params_flatten)
    else:
        severity = Severity.INFO

    subject = _subject(site, prefix, graph, body)
    dense_text = _dense_text(site, units, prefix)
    if known:
        counts = (
            _quantized_text(quantized, suggestion)
            if quantized is not None
            else _counts_text(params_flatten, params_pooling, suggestion)
        )
        message = f"{subject} feeds {dense_text}: {counts}"
        if concatenated(site.between) is not None:
            message += _concatenated_text(site, features, units)
        if shared is not None and quantized is None:
            message += (
                f", because '{site.dense.layer.display_name}' is also called on another input "
                f"({shared}), which keeps its width: give that call its own Dense to shrink "
                "this one"
            )
    else:
        if sized:  # only the width is unknown
            reason = _width_reason(dense_config.get("units"))
        else:
            reason = site.flatten.inputs[0].unknown_reason or site.flatten.unknown_reason
            reason = as_clause(reason or "the shape entering Flatten is not known statically")
        pooled = (
            f"; {suggestion} would need {params_pooling:,}"
            if params_pooling is not None and suggestion
            else ""
        )
        formula = _flatten_formula(site, channels, units, use_bias)
        size_text = _formula_text(formula) if formula is not None else ""
        message = (
            f"{subject} feeds {dense_text}: its parameter count is unknown because "
            f"{reason}{size_text}{pooled}{_per_unit_text(*per_unit, suggestion)}"
        )
    if site.per_step:
        message = f"{message} (per frame, inside TimeDistributed)"
    if site.reshaped is not None:
        # The layout is the point of a bottleneck: global pooling would throw it away.
        severity = Severity.INFO
        message += (
            f"; kept at info because the Dense output is reshaped back into a spatial map ("
            f"{map_text(tuple(site.reshaped.layer.config['target_shape']))})"
            f"{_at_line(site.reshaped)} (an encoder/decoder bottleneck, where the spatial "
            "layout is the point)"
        )
    if known:
        message += sized_by_note(site.flatten)
    assumed = site.origin.layer.origin.get("assumed_data_format")
    if site.channels_first and isinstance(assumed, str):
        message += f"; the channels_first ordering is assumed ({assumed})"
    if sized:  # the numbers stated come (in part) from another project file: say which
        message += imported_note(site.flatten)
    world = site.flatten.layer.origin.get("world")
    if isinstance(world, str) and world:  # one of the file's exclusive branches (paths.py)
        message += f" (when {world})"
    loop_variant = site.flatten.layer.origin.get("loop_variant") is True
    if loop_variant and known:
        message += " (the largest of the models a loop builds here)"
    span = site.flatten.layer.origin.get("inner_span") or site.flatten.layer.span
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        span=span,
        layer_path=None if span else (*prefix, site.flatten.layer.display_name),
        data=PoolingFacts(
            shape=tuple(body) if body is not None else None,
            dense_units=units,
            params_flatten=params_flatten,
            params_pooling=params_pooling,
            suggestion=suggestion,
            params_flatten_formula=formula.text if not known and formula is not None else None,
            params_flatten_per_unit=per_unit[0],
            params_pooling_per_unit=per_unit[1],
            flatten_layer=site.flatten.layer.display_name,
            dense_layer=site.dense.layer.display_name,
            dense_at=_written_at(site.dense),
            channels_first=site.channels_first,
            time_first=site.time_first,
            known=known,
            fixed_width_head=site.fixed_width_head,
            row_reshape=site.row_reshape,
            loop_variant=loop_variant,
        ),
    )


def _concatenated_text(site: FlattenDenseSite, features: int | None, units: int | None) -> str:
    """The counts are the Dense's weights on the flattened part (and its bias); the weights
    on the Concatenate's other inputs are the same with either layer."""
    merge = concatenated(site.between)
    assert merge is not None
    where = f" at line {merge.layer.span.line}" if merge.layer.span is not None else ""
    others = other_width(site.between, features)
    share = "its weights on the other inputs stay as they are"
    if others is not None and units is not None:
        plural = "" if others == 1 else "s"
        added = f"{others * units:,} weights either way"
        share = f"its {others:,} other input feature{plural} add {added}"
    return (
        f" (the Dense reads the flattened map through a Concatenate{where}: the counts are "
        f"its weights on the flattened part and its bias; {share})"
    )


def _flatten_formula(
    site: FlattenDenseSite, channels: int | None, units: int | None, use_bias: bool
) -> Formula | None:
    """The Dense size after Flatten as a formula of the input sizes (layers/symbolic.py)."""
    symbolic = site.flatten.inputs[0].symbolic_shape
    if symbolic is None or site.channels_first or channels is None or units is None:
        return None
    from kerasfix.layers.symbolic import dense_formula

    skip = site.leading_axes
    return dense_formula(symbolic[skip:-1], channels, units, use_bias)


EXAMPLE_SIZES = (32, 64, 128, 224)


def _formula_text(formula: Formula) -> str:
    """'; with Flatten it is 65536*(H-2)*(W-2) + 256 (at 32x32 input: 58,982,656)'."""
    names = formula.names
    for size in EXAMPLE_SIZES:
        value = formula.evaluate(dict.fromkeys(names, size))
        if value is not None:
            at = "x".join(str(size) for _ in names)
            example = f", at {at} input it would be {value:,}"
            break
    else:
        example = ""
    return f"; for an input of {'x'.join(names)} it is {formula.text}{example}"


def _at_line(node: Node) -> str:
    span = node.layer.span
    return f" at line {span.line}" if span is not None else f" by '{node.layer.display_name}'"


def _split(
    body: Shape | None, channels_first: bool, time_first: bool = False
) -> tuple[int | None, tuple[int | None, ...] | None]:
    """The channel count and the axes pooling averages over (time is one of them)."""
    if body is None or len(body) < 2:
        return None, None
    if time_first and len(body) >= 3:
        return body[1], (body[0], *body[2:])
    if channels_first:
        return body[0], tuple(body[1:])
    return body[-1], tuple(body[:-1])


def permuted_pooling(pooling: str, rank: int | None) -> str:
    """The two layers that pool a (time, channels, *spatial) map keeping the channels:
    `Permute((2, 1, 3, 4)) then GlobalAveragePooling3D(data_format="channels_first")`."""
    order = ", ".join(str(axis) for axis in (2, 1, *range(3, (rank or 1) + 2)))
    return f'Permute(({order})) then {pooling}(data_format="channels_first")'


def _dense_params(
    features: int | None, units: int | None, use_bias: bool, config: dict[str, object]
) -> int | None:
    if features is None or units is None:
        return None
    return features * units + (units if use_bias else 0) + lora_params(config, features, units)


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def map_text(body: Shape | None) -> str:
    """A feature map as findings word it: `7x7x512`, `?x?x512`, or `an unknown shape`
    (Keras-style tuples, as `inspect` prints them, are `inspection.layer_view.format_shape`)."""
    if body is None:
        return "an unknown shape"
    return "x".join("?" if d is None else str(d) for d in body)


def _subject(
    site: FlattenDenseSite, prefix: tuple[str, ...], graph: Graph, body: Shape | None
) -> str:
    if site.flatten.layer.span is not None:
        wrapped = "TimeDistributed(Flatten)" if site.per_step else "Flatten"
        return f"{wrapped} over {map_text(body)}"
    where = f" (in '{prefix[-1]}')" if prefix else (f" (in '{graph.name}')" if graph.name else "")
    return f"layer '{site.flatten.layer.display_name}'{where} over {map_text(body)}"


def _dense_text(site: FlattenDenseSite, units: int | None, prefix: tuple[str, ...]) -> str:
    width = "?" if units is None else str(units)
    if site.dense.layer.class_name == time_distributed.WRAPPER:
        return f"TimeDistributed(Dense({width}))"
    head = site.head_model
    inside = ""
    if head is not None:
        name, kind = head.layer.display_name, head.layer.class_name
        inside = f" in a nested {kind}" if name == kind else f" in the nested model '{name}'"
    if site.dense.layer.span is not None:
        return f"Dense({width}){inside}"
    return f"'{site.dense.layer.display_name}' Dense({width}){inside}"


def _other_call_width(dense: Node, flatten: Node, graph: Graph) -> str | None:
    """The input width of another call of the same Dense layer on something other than this
    Flatten (`fc(flat)` and `fc(v)`), as text; None when every call of the Dense takes this
    Flatten's output (a subclassed model called twice: the swap shrinks them all alike)."""
    for node in graph.nodes:
        if node is dense or node.layer is not dense.layer:
            continue
        if node.inputs and node.inputs[0].layer is flatten.layer:
            continue
        shape = node.inputs[0].output_shape if node.inputs else None
        width = shape[-1] if shape else None
        return f"width {width:,}" if isinstance(width, int) else "of unknown width"
    return None


def _quantized_text(mode: str, suggestion: str | None) -> str:
    """A quantized Dense (`model.quantize(...)`): its count is not the float formula."""
    return (
        f"the Dense is quantized ({mode}): Keras stores scales next to its kernel, laid "
        "out by mode and version, so no count is given here (inspect counts the stored "
        f"weights); {suggestion} would keep only the channels: rewrite the float model, "
        "then quantize it again"
    )


def _counts_text(flat: int | None, pooled: int | None, suggestion: str | None) -> str:
    assert flat is not None and pooled is not None  # KF001: both counts are known
    return f"{flat:,} parameters; {suggestion} would need {pooled:,} ({_change(flat, pooled)})"


def _change(flat: int, pooled: int) -> str:
    return _percent((pooled - flat) / flat * 100 if flat else 0.0)


def _per_unit(
    features: int | None, channels: int | None, use_bias: bool, config: dict[str, object]
) -> tuple[int | None, int | None]:
    """What one unit of a Dense of unknown width costs after Flatten (H*W*C + 1) and after
    global pooling (C + 1). A LoRA Dense has no per-unit count (its A matrix does not grow
    with the units): None."""
    if config.get("lora_rank"):
        return None, None
    bias = 1 if use_bias else 0
    return (
        features + bias if features is not None else None,
        channels + bias if channels is not None else None,
    )


def _per_unit_text(flat: int | None, pooled: int | None, suggestion: str | None) -> str:
    """'; per unit of the Dense: 21,633 parameters with Flatten, 33 with ... (-99.8%)'."""
    if pooled is None or suggestion is None:
        return ""
    if flat is None:
        return f"; per unit of the Dense, {suggestion} would need {pooled:,} parameters"
    return (
        f"; per unit of the Dense: {flat:,} parameters with Flatten, {pooled:,} with "
        f"{suggestion} ({_change(flat, pooled)})"
    )


def _width_reason(units: object) -> str:
    """Why the Dense width is unknown, as a clause after "because"."""
    why = units.reason if isinstance(units, Unknown) else None
    return "the Dense width is not known statically" + (f" ({why})" if why else "")


def _percent(change: float) -> str:
    """One decimal, more only where that would round a real saving up to a misleading
    -100% (2,534,730 -> 90 is -99.996%, not -100.0%)."""
    for decimals in range(1, 7):
        text = f"{change:+.{decimals}f}%"
        if change == -100.0 or abs(float(text[:-1])) < 100.0:
            return text
    return text


KF001 = Rule(
    code="KF001",
    name="flatten-before-dense",
    check=check,
    options=RuleOptions,
    prefilter=("Flatten",),
    fix="sometimes",
    fix_safety="unsafe",
    fix_applied_by="--fix",
    data=PoolingFacts,
)
# The same check with the size unknown: its fix waits for --unsafe-fixes.
KF002 = replace(
    KF001,
    code="KF002",
    name="flatten-before-dense-unknown-size",
    fix_applied_by="--unsafe-fixes",
)
RULES = (KF001, KF002)
