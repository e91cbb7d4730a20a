"""The rewritten architecture: the same config JSON with each Flatten entry replaced.

Only the entries a site touches change: the Flatten becomes a global pooling layer under a
fresh name (references to it are renamed), and the recorded input shapes of the layers
after it shrink to the channel count. Everything else, including fields kerasfix does not
know, is carried over as written.
"""

from __future__ import annotations

import copy
from typing import Any

from kerasfix.kerasfile.layout import entry_name, is_model, model_layers
from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.plan import PlannedSwap


def rewrite_config(config: dict[str, Any], sites: list[PlannedSwap]) -> dict[str, Any]:
    """A new config with every site rewritten; the input dict is left untouched."""
    result = copy.deepcopy(config)
    for site in sites:
        model = _find_model(result, site.model)
        _rewrite_site(model, site)
    return result


def _find_model(config: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    current = config
    for name in path:
        found = [e for e in model_layers(current) if entry_name(e) == name and is_model(e)]
        if not found:
            raise RewriteError(f"nested model '{name}' not found in the config")
        current = found[0]
    return current


def _rewrite_site(model: dict[str, Any], site: PlannedSwap) -> None:
    layers = model_layers(model)
    by_name = {entry_name(e): e for e in layers}
    flatten = by_name.get(site.flatten)
    if flatten is None and site.new_name in by_name:  # replaced for another of its heads
        _shrink_head(by_name, site)
        return
    target = _wrapped(flatten) if site.per_step and flatten is not None else flatten
    if target is None or target.get("class_name") != "Flatten":
        raise RewriteError(f"Flatten '{site.flatten}' not found in the config")
    old = target.get("config") or {}
    new_config: dict[str, Any] = {"name": site.new_name, "trainable": old.get("trainable", True)}
    if "dtype" in old:
        new_config["dtype"] = old["dtype"]
    new_config["data_format"] = "channels_first" if site.channels_first else "channels_last"
    new_config["keepdims"] = False
    target["class_name"] = site.pooling
    target["config"] = new_config
    if "module" in target:
        target["module"] = "keras.layers"
    if "registered_name" in target:
        target["registered_name"] = None
    if target is not flatten:  # TimeDistributed(Flatten()): the wrapper takes the new name
        flatten["config"]["name"] = site.new_name
    if "name" in flatten:
        flatten["name"] = site.new_name
    _rename_refs(model, site.flatten, site.new_name)
    _shrink_head(by_name, site)


def _shrink_head(by_name: dict[str, Any], site: PlannedSwap) -> None:
    """The recorded input widths of the layers between the pooling layer and the Dense."""
    shrunk = {site.new_name, *(b.key[-1] for b in site.between)}
    for name in [*(b.key[-1] for b in site.between), site.dense]:
        entry = by_name[name]
        for layer in (entry, _wrapped(entry)):
            if layer is None:
                continue
            build = layer.get("build_config")
            if isinstance(build, dict) and isinstance(build.get("input_shape"), list):
                build["input_shape"] = [*build["input_shape"][:-1], site.channels]
            _resize_noise_shape(layer.get("config"), site)
        for node in entry.get("inbound_nodes") or []:
            _shrink_tensors(node, shrunk, site.channels)


def _wrapped(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The layer entry a TimeDistributed entry wraps (None for other layers)."""
    if entry.get("class_name") != "TimeDistributed":
        return None
    inner = (entry.get("config") or {}).get("layer")
    return inner if isinstance(inner, dict) else None


def _resize_noise_shape(config: Any, site: PlannedSwap) -> None:
    """A Dropout's noise_shape over the flattened width follows it to the channel count
    (plan.py refuses any other fixed width)."""
    if not isinstance(config, dict):
        return
    shape = config.get("noise_shape")
    if isinstance(shape, list) and shape and shape[-1] == site.features:
        config["noise_shape"] = [*shape[:-1], site.channels]


def _rename_refs(model: dict[str, Any], old: str, new: str) -> None:
    for entry in model_layers(model):
        entry["inbound_nodes"] = _renamed(entry.get("inbound_nodes") or [], old, new)
    config = model.get("config")
    if isinstance(config, dict):
        for key in ("input_layers", "output_layers"):
            if key in config:
                config[key] = _renamed(config[key], old, new)


def _renamed(value: Any, old: str, new: str) -> Any:
    """Replace references to layer `old` in Keras 3 (`keras_history`) and Keras 2
    (`["name", node, tensor, ...]`) inbound structures."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if isinstance(history, list) and history and history[0] == old:
                history[0] = new
            return value
        return {k: _renamed(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) >= 3 and value[0] == old and isinstance(value[1], int):
            return [new, *value[1:]]
        return [_renamed(v, old, new) for v in value]
    return value


def _shrink_tensors(value: Any, producers: set[str], channels: int) -> None:
    """Recorded shapes of tensors coming out of the pooling layer or the layers after it."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            config = value.get("config") or {}
            history = config.get("keras_history")
            shape = config.get("shape")
            if isinstance(history, list) and history and history[0] in producers and shape:
                config["shape"] = [*shape[:-1], channels]
            return
        for item in value.values():
            _shrink_tensors(item, producers, channels)
    elif isinstance(value, list):
        for item in value:
            _shrink_tensors(item, producers, channels)
