"""Model files written by hand (no Keras needed): configs in Keras 3 and Keras 2 format."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any


def tensor(name: str, node: int = 0, index: int = 0) -> dict[str, Any]:
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": None, "dtype": "float32", "keras_history": [name, node, index]},
    }


def k3_layer(class_name: str, name: str, inputs: list[Any], **config: Any) -> dict[str, Any]:
    nodes = [{"args": [i], "kwargs": {}} for i in inputs]
    return {
        "module": "keras.layers",
        "class_name": class_name,
        "config": {"name": name, **config},
        "registered_name": None,
        "name": name,
        "inbound_nodes": nodes,
    }


def keras3_cnn(name: str = "functional_1") -> dict[str, Any]:
    """Input 32x32x3 -> Conv2D(16, 3) -> Flatten -> Dense(64): 30*30*16*64+64 parameters."""
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": name,
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_shape": [None, 32, 32, 3], "name": "image"},
                    "name": "image",
                    "inbound_nodes": [],
                },
                k3_layer("Conv2D", "conv", [tensor("image")], filters=16, kernel_size=[3, 3]),
                k3_layer("Flatten", "flatten", [tensor("conv")]),
                k3_layer("Dense", "fc1", [tensor("flatten")], units=64),
            ],
            "input_layers": [["image", 0, 0]],
            "output_layers": [["fc1", 0, 0]],
        },
    }


KERAS3_CNN_PARAMS = (30 * 30 * 16 * 64 + 64, 16 * 64 + 64)


def keras2_shared() -> dict[str, Any]:
    """Keras 2 format: two inputs through one shared Conv2D, each flattened into a Dense."""

    def layer(cls: str, name: str, inbound: list[list[Any]], **config: Any) -> dict[str, Any]:
        return {
            "class_name": cls,
            "config": {"name": name, **config},
            "name": name,
            "inbound_nodes": [[[*ref, {}] for ref in node] for node in inbound],
        }

    return {
        "class_name": "Model",
        "config": {
            "name": "shared",
            "layers": [
                layer("InputLayer", "a", [], batch_input_shape=[None, 10, 10, 2]),
                layer("InputLayer", "b", [], batch_input_shape=[None, 10, 10, 2]),
                layer("Conv2D", "conv", [[["a", 0, 0]], [["b", 0, 0]]], filters=4, kernel_size=3),
                layer("Flatten", "flat_b", [[["conv", 1, 0]]]),
                layer("Dense", "fc_b", [[["flat_b", 0, 0]]], units=5),
            ],
            "input_layers": [["a", 0, 0], ["b", 0, 0]],
            "output_layers": [["fc_b", 0, 0], ["conv", 0, 0]],
        },
    }


def write_keras(path: Path, config: Any, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
        archive.writestr(
            "config.json", json.dumps(config) if not isinstance(config, bytes) else config
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def write_h5(path: Path, config: Any) -> Path:
    import h5py

    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = (
            json.dumps(config) if not isinstance(config, bytes) else config
        )
        handle.attrs["keras_version"] = "2.15.0"
    return path
