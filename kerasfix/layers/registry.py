"""Registry of layer families: one `LayerSpec` per Keras class name.

Each family module (conv, pooling, reshaping, ...) registers the layers it knows with the
output-shape and parameter arithmetic of that family, mirroring how Keras keeps
`compute_output_shape` beside each layer family. Everything else looks layers up here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from kerasfix.graph.model import Shape

ShapeFn = Callable[[dict[str, Any], Sequence[Shape | None]], Shape | None]
ParamFn = Callable[[dict[str, Any], Sequence[Shape | None]], int | None]
RoleFn = Callable[[dict[str, Any]], "Role"]


class Role(Enum):
    """What a layer means for the Flatten -> Dense rules."""

    SPATIAL = "spatial"  # produces a feature map with spatial axes (conv, pooling, upsampling...)
    PRESERVING = "preserving"  # passes its input's meaning through unchanged (BN, Dropout, ...)
    MERGE = "merge"  # combines inputs; a feature map if its inputs are
    OTHER = "other"


@dataclass(frozen=True)
class LayerSpec:
    class_name: str
    output_shape: ShapeFn
    params: ParamFn
    role: Role = Role.OTHER
    # Names of positional constructor arguments, in order, as Keras 3 spells them.
    positional: tuple[str, ...] = ()
    # Config-dependent role for wrappers (TimeDistributed(Conv2D) is spatial,
    # TimeDistributed(Dense) is not); `role` is then the conservative default.
    role_fn: RoleFn | None = None

    def role_for(self, config: dict[str, Any]) -> Role:
        """The role of a layer with this config (wrappers defer to the wrapped layer)."""
        if self.role_fn is None:
            return self.role
        try:
            return self.role_fn(config)
        except (TypeError, ValueError, KeyError, AttributeError):
            return self.role


_SPECS: dict[str, LayerSpec] = {}
_ALIASES: dict[str, str] = {}


def register(spec: LayerSpec, *aliases: str) -> LayerSpec:
    _SPECS[spec.class_name] = spec
    for alias in aliases:
        _ALIASES[alias] = spec.class_name
    return spec


def canonical_name(class_name: str) -> str:
    """Keras 3 class name for a (possibly legacy or aliased) class name."""
    _ensure_loaded()
    return _ALIASES.get(class_name, class_name)


def lookup(class_name: str) -> LayerSpec | None:
    _ensure_loaded()
    return _SPECS.get(_ALIASES.get(class_name, class_name))


def known_names() -> frozenset[str]:
    _ensure_loaded()
    return frozenset(_SPECS) | frozenset(_ALIASES)


_loaded = False


def _ensure_loaded() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from kerasfix.layers import families  # noqa: F401  (registers every family)
