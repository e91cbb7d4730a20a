"""Registry of layer families: one `LayerSpec` per Keras class name.

Each family module (conv, pooling, reshaping, ...) registers the layers it knows with the
output-shape and parameter arithmetic of that family, mirroring how Keras keeps
`compute_output_shape` beside each layer family. Everything else looks layers up here.
The registry imports no family: the `kerasfix.layers` package imports them all (through
`families`) before anyone can look a layer up, so the families import the registry
downward and no import cycle is needed to fill it.
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
    # Keyword arguments the arithmetic reads that `positional` does not bind (Keras takes
    # them by keyword only, or after arguments kerasfix never binds).
    keywords: tuple[str, ...] = ()

    @property
    def takes_data_format(self) -> bool:
        """Whether the constructor takes `data_format` (defaulting to the image data format)."""
        return "data_format" in self.positional or "data_format" in self.keywords

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
    return _ALIASES.get(class_name, class_name)


def lookup(class_name: str) -> LayerSpec | None:
    return _SPECS.get(_ALIASES.get(class_name, class_name))


def known_names() -> frozenset[str]:
    return frozenset(_SPECS) | frozenset(_ALIASES)


def data_format_names() -> frozenset[str]:
    """Keras 3 class names whose constructor takes `data_format`: a file's
    `set_image_data_format()` applies to these layers and no others."""
    return frozenset(name for name, spec in _SPECS.items() if spec.takes_data_format)
