"""Fuzz the saved-model readers: `.keras` archives, legacy `.h5`, SavedModel metadata.

Base files are real models saved by Keras once per session; every case mutates a copy.
Each case goes through `check_file` (lint) and, for a sample, `inspect`'s reader.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hardening.conftest import assert_handled, budget
from tests.hardening.jsonfuzz import json_op, json_value, mutate_json
from tests.hardening.models import (
    BASE_MODELS,
    assert_inspect_handled,
    keras_metadata,
    odd_h5_values,
    read_h5_config,
    read_keras,
    savedmodel_dir,
    set_h5_attr,
    write_keras,
)

pytestmark = pytest.mark.keras


@pytest.fixture(scope="session")
def keras_bases(base_models: Path) -> list[tuple[dict[str, Any], dict[str, bytes]]]:
    return [read_keras(base_models / f"{name}.keras") for name in BASE_MODELS]


@pytest.fixture(scope="session")
def h5_configs(base_models: Path) -> list[dict[str, Any]]:
    return [read_h5_config(base_models / f"{name}.h5") for name in BASE_MODELS]


model_index = st.integers(0, len(BASE_MODELS) - 1)


@budget(1200)
@given(index=model_index, ops=st.lists(json_op, min_size=1, max_size=6), inspect=st.booleans())
def test_keras_mutated_config(
    scratch: Path, keras_bases: list[Any], index: int, ops: list[Any], inspect: bool
) -> None:
    config, members = keras_bases[index]
    path = scratch / "config.keras"
    write_keras(path, members, mutate_json(config, ops))
    assert_handled(path, "model")
    if inspect:
        assert_inspect_handled(path)


ZIP_OPS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "truncate", "insert", "zero"]),
        st.integers(0, 10**6),
        st.integers(0, 255),
    ),
    min_size=1,
    max_size=4,
)


@budget(500)
@given(index=model_index, ops=ZIP_OPS)
def test_keras_mutated_zip_bytes(
    scratch: Path, base_models: Path, index: int, ops: list[tuple[str, int, int]]
) -> None:
    data = bytearray((base_models / f"{BASE_MODELS[index]}.keras").read_bytes())
    for op, where, byte in ops:
        # Aim half the edits at the central directory at the end, where the zip's structure is.
        pos = (len(data) - 1 - where % 200) if where % 2 else where % max(len(data), 1)
        pos = max(0, min(pos, len(data) - 1))
        if op == "flip" and data:
            data[pos] ^= byte or 1
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = bytes([byte]) * (1 + where % 7)
        elif op == "zero":
            data[pos : pos + 4] = b"\0\0\0\0"
    path = scratch / "bytes.keras"
    path.write_bytes(bytes(data))
    assert_handled(path, "model")
    assert_inspect_handled(path)


MEMBER_NAMES = [
    "config.json",
    "metadata.json",
    "model.weights.h5",
    "model.weights.npz",
    "assets/x",
    "config.json/",
    "CONFIG.JSON",
    "./config.json",
    "dir/config.json",
    "a" * 300,
    "é.json",
]


@budget(400)
@given(
    index=model_index,
    drop=st.sets(st.sampled_from(["config.json", "metadata.json", "model.weights.h5"])),
    extra=st.lists(st.tuples(st.sampled_from(MEMBER_NAMES), st.binary(max_size=64)), max_size=3),
    metadata=st.one_of(st.none(), json_value),
    stored=st.booleans(),
)
def test_keras_member_structure(
    scratch: Path,
    keras_bases: list[Any],
    index: int,
    drop: set[str],
    extra: list[tuple[str, bytes]],
    metadata: Any,
    stored: bool,
) -> None:
    _, members = keras_bases[index]
    path = scratch / "members.keras"
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            if name in drop:
                continue
            if name == "metadata.json" and metadata is not None:
                data = json.dumps(metadata, allow_nan=True).encode()
            archive.writestr(name, data)
        for name, data in extra:  # duplicates of existing names are allowed by zip
            archive.writestr(name, data)
    assert_handled(path, "model")
    assert_inspect_handled(path)


@budget(600)
@given(
    index=model_index,
    ops=st.lists(json_op, max_size=5),
    attr=st.sampled_from(["model_config", "keras_version", "backend", "training_config"]),
    odd=st.one_of(st.none(), st.integers(0, 9)),
    drop_group=st.booleans(),
)
def test_h5_mutations(
    scratch: Path,
    base_models: Path,
    h5_configs: list[Any],
    index: int,
    ops: list[Any],
    attr: str,
    odd: int | None,
    drop_group: bool,
) -> None:
    import h5py

    path = scratch / "mutated.h5"
    shutil.copyfile(base_models / f"{BASE_MODELS[index]}.h5", path)
    if odd is None:
        mutated = json.dumps(mutate_json(h5_configs[index], ops), allow_nan=True)
        set_h5_attr(path, "model_config", mutated)
    else:
        set_h5_attr(path, attr, odd_h5_values()[odd])
    if drop_group:
        with h5py.File(path, "a") as handle:
            for key in list(handle.keys())[:1]:
                del handle[key]
    assert_handled(path, "model")
    assert_inspect_handled(path)


def test_h5_missing_attribute_and_groups(tmp_path: Path, base_models: Path) -> None:
    import h5py

    for name in BASE_MODELS:
        path = tmp_path / f"{name}.h5"
        shutil.copyfile(base_models / f"{name}.h5", path)
        with h5py.File(path, "a") as handle:
            for key in list(handle.keys()):
                del handle[key]
        assert_handled(path, "model")
        assert_inspect_handled(path)
        set_h5_attr(path, "model_config", None)
        assert_handled(path, "model")
        assert_inspect_handled(path)


@budget(600)
@given(
    index=model_index,
    ops=st.lists(json_op, max_size=5),
    flips=st.lists(st.tuples(st.integers(0, 10**5), st.integers(1, 255)), max_size=3),
    node_path=st.sampled_from([b"root", b"root.layer-0", b"", b"\xff"]),
    legacy_shape=st.booleans(),
)
def test_savedmodel_metadata(
    tmp_path_factory: pytest.TempPathFactory,
    scratch: Path,
    h5_configs: list[Any],
    index: int,
    ops: list[Any],
    flips: list[tuple[int, int]],
    node_path: bytes,
    legacy_shape: bool,
) -> None:
    config = mutate_json(h5_configs[index], ops)
    meta: Any = {"class_name": "Functional", "config": config, "keras_version": "2.15.0"}
    if legacy_shape:
        meta = {"model_config": config, "class_name": "Functional"}
    data = bytearray(keras_metadata(json.dumps(meta, allow_nan=True).encode(), node_path))
    for where, byte in flips:
        data[where % len(data)] ^= byte
    directory = savedmodel_dir(scratch / "saved", bytes(data))
    assert_handled(directory, "model")
    assert_inspect_handled(directory)


@budget(300)
@given(data=st.binary(max_size=600))
def test_savedmodel_random_bytes(scratch: Path, data: bytes) -> None:
    directory = savedmodel_dir(scratch / "saved_random", data)
    assert_handled(directory, "model")


# Hand-made graph shapes the mutators rarely reach.


def functional(layers: list[dict[str, Any]], inputs: Any, outputs: Any) -> dict[str, Any]:
    return {
        "class_name": "Functional",
        "config": {"name": "m", "layers": layers, "input_layers": inputs, "output_layers": outputs},
    }


def layer(cls: str, name: str, inbound: list[str], **config: Any) -> dict[str, Any]:
    nodes = [[[[src, 0, 0, {}] for src in inbound]]] if inbound else []
    return {
        "class_name": cls,
        "name": name,
        "config": {"name": name, **config},
        "inbound_nodes": nodes,
    }


def input_layer(name: str, shape: list[Any]) -> dict[str, Any]:
    return layer("InputLayer", name, [], batch_input_shape=shape)


def nested_sequential(depth: int) -> dict[str, Any]:
    model: dict[str, Any] = {"class_name": "Flatten", "config": {"name": "flat"}}
    for i in range(depth):
        model = {"class_name": "Sequential", "config": {"name": f"s{i}", "layers": [model]}}
    return model


HANDMADE = {
    "two_cycle": functional(
        [
            input_layer("in", [None, 8, 8, 3]),
            layer("Flatten", "a", ["b"]),
            layer("Dense", "b", ["a"], units=4),
        ],
        [["in", 0, 0]],
        [["b", 0, 0]],
    ),
    "self_loop": functional(
        [
            input_layer("in", [None, 4, 4]),
            layer("Flatten", "f", ["f"]),
            layer("Dense", "d", ["f"], units=2),
        ],
        [["in", 0, 0]],
        [["d", 0, 0]],
    ),
    "huge_shape": functional(
        [
            input_layer("in", [None, 10**300, 10**300, 3]),
            layer("Flatten", "f", ["in"]),
            layer("Dense", "d", ["f"], units=10**300),
        ],
        [["in", 0, 0]],
        [["d", 0, 0]],
    ),
    "negative_shape": functional(
        [
            input_layer("in", [None, -7, 0, 3]),
            layer("Conv2D", "c", ["in"], filters=-1, kernel_size=[0, 0], strides=[0, 0]),
            layer("Flatten", "f", ["c"]),
            layer("Dense", "d", ["f"], units=-5),
        ],
        [["in", 0, 0]],
        [["d", 0, 0]],
    ),
    "float_shape": functional(
        [
            input_layer("in", [None, 1e308, 0.5, "x"]),
            layer("Flatten", "f", ["in"]),
            layer("Dense", "d", ["f"], units=1e308),
        ],
        [["in", 0, 0]],
        [["d", 0, 0]],
    ),
    "node_index_out_of_range": functional(
        [
            input_layer("in", [None, 4, 4, 3]),
            {
                "class_name": "Flatten",
                "name": "f",
                "config": {"name": "f"},
                "inbound_nodes": [[["in", 99, 99, {}]]],
            },
        ],
        [["in", 0, 0]],
        [["f", 5, 7]],
    ),
    "nested_40": nested_sequential(40),
    "nested_64": nested_sequential(64),
    "nested_300": nested_sequential(300),
    "long_chain": functional(
        [input_layer("l0", [None, 8])]
        + [layer("Dense", f"l{i}", [f"l{i - 1}"], units=8) for i in range(1, 20000)]
        + [layer("Flatten", "f", ["l19999"]), layer("Dense", "out", ["f"], units=3)],
        [["l0", 0, 0]],
        [["out", 0, 0]],
    ),
    "wide_merge": functional(
        [input_layer("in", [None, 8, 8, 3])]
        + [layer("Conv2D", f"c{i}", ["in"], filters=2, kernel_size=[1, 1]) for i in range(3000)]
        + [
            layer("Concatenate", "cat", [f"c{i}" for i in range(3000)]),
            layer("Flatten", "f", ["cat"]),
            layer("Dense", "d", ["f"], units=2),
        ],
        [["in", 0, 0]],
        [["d", 0, 0]],
    ),
    "custom_module": {
        "module": "os",
        "class_name": "system",
        "registered_name": "os>system",
        "config": {"command": "touch CANARY"},
    },
}


@pytest.mark.parametrize("name", sorted(HANDMADE))
@pytest.mark.parametrize("suffix", [".keras", ".h5", "savedmodel"])
def test_handmade_graphs(tmp_path: Path, keras_bases: list[Any], name: str, suffix: str) -> None:
    config = HANDMADE[name]  # the writers only read it
    if suffix == ".keras":
        path = tmp_path / "m.keras"
        write_keras(path, keras_bases[0][1], config)
    elif suffix == ".h5":
        import h5py

        path = tmp_path / "m.h5"
        with h5py.File(path, "w") as handle:
            handle.attrs["model_config"] = json.dumps(config)
    else:
        path = savedmodel_dir(tmp_path / "saved", keras_metadata(json.dumps(config).encode()))
    assert_handled(path, "model")
    assert_inspect_handled(path)


def test_array_valued_model_config(tmp_path: Path) -> None:
    import h5py

    path = tmp_path / "array.h5"
    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = np.array([b"{}", b"[]"])
    assert_handled(path, "model")
