"""Layer specs and the table they are registered in: the leaf every layer family imports.

Each family module (conv, pooling, reshaping, ...) registers a `LayerSpec` per class name
here when imported. Reading the table goes through a loader that the registry installs
(`kerasfix.layers.registry` imports the families when first asked), so the families import
this module downward and no module needs an import cycle to fill or read the table.
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
    # False for kerasfix's own node kinds (a backbone cut at a named layer): sized like a
    # layer, but no Keras class of that name exists, so code never names it.
    keras_class: bool = True

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


def _nothing_to_load() -> None:
    return None


_load: Callable[[], None] = _nothing_to_load


def set_loader(load: Callable[[], None]) -> None:
    """Called by the registry: `load()` registers every family (once) before a read."""
    global _load
    _load = load


def register(spec: LayerSpec, *aliases: str) -> LayerSpec:
    _SPECS[spec.class_name] = spec
    for alias in aliases:
        _ALIASES[alias] = spec.class_name
    return spec


def canonical_name(class_name: str) -> str:
    """Keras 3 class name for a (possibly legacy or aliased) class name."""
    _load()
    return _ALIASES.get(class_name, class_name)


def lookup(class_name: str) -> LayerSpec | None:
    _load()
    return _SPECS.get(_ALIASES.get(class_name, class_name))


def known_names() -> frozenset[str]:
    """The Keras class names kerasfix sizes (and their legacy aliases)."""
    _load()
    return frozenset(name for name, spec in _SPECS.items() if spec.keras_class) | frozenset(
        _ALIASES
    )


def data_format_names() -> frozenset[str]:
    """Keras 3 class names whose constructor takes `data_format`: a file's
    `set_image_data_format()` applies to these layers and no others."""
    _load()
    return frozenset(name for name, spec in _SPECS.items() if spec.takes_data_format)
