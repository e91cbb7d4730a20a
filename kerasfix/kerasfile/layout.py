"""Where Keras keeps each layer's weights, worked out from the architecture config alone.

Keras 3 `.keras` archives address weights by object path, not layer name: each model's
layers live under `layers/<snake_case(ClassName)>[_<n>]` in `model.layers` order (a
Sequential's InputLayer excluded), each with a `vars` group holding `0..n-1` and a `name`
attribute (keras.src.saving.saving_lib, `_save_container_state`). The rewrite changes a
class name, so every path is recomputed from the new config rather than copied. Legacy
`.h5` files address weights by layer name and hold a nested model's weights in one group,
trainable ones first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kerasfix.layers.legacy import normalize
from kerasfix.layers.naming import to_snake_case

MODEL_CLASSES = {"Sequential", "Functional", "Model"}
Key = tuple[str, ...]  # layer names from the top model down to a layer


@dataclass
class LayerEntry:
    """One layer of the config with its `.keras` weight path."""

    key: Key
    class_name: str
    config: dict[str, Any]
    keras_path: str  # e.g. "layers/sequential/layers/dense/vars"
    trainable: bool  # this layer and every enclosing model trainable
    is_model: bool

    @property
    def group(self) -> str:
        """The layer's own group: its `vars` and any sub-object groups (`cell/vars`...)."""
        return self.keras_path.removesuffix("/vars")


def model_layers(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The layer entries of a model entry (Keras <= 2.2 Sequential configs are bare lists)."""
    config = entry.get("config")
    if isinstance(config, list):
        return config
    layers = config.get("layers") if isinstance(config, dict) else None
    return layers if isinstance(layers, list) else []


def is_model(entry: dict[str, Any]) -> bool:
    config = entry.get("config")
    return entry.get("class_name") in MODEL_CLASSES and (
        isinstance(config, list) or (isinstance(config, dict) and "layers" in config)
    )


def entry_name(entry: dict[str, Any]) -> str:
    name = entry.get("name")
    if not isinstance(name, str):
        config = entry.get("config")
        name = config.get("name") if isinstance(config, dict) else None
    return name if isinstance(name, str) else ""


def class_of(entry: dict[str, Any]) -> str:
    """The Python class Keras 3 instantiates for an entry (what names the weight group)."""
    raw = entry.get("class_name", "")
    if raw == "Model":
        return "Functional"
    config = entry.get("config")
    return normalize(raw, config if isinstance(config, dict) else {})[0]


def is_operation(entry: dict[str, Any]) -> bool:
    """A Keras 3 op node (`x + 3.0` in a functional model): in the config, never in
    `model.layers`, so it owns no weight group and takes no slot in the numbering."""
    module = entry.get("module")
    return isinstance(module, str) and module.startswith(("keras.src.ops", "keras.ops"))


def walk(model_entry: dict[str, Any]) -> Iterator[LayerEntry]:
    """Every layer (nested models and their layers included) with its `.keras` path."""
    yield from _walk(model_entry, (), "", True)


def _walk(entry: dict[str, Any], key: Key, prefix: str, trainable: bool) -> Iterator[LayerEntry]:
    sequential = entry.get("class_name") == "Sequential"
    used: dict[str, int] = {}
    for layer in model_layers(entry):
        cls = class_of(layer)
        if (sequential and cls == "InputLayer") or is_operation(layer):
            continue
        base = to_snake_case(cls)
        if base in used:
            used[base] += 1
            base = f"{base}_{used[base]}"
        else:
            used[base] = 0
        path = f"{prefix}layers/{base}"
        config = layer.get("config") if isinstance(layer.get("config"), dict) else {}
        on = trainable and bool(config.get("trainable", True))
        child_key = (*key, entry_name(layer))
        nested = is_model(layer)
        yield LayerEntry(child_key, cls, config, f"{path}/vars", on, nested)
        if nested:
            yield from _walk(layer, child_key, f"{path}/", on)


def var_names(entry: LayerEntry, count: int) -> list[str]:
    """Variable names in Keras's order (what legacy `.h5` files call them)."""
    config = entry.config
    names: list[str]
    if entry.class_name == "BatchNormalization":
        names = ["gamma"] if config.get("scale", True) else []
        names += ["beta"] if config.get("center", True) else []
        names += ["moving_mean", "moving_variance"]
    elif "kernel_size" in config or entry.class_name == "Dense":
        names = ["kernel", "bias"][: 1 + bool(config.get("use_bias", True))]
    elif entry.class_name == "Embedding":
        names = ["embeddings"]
    else:
        names = []
    if len(names) != count:
        names = [f"variable_{i}" for i in range(count)]
    return names


def trainable_var(entry: LayerEntry, name: str) -> bool:
    """Whether Keras lists this variable among trainable weights (legacy h5 order)."""
    return entry.trainable and not name.startswith("moving_")
