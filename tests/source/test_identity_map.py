"""The source analysis's maps keyed by object identity (a Lambda layer's function, where
another file writes a layer, ...): a key freed and its id given to a new object must never
answer for it (RickXia/1D-CNN got another block's Lambda function so, on one hash seed)."""

from __future__ import annotations

import gc

from kerasfix.frontends.source.identity_map import IdentityMap
from kerasfix.graph.model import Layer


def test_only_the_very_key_answers() -> None:
    found: IdentityMap[Layer, str] = IdentityMap()
    assert not found
    key = Layer("Lambda", {})
    found[key] = "resize_image"
    assert found and found.get(key) == "resize_image"
    assert found.get(Layer("Lambda", {})) is None  # an equal layer, another object


def test_a_key_is_held_so_its_id_is_never_a_new_objects() -> None:
    found: IdentityMap[Layer, str] = IdentityMap()
    ids = set()
    for _ in range(200):
        layer = Layer("Lambda", {})
        ids.add(id(layer))
        found[layer] = "f"
        del layer
        gc.collect()
    assert len(ids) == 200  # every key kept alive: no id was handed out twice
    assert all(found.get(Layer("Lambda", {})) is None for _ in range(200))
