"""Abstract values the source interpreter computes instead of running the code.

Plain constants (int, float, str, bool, None, tuple, dict) are Python values; everything
else is one of these classes. `Unknown` (from the graph model) stands for any value the
file does not determine.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kerasfix.graph.model import Graph, Layer, Node, Unknown
from kerasfix.limits import MAX_BASES

__all__ = [
    "ArrayValue",
    "AttributeBag",
    "BackboneLastLayer",
    "BoundMethod",
    "ClassValue",
    "FunctionValue",
    "InstanceValue",
    "LayerValue",
    "ListValue",
    "ModelValue",
    "PartialValue",
    "Ref",
    "RunTimeNumber",
    "SequentialValue",
    "TensorValue",
    "Unknown",
    "WholeLayers",
]


@dataclass(frozen=True, eq=False)
class AttributeBag(Unknown):
    """A run-time object the file gives literal attributes (`config = wandb.config`, then
    `config.img_size = 100`): those attributes read back as assigned; anything else about
    the object stays unknown, so it still behaves as an `Unknown` everywhere else."""

    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class RunTimeNumber(Unknown):
    """A single number known only at run time (`np.mean(x)` over every axis, `std + 1e-7`):
    unknown as a size, but an array combined with it keeps the array's shape."""


@dataclass(eq=False)
class PartialValue:
    """`functools.partial(func, *args, **kwargs)`: a layer factory such as
    `Conv = partial(layers.Conv2D, kernel_size=3, padding="same")`."""

    func: Any
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ref:
    """An imported module or object, by its fully qualified name."""

    qualname: str


_list_serials = [0]  # the last serial given to a list


def _new_list_serial() -> int:
    _list_serials[0] += 1
    return _list_serials[0]


def list_serial_mark() -> int:
    """Lists made after this call have larger serials (a loop knows which lists predate it)."""
    return _list_serials[0]


@dataclass(eq=False)
class ListValue:
    """A Python list (mutable, so layer lists built with append/extend are followed).

    `open_ended`: filled by a loop the file does not unroll (`for p in os.listdir(d):
    images.append(...)`), so each kind of item is known but not how many there are."""

    items: list[Any] = field(default_factory=list)
    open_ended: bool = False
    serial: int = field(default_factory=_new_list_serial)


@dataclass(eq=False)
class LayerValue:
    """A constructed Keras layer object (not yet called)."""

    layer: Layer
    # For backbones built standalone: the node that represents the backbone's own call.
    own_node: Node | None = None


@dataclass(eq=False)
class WholeLayers:
    """`backbone.layers`: a loop over all of them (`for layer in vgg.layers: model.add(layer)`)
    or `Sequential(vgg.layers)` rebuilds the backbone, so iterated whole it yields the backbone
    once, as one layer; a slice, an index or `len()` of it is unknown."""

    backbone: LayerValue


@dataclass(eq=False)
class BackboneLastLayer:
    """`backbone.layers[-1]`: its `.output` is the backbone's output (code that cuts a
    backbone writes it for `backbone.output`); nothing else about that layer is known."""

    backbone: LayerValue


@dataclass(eq=False)
class TensorValue:
    node: Node


@dataclass(eq=False)
class SequentialValue:
    """A `Sequential` model: its layer list, materialised into a chain after the run."""

    layer: Layer  # the model as a layer (class_name "Sequential"); `inner` set at the end
    items: list[tuple[Any, bool, int]] = field(default_factory=list)  # (value, conditional, line)
    build_shape: Any = None
    data_shape: tuple[int, ...] | None = None  # from fit/predict on an array of known shape
    graph: Graph | None = None
    depth: int = 0  # len(interpreter.conditional) when the Sequential was created


@dataclass(eq=False)
class ModelValue:
    """A functional `Model(inputs, outputs)`."""

    layer: Layer  # the model as a layer (class_name "Functional", inner = graph)


@dataclass(eq=False)
class FunctionValue:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    scope: dict[str, Any]
    defaults: dict[str, Any]
    qualname: str
    called: bool = False
    cell: int | None = None  # where the body was written (notebooks), for finding positions
    lines: list[str] = field(default_factory=list)


NO_CONSTANT = object()  # ClassValue.constant: no class on the way defines the name


@dataclass(eq=False)
class ClassValue:
    node: ast.ClassDef
    scope: dict[str, Any]
    methods: dict[str, FunctionValue]
    framework_base: str | None  # "model" | "layer" when it subclasses a framework class
    bases: list[Any] = field(default_factory=list)
    instantiated: bool = False
    constants: dict[str, Any] = field(default_factory=dict)  # class-body names (`SIZE = 32`)

    def ancestry(self, depth: int = 0) -> Iterator[ClassValue]:
        """The class, then its project base classes, depth first (Python's order for the
        single inheritance such code uses), at most MAX_BASES deep."""
        yield self
        for base in self.bases if depth < MAX_BASES else ():
            if isinstance(base, ClassValue):
                yield from base.ancestry(depth + 1)

    def lookup(self, name: str) -> FunctionValue | None:
        """A method as Python finds it: the class's own, else its bases', so a subclass runs
        the `__init__` and helpers of a base class the project defines."""
        return next((c.methods[name] for c in self.ancestry() if name in c.methods), None)

    def constant(self, name: str) -> Any:
        """A class-body name, the class's own or a base's; `NO_CONSTANT` when none has it."""
        return next(
            (c.constants[name] for c in self.ancestry() if name in c.constants), NO_CONSTANT
        )


@dataclass(frozen=True, eq=False)
class LoadedModel(Unknown):
    """`load_model(path)`: a model only the file on disk describes. Loading either gives a
    model or raises, so `if model:` after it is always taken."""


@dataclass(frozen=True, eq=False)
class AutoLayerName(Unknown):
    """The name Keras gives a layer the file leaves unnamed (`max_pooling2d_3`): its number
    is only known at run time, but it never equals a name of another form, so
    `layer.name == "bottleneck"` is decided."""

    reason: str = "the name Keras gives a layer at run time"
    stems: tuple[str, ...] = ()

    def may_be(self, text: str) -> bool:
        return any(re.fullmatch(rf"{re.escape(stem)}(_\d+)?", text) for stem in self.stems)


@dataclass(eq=False)
class InstanceValue:
    cls: ClassValue
    attrs: dict[str, Any] = field(default_factory=dict)
    called: bool = False
    # The framework object the instance is, for what the class inherits: a `Sequential`
    # subclass's layer list (`class LeNet(Sequential)` calling `self.add(...)`).
    framework: Any = None


@dataclass(eq=False)
class BoundMethod:
    receiver: Any
    name: str


@dataclass(frozen=True)
class ArrayValue:
    """A NumPy-like array whose shape is known (e.g. from a keras.datasets loader).
    `distinct` is how many different values it holds where the file fixes that (a dataset's
    labels: its classes), so `len(np.unique(y))`, a classifier's width, is known too."""

    shape: tuple[int, ...]
    distinct: int | None = None


@dataclass
class RangeValue:
    """A `range()` with known bounds, short enough to unroll."""

    values: range
