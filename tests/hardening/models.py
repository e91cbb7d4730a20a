"""Base model files for the model fuzzers, and writers for mutated copies of them."""

from __future__ import annotations

import contextlib
import json
import zipfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from kerasfix.commands.inspect import build_summary
from kerasfix.frontends.base import InputError
from tests.hardening.conftest import SECONDS_PER_FILE

BASE_MODELS = ("seq_cnn", "nested", "shared_multi", "lambda_head", "custom_layer")


def read_keras(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """(config.json as a dict, every member's bytes) of a `.keras` archive."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(members["config.json"]), members


def write_keras(path: Path, members: dict[str, bytes], config: Any = None) -> None:
    """Stored, not deflated, as Keras writes its archives (and 15x cheaper per fuzz case;
    test_keras_member_structure varies the compression)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            if name == "config.json" and config is not None:
                data = json.dumps(config, allow_nan=True).encode()
            archive.writestr(name, data)


def read_h5_config(path: Path) -> dict[str, Any]:
    with h5py.File(path, "r") as handle:
        raw = handle.attrs["model_config"]
    return json.loads(raw if isinstance(raw, str) else raw.decode())


def set_h5_attr(path: Path, name: str, value: Any) -> None:
    with h5py.File(path, "a") as handle:
        if value is None:
            handle.attrs.pop(name, None)
        else:
            handle.attrs[name] = value


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def length_field(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def keras_metadata(metadata: bytes, node_path: bytes = b"root") -> bytes:
    """A `SavedMetadata` message with one node, as tf.keras writes keras_metadata.pb."""
    node = length_field(3, node_path) + length_field(4, b"_tf_keras_network")
    return length_field(1, node + length_field(5, metadata))


def savedmodel_dir(directory: Path, pb: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "saved_model.pb").write_bytes(b"")
    (directory / "keras_metadata.pb").write_bytes(pb)
    return directory


def assert_inspect_handled(path: Path) -> None:
    """`kerasfix inspect`'s reader: a summary or an InputError, never another exception."""
    import time

    start = time.monotonic()
    with contextlib.suppress(InputError, RecursionError, MemoryError):
        build_summary(path)
    assert time.monotonic() - start < SECONDS_PER_FILE


def odd_h5_values() -> list[Any]:
    """Wrong-typed values for an HDF5 attribute."""
    return [
        1,
        np.arange(5),
        np.array([b"{}", b"{}"]),
        b"\xff\xfe not utf-8",
        "",
        "[]",
        "null",
        '{"class_name": "Sequential", "config": {"layers": 7}}',
        np.float64("nan"),
        np.zeros((2, 2), dtype="S3"),
    ]
