"""TensorFlow SavedModel directories: the Keras architecture tf.keras left in keras_metadata.pb.

`keras_metadata.pb` is a `SavedMetadata` message: repeated `SavedObject nodes = 1`, each with
`node_path = 3` ("root" for the model), `identifier = 4` and `metadata = 5` (JSON holding
the model's class_name and config). A serving export (`model.export()`, `tf.saved_model.save`)
has no such file: there is no Keras architecture to lint, and we say so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kerasfix.frontends.base import InputError, NoArchitecture
from kerasfix.kerasfile.protowire import LENGTH, fields
from kerasfix.kerasfile.sniff import parse_json
from kerasfix.limits import max_config_bytes

METADATA_FILE = "keras_metadata.pb"


def read_savedmodel(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """(model config, facts such as keras_version) of a tf.keras SavedModel directory."""
    metadata_path = path / METADATA_FILE
    if not metadata_path.is_file():
        raise NoArchitecture(
            "a serving SavedModel without Keras metadata (keras_metadata.pb), e.g. "
            "model.export(): no Keras architecture; lint the .keras/.h5 file or source"
        )
    cap = max_config_bytes() * 4
    try:
        size = metadata_path.stat().st_size
        if size > cap:
            raise InputError(f"{METADATA_FILE} is {size:,} bytes, over the {cap:,} byte limit")
        data = metadata_path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {METADATA_FILE} ({exc.strerror or exc})") from None
    root = _root_metadata(data)
    if root is None:
        raise InputError(f"{METADATA_FILE} has no root Keras object")
    meta = parse_json(root, f"the root object in {METADATA_FILE}")
    if not isinstance(meta, dict):
        raise InputError(f"the root object in {METADATA_FILE} is not a JSON object")
    meta = decode_tuples(meta)
    config = meta.get("model_config") if isinstance(meta.get("model_config"), dict) else None
    if config is None:
        config = {"class_name": meta.get("class_name"), "config": meta.get("config")}
    facts = {
        "keras_version": str(meta.get("keras_version") or ""),
        "class": str(meta.get("class_name")),
    }
    return config, {k: v for k, v in facts.items() if v}


def _root_metadata(data: bytes) -> bytes | None:
    """The `metadata` bytes of the node whose path is 'root'."""
    try:
        for number, wire, node in fields(data):
            if number != 1 or wire != LENGTH:
                continue
            assert isinstance(node, bytes)
            node_path, metadata = b"", None
            for sub_number, sub_wire, value in fields(node):
                if sub_wire != LENGTH:
                    continue
                if sub_number == 3:
                    node_path = value  # type: ignore[assignment]
                elif sub_number == 5:
                    metadata = value
            if node_path == b"root":
                return metadata  # type: ignore[return-value]
    except ValueError as exc:
        raise InputError(f"{METADATA_FILE} is corrupted ({exc})") from None
    return None


def decode_tuples(value: Any) -> Any:
    """Replace tf.keras SavedModel encodings (`{"class_name": "__tuple__", "items": [...]}`)
    with plain lists, so SavedModel metadata reads like an h5 config."""
    if isinstance(value, dict):
        if value.get("class_name") in ("__tuple__", "TensorShape") and "items" in value:
            return [decode_tuples(v) for v in value["items"] or []]
        return {k: decode_tuples(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_tuples(v) for v in value]
    return value
