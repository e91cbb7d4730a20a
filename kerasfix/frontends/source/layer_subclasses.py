"""Project classes that subclass a concrete Keras layer (`class FakeApproxConv2D(Conv)`,
`class WSConv2D(layers.Conv2D)`): quantised, weight-standardised or instrumented variants
that keep the base layer's arithmetic. An instance is the base layer built from what the
subclass's `__init__` passes to `super().__init__(...)` (`rank=2` picks Conv2D for the
shared `Conv` base); a subclass that defines `compute_output_shape` says its shape differs,
and stays a custom layer whose `call` is run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kerasfix.frontends.source.values import ClassValue, Ref
from kerasfix.layers.registry import lookup

# Bases that are no layer of their own: subclassing them is writing a layer (`call` runs).
_NOT_CONCRETE = frozenset({"Layer", "Model", "Sequential", "Functional", "InputLayer", "Wrapper"})
# Keras's shared convolution base, made concrete by its `rank` argument.
_CONV_BASES = frozenset({"Conv", "BaseConv"})


@dataclass(eq=False)
class LayerInit:
    """What a subclass's `__init__` passed to `super().__init__(...)`."""

    base: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    called: bool = False


def concrete_layer_base(cls: ClassValue) -> str | None:
    """The Keras layer class `cls` extends (through project bases), when it is a concrete
    one and no class on the way defines `compute_output_shape`; else None."""
    if cls.lookup("compute_output_shape") is not None:
        return None
    for owner in cls.ancestry():
        for base in owner.bases:
            if not isinstance(base, Ref):
                continue
            module, _, leaf = base.qualname.rpartition(".")
            if "keras" not in module.split("."):
                continue
            if leaf in _CONV_BASES and "conv" in module.lower():
                return leaf
            spec = lookup(leaf)
            if spec is not None and spec.keras_class and leaf not in _NOT_CONCRETE:
                return spec.class_name
    return None


def base_layer_call(init: LayerInit) -> tuple[str, list[Any], dict[str, Any]] | None:
    """The Keras class and arguments the base layer is built with (None when the `Conv`
    base's rank is not a literal 1, 2 or 3)."""
    args, kwargs = list(init.args), dict(init.kwargs)
    if init.base not in _CONV_BASES:
        return init.base, args, kwargs
    rank = kwargs.pop("rank", None)
    if rank is None and args:
        rank = args.pop(0)
    if rank not in (1, 2, 3) or isinstance(rank, bool):
        return None
    return f"Conv{rank}D", args, kwargs
