"""A map keyed by an object's identity that keeps the object: layers, spans and unknown
values are not hashable by value, and a plain `dict[id(obj)]` outlives a freed object, whose
id Python then gives a new one (a Lambda once ran another block's function so, on some hash
seeds only)."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityMap(Generic[K, V]):
    """`obj -> value` by `obj is key`; each key is held, so its id stays its own."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[int, tuple[K, V]] = {}

    def __setitem__(self, key: K, value: V) -> None:
        self._entries[id(key)] = (key, value)

    def get(self, key: object) -> V | None:
        entry = self._entries.get(id(key))
        return entry[1] if entry is not None and entry[0] is key else None

    def __bool__(self) -> bool:
        return bool(self._entries)
