"""Structural mutations of JSON documents (notebooks, model configs) for hypothesis."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**31,
    2**63,
    10**30,
    -(10**30),
    1e308,
    -1e308,
    0.5,
    float("nan"),
    float("inf"),
    "",
    "x",
    "Flatten",
    "Dense",
    "None",
    "channels_first",
    "same",
    "../../etc/passwd",
    "\x00",
    "é" * 3,
    [],
    {},
    [None],
    [0],
    [-1, -1],
    [None, 10**12, 10**12, 3],
    {"class_name": "Flatten", "config": {}},
    {"class_name": None},
    {"config": None},
    ["a", 0, 0],
    [["a", 0, 0, {}]],
    {"keras_history": ["a", 0, 0]},
]

json_leaf = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.integers(-(2**70), 2**70),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
ACTIONS = ["delete", "replace", "wrap", "duplicate", "empty", "stringify", "rename"]
json_op = st.tuples(
    st.lists(st.integers(0, 1000), min_size=0, max_size=10),
    st.sampled_from(ACTIONS),
    json_value,
)


def mutate_json(document: Any, ops: list[tuple[list[int], str, Any]]) -> Any:
    """`document` with each op applied at the node its index path leads to."""
    root = {"root": copy.deepcopy(document)}
    for path, action, value in ops:
        parent: Any = root
        key: Any = "root"
        for step in path:
            child = parent[key]
            if isinstance(child, dict) and child:
                keys = list(child)
                parent, key = child, keys[step % len(keys)]
            elif isinstance(child, list) and child:
                parent, key = child, step % len(child)
            else:
                break
        _apply(parent, key, action, value)
    return root.get("root")


def _apply(parent: Any, key: Any, action: str, value: Any) -> None:
    node = parent[key]
    if action == "delete":
        if (isinstance(parent, dict) and key != "root") or isinstance(parent, list):
            del parent[key]
    elif action == "replace":
        parent[key] = copy.deepcopy(value)  # ODD_VALUES are shared: never alias them
    elif action == "wrap":
        parent[key] = [node]
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(node))
    elif action == "empty":
        parent[key] = type(node)() if isinstance(node, dict | list | str) else None
    elif action == "stringify":
        parent[key] = str(node)[:200]
    elif action == "rename" and isinstance(parent, dict) and key != "root":
        parent[str(value)[:20]] = parent.pop(key)
