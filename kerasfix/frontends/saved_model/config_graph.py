"""A Keras model config (the JSON Keras itself writes) as a kerasfix `Graph`.

Independent of where the config came from: `.keras` archives, legacy `.h5` files, SavedModel
metadata, a live model's `get_config()` and the rewrite tool all feed the same dict here.
Understands Sequential and Functional models in both the Keras 3 format (`args` holding
`__keras_tensor__` entries with `keras_history`) and the Keras 2 format
(`[[["name", node_index, tensor_index, {}]]]`), nested models, shared layers and multiple
inputs/outputs. Nothing in the config is executed: a `Lambda` or a custom class becomes an
opaque layer that is described, never loaded.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from kerasfix.frontends.base import InputError, NoArchitecture
from kerasfix.graph.model import Graph, Layer, Node, Shape
from kerasfix.layers.legacy import declared_input_shape, normalize
from kerasfix.layers.registry import lookup
from kerasfix.limits import MAX_MODEL_DEPTH, max_layers

MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})
LAMBDA_CLASSES = frozenset({"Lambda", "TFOpLambda", "SlicingOpLambda"})
KERAS_MODULES = ("keras", "tf_keras", "tensorflow.keras", "tensorflow.python.keras")

TensorRef = tuple[str, int, int]
_IO = ("input_layers", "output_layers")


class ModelConfigError(InputError):
    """A model config that is not a Keras architecture kerasfix can follow."""


class SubclassedModel(ModelConfigError, NoArchitecture):
    """The config of a subclassed model: its architecture lives in code, not in the file."""


def graph_from_config(
    config: dict[str, Any], input_shapes: Sequence[Shape | None] | None = None
) -> Graph:
    """The graph of a serialized model: `{"class_name": ..., "config": {...}}`.

    `input_shapes` (full shapes, batch included) fill in inputs the config leaves undeclared,
    e.g. the built shapes of a live model.
    """
    if not isinstance(config, dict):
        raise ModelConfigError("the model config is not a JSON object")
    class_name = config.get("class_name")
    inner = config.get("config")
    if not isinstance(class_name, str):
        raise ModelConfigError("the model config has no class_name")
    if not _is_model_entry(config):
        reason = _opaque_reason(config)
        if reason is None and lookup(class_name) is not None:
            raise ModelConfigError(f"the file holds a single '{class_name}' layer, not a model")
        if is_subclassed(config):
            raise SubclassedModel(
                f"'{class_name}' is a subclassed model: its architecture lives in code, "
                "not in the file (lint the source instead)"
            )
        raise ModelConfigError(
            f"{reason or f'a {class_name} that is not a Keras model'}: no architecture to lint"
        )
    graph = _Builder().model(class_name, inner, depth=0)
    if input_shapes:
        for node, shape in zip(graph.inputs, input_shapes, strict=False):
            if shape is not None and (node.declared_shape is None or None in node.declared_shape):
                node.declared_shape = tuple(shape)
    return graph


def is_subclassed(config: dict[str, Any]) -> bool:
    """A model whose architecture lives in code: its config holds no layer list."""
    inner = config.get("config")
    return not (isinstance(inner, list) or (isinstance(inner, dict) and "layers" in inner))


def _is_model_entry(entry: dict[str, Any]) -> bool:
    inner = entry.get("config")
    if isinstance(inner, list):  # Keras <= 2.2 Sequential: the config is the layer list
        return entry.get("class_name") == "Sequential"
    if not isinstance(inner, dict) or not isinstance(inner.get("layers"), list):
        return False
    return entry.get("class_name") in MODEL_CLASSES and _opaque_reason(entry) is None


def _opaque_reason(entry: dict[str, Any]) -> str | None:
    """Why a layer cannot be known statically, or None for a stock Keras layer."""
    class_name = entry.get("class_name")
    name = _entry_name(entry) or class_name
    if class_name in LAMBDA_CLASSES:
        return f"'{name}' is a {class_name} layer (its code is not executed)"
    registered = entry.get("registered_name")
    module = entry.get("module")
    custom = isinstance(registered, str) and ">" in registered
    if isinstance(module, str) and not module.startswith(KERAS_MODULES):
        custom = True
    if module is None and isinstance(registered, str) and registered != class_name:
        custom = True
    if isinstance(class_name, str) and ">" in class_name:
        # Keras 3's legacy .h5 writes the registered name as the class name: the same
        # custom layer must read the same as in a .keras archive.
        custom, registered = True, class_name
    if custom:
        label = registered if isinstance(registered, str) else f"{module}.{class_name}"
        return f"'{name}' is a custom layer {label} (not loaded)"
    return None


def _entry_name(entry: dict[str, Any]) -> str | None:
    name = entry.get("name")
    if isinstance(name, str):
        return name
    config = entry.get("config")
    if isinstance(config, dict) and isinstance(config.get("name"), str):
        return config["name"]
    return None


class _Builder:
    """Builds graphs while counting layers, so a hostile config stays bounded."""

    def __init__(self) -> None:
        self.layers = 0
        self.max_layers = max_layers()

    def model(self, class_name: str, config: Any, depth: int) -> Graph:
        if depth > MAX_MODEL_DEPTH:
            raise ModelConfigError(f"models nested more than {MAX_MODEL_DEPTH} deep")
        if class_name == "Sequential" or isinstance(config, list):
            return self.sequential(config, depth)
        return self.functional(config, depth)

    def layer(self, entry: Any, depth: int) -> Layer:
        """One layer entry as a `Layer`, with its nested graph when it is a model."""
        self.layers += 1
        if self.layers > self.max_layers:
            raise ModelConfigError(f"more than {self.max_layers:,} layers (KERASFIX_MAX_LAYERS)")
        if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
            raise ModelConfigError("a layer entry has no class_name")
        raw_name = entry["class_name"]
        raw_config = entry.get("config")
        name = _entry_name(entry)
        origin = {
            "class_name": raw_name,
            "module": entry.get("module"),
            "registered_name": entry.get("registered_name"),
        }
        if _is_model_entry(entry):
            inner = self.model(raw_name, raw_config, depth + 1)
            inner.name = inner.name or name
            config = raw_config if isinstance(raw_config, dict) else {"layers": raw_config}
            return Layer(raw_name, config, name=name or inner.name, inner=inner, origin=origin)
        config = raw_config if isinstance(raw_config, dict) else {}
        reason = _opaque_reason(entry)
        if reason is None and raw_name in MODEL_CLASSES:
            reason = f"'{name or raw_name}' is a {raw_name} without a layer list"
        if reason is None and isinstance(raw_config, dict) and "layers" in raw_config:
            reason = f"'{name or raw_name}' is a model of class {raw_name} (not loaded)"
        if reason is not None:
            return Layer(raw_name, config, name=name, opaque=reason, origin=origin)
        class_name, config = normalize(raw_name, config)
        return Layer(class_name, config, name=name, origin=origin)

    def sequential(self, config: Any, depth: int) -> Graph:
        if isinstance(config, list):
            entries, name, build_shape = config, None, None
        elif isinstance(config, dict):
            entries, name = config.get("layers"), config.get("name")
            build_shape = config.get("build_input_shape")
        else:
            raise ModelConfigError("a Sequential config is neither an object nor a list")
        if not isinstance(entries, list):
            raise ModelConfigError("a Sequential config has no layer list")
        graph = Graph(name=name if isinstance(name, str) else None, class_name="Sequential")
        layers = [self.layer(entry, depth) for entry in entries]
        if layers and layers[0].class_name == "InputLayer":
            first = layers.pop(0)
            shape = declared_input_shape(first.config, "InputLayer")
        else:
            first = Layer("InputLayer", {}, name="input_layer")
            shape = declared_input_shape(layers[0].config, layers[0].class_name) if layers else None
        if shape is None:
            shape = _shape(build_shape)
        previous = graph.add(Node(first, declared_shape=shape))
        graph.inputs = [previous]
        nodes = []
        for layer in layers:
            previous = graph.add(Node(layer, inputs=[previous]))
            nodes.append(previous)
        graph.outputs = [previous]
        # Keras 3 records each layer's input shape (build_config), which is the output of the
        # layer before it: what sizes a custom or Lambda layer kerasfix cannot compute.
        built = [_built_input(entry) for entry in entries[len(entries) - len(layers) :]]
        for node, after in zip(nodes, built[1:], strict=False):
            node.recorded_shape = after
        return graph

    def functional(self, config: Any, depth: int) -> Graph:
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ModelConfigError("a Functional config has no layer list")
        name = config.get("name")
        graph = Graph(name=name if isinstance(name, str) else None, class_name="Functional")
        entries: list[dict[str, Any]] = config["layers"]
        by_name: dict[str, Layer] = {}
        calls: list[tuple[str, int, list[TensorRef]]] = []
        recorded: dict[TensorRef, Shape] = {}  # tensor shapes Keras 3 wrote in inbound nodes
        for entry in entries:
            layer = self.layer(entry, depth)
            key = _entry_name(entry)
            if key is None:
                raise ModelConfigError(f"a '{layer.class_name}' layer has no name")
            if key in by_name:
                raise ModelConfigError(f"two layers are named '{key}'")
            by_name[key] = layer
            inbound = entry.get("inbound_nodes") or []
            if not isinstance(inbound, list):
                raise ModelConfigError(f"layer '{key}' has malformed inbound_nodes")
            if layer.class_name == "InputLayer":
                calls.append((key, 0, []))
                continue
            for index, node_data in enumerate(inbound):
                calls.append((key, index, list(_node_refs(node_data, key))))
                recorded.update(_recorded_shapes(node_data, 0))
        if any(isinstance(n, dict) for e in entries for n in (e.get("inbound_nodes") or [])):
            # Keras 3 numbers the calls of a nested Functional model from 1: node 0 is the
            # model's own construction (keras.src.models.functional, `get_tensor`).
            shifted = {
                k for k, v in by_name.items() if v.inner and v.inner.class_name != "Sequential"
            }
            calls = [(k, i, [_shift(r, shifted) for r in refs]) for k, i, refs in calls]
            recorded = {_shift(r, shifted): shape for r, shape in recorded.items()}
            io_refs = {key: [_shift(r, shifted) for r in _refs(config.get(key))] for key in _IO}
        else:
            io_refs = {key: _refs(config.get(key)) for key in _IO}
        linker = _Linker(graph, by_name)
        created = linker.link(calls)
        for (name, index, tensor), shape in recorded.items():
            node = created.get((name, index))
            if node is not None and tensor == 0:
                node.recorded_shape = shape
        graph.inputs = [linker.output(r) for r in io_refs["input_layers"]]
        graph.outputs = [linker.output(r) for r in io_refs["output_layers"]]
        return graph


class _Linker:
    """Creates one Node per layer call in dependency order (Kahn's algorithm, so linear)."""

    def __init__(self, graph: Graph, by_name: dict[str, Layer]) -> None:
        self.graph = graph
        self.by_name = by_name
        self.created: dict[tuple[str, int], Node] = {}
        self.selectors: dict[TensorRef, Node] = {}

    def link(self, calls: list[tuple[str, int, list[TensorRef]]]) -> dict[tuple[str, int], Node]:
        waiting: dict[tuple[str, int], list[int]] = {}
        missing = [0] * len(calls)
        ready: deque[int] = deque()
        for i, (_, _, refs) in enumerate(calls):
            needed = {(n, k) for n, k, _ in refs}
            for ref in needed:
                if ref[0] not in self.by_name:
                    raise ModelConfigError(f"a layer input refers to unknown layer '{ref[0]}'")
                waiting.setdefault(ref, []).append(i)
            missing[i] = len(needed)
            if not needed:
                ready.append(i)
        while ready:
            i = ready.popleft()
            name, index, refs = calls[i]
            key = (name, index)
            if key in self.created:
                raise ModelConfigError(f"layer '{name}' has two calls numbered {index}")
            self.created[key] = self._create(name, refs)
            for j in waiting.pop(key, []):
                missing[j] -= 1
                if missing[j] == 0:
                    ready.append(j)
        if waiting:
            name, index = next(iter(waiting))
            raise ModelConfigError(
                f"layer '{name}' call {index} is never made (or the graph has a cycle)"
            )
        return self.created

    def output(self, ref: TensorRef) -> Node:
        """The node behind a model input/output reference."""
        if (ref[0], ref[1]) not in self.created:
            raise ModelConfigError(f"model input/output refers to unknown layer call '{ref[0]}'")
        return self._tensor(ref)

    def _create(self, name: str, refs: list[TensorRef]) -> Node:
        layer = self.by_name[name]
        inputs = [self._tensor(ref) for ref in refs]
        node = Node(layer, inputs=inputs)
        if layer.class_name == "InputLayer":
            node.declared_shape = declared_input_shape(layer.config, "InputLayer")
        return self.graph.add(node)

    def _tensor(self, ref: TensorRef) -> Node:
        """The node producing a tensor; outputs past the first become opaque selectors,
        because a kerasfix Node has a single output."""
        name, index, tensor = ref
        node = self.created[(name, index)]
        if tensor == 0:
            return node
        if ref not in self.selectors:
            reason = f"output {tensor} of multi-output layer '{name}' is not tracked"
            selector = Layer("OutputSelector", {"index": tensor}, name=f"{name}[{tensor}]")
            selector.opaque = reason
            self.selectors[ref] = self.graph.add(Node(selector, inputs=[node]))
        return self.selectors[ref]


def _node_refs(node_data: Any, layer: str) -> Iterator[TensorRef]:
    """Input tensors of one call, Keras 3 (`args`/`kwargs`) or Keras 2 (nested lists)."""
    if isinstance(node_data, dict) and ("args" in node_data or "kwargs" in node_data):
        refs = list(_keras3_refs(node_data.get("args"), 0))
        if not refs:
            refs = list(_keras3_refs(node_data.get("kwargs"), 0))
        yield from refs
        return
    if isinstance(node_data, list):
        if node_data and isinstance(node_data[0], str):  # a single inbound, not wrapped
            node_data = [node_data]
        for item in node_data:
            yield _keras2_ref(item, layer)
        return
    raise ModelConfigError(f"layer '{layer}' has a malformed inbound node")


def _keras3_refs(value: Any, depth: int) -> Iterator[TensorRef]:
    for ref, _ in _keras3_tensors(value, depth):
        yield ref


def _recorded_shapes(value: Any, depth: int) -> Iterator[tuple[TensorRef, Shape]]:
    """(tensor, shape) for every `__keras_tensor__` of a Keras 3 inbound node that records
    a shape: what Keras saw when it built the model, read, never recomputed."""
    for ref, shape in _keras3_tensors(value, depth):
        if shape is not None:
            yield ref, shape


def _keras3_tensors(value: Any, depth: int) -> Iterator[tuple[TensorRef, Shape | None]]:
    """Every `__keras_tensor__` in a Keras 3 inbound node, with its recorded shape."""
    if depth > MAX_MODEL_DEPTH:
        raise ModelConfigError("inbound node arguments nested too deep")
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            config = value.get("config") or {}
            config = config if isinstance(config, dict) else {}
            yield _ref(config.get("keras_history")), _shape(config.get("shape"))
            return
        for item in value.values():
            yield from _keras3_tensors(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _keras3_tensors(item, depth + 1)


def _keras2_ref(item: Any, layer: str) -> TensorRef:
    if not isinstance(item, list) or len(item) < 3:
        raise ModelConfigError(f"layer '{layer}' has a malformed inbound tensor")
    return _ref(item[:3])


def _ref(history: Any) -> TensorRef:
    if (
        isinstance(history, (list, tuple))
        and len(history) >= 3
        and isinstance(history[0], str)
        and all(isinstance(v, int) and not isinstance(v, bool) for v in history[1:3])
    ):
        return history[0], history[1], history[2]
    raise ModelConfigError(f"malformed tensor reference {str(history)[:60]}")


def _refs(value: Any) -> list[TensorRef]:
    """`input_layers`/`output_layers`: a list of refs, one bare ref (Keras 3, one tensor), or
    a dict of them (`Model(x, {"cls": ..., "feat": ...})`, in Keras's sorted-key order)."""
    if isinstance(value, dict):
        value = [value[key] for key in sorted(value)]
    if not isinstance(value, list):
        return []
    if value and isinstance(value[0], str):
        value = [value]
    return [_ref(v) for v in value]


def _shift(ref: TensorRef, shifted: set[str]) -> TensorRef:
    name, index, tensor = ref
    return (name, index - 1, tensor) if name in shifted and index > 0 else ref


def _built_input(entry: Any) -> Shape | None:
    """The input shape Keras 3 built a layer for (`build_config.input_shape`), if one."""
    build = entry.get("build_config") if isinstance(entry, dict) else None
    return _shape(build.get("input_shape")) if isinstance(build, dict) else None


def _shape(value: Any) -> Shape | None:
    if isinstance(value, list) and all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value
    ):
        return tuple(value)
    return None
