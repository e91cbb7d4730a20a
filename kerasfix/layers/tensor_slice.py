"""`x[:, :, :16]` on a tensor between layers: kerasfix's own node kind (Keras has no such
class: the slice is a Lambda's or a subclassed `call()`'s, as in residual blocks that add a
convolution's two halves of channels, `x[:, :, :f] + x[:, :, f:]`).

The node's config holds the index as literal items, NumPy's basic indexing: `("slice",
start, stop, step)`, `("index", i)`, `("ellipsis",)`, `("newaxis",)`. The batch axis may
only be kept whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasfix.graph.model import Shape
from kerasfix.layers.arithmetic import first, zero_params
from kerasfix.layers.spec import LayerSpec, Role, register

TENSOR_SLICE = "TensorSlice"

Item = tuple[Any, ...]


def slice_items(index: Any) -> tuple[Item, ...] | None:
    """The index of `x[index]` as config items; None when a part is not a literal."""
    parts = index if isinstance(index, tuple) else (index,)
    items: list[Item] = []
    for part in parts:
        if part is Ellipsis:
            items.append(("ellipsis",))
        elif part is None:
            items.append(("newaxis",))
        elif _plain_int(part):
            items.append(("index", part))
        elif isinstance(part, slice) and all(
            bound is None or _plain_int(bound) for bound in (part.start, part.stop, part.step)
        ):
            if part.step == 0:
                return None
            items.append(("slice", part.start, part.stop, part.step))
        else:
            return None
    if sum(item[0] == "ellipsis" for item in items) > 1:
        return None
    return tuple(items)


def _plain_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _slice_shape(config: dict[str, Any], input_shapes: Sequence[Shape | None]) -> Shape | None:
    shape, items = first(input_shapes), config.get("items")
    if shape is None or not isinstance(items, tuple):
        return None
    consuming = sum(item[0] in ("index", "slice") for item in items)
    if consuming > len(shape):
        return None
    out: list[int | None] = []
    axis = 0
    for item in items:
        kind = item[0]
        if kind == "newaxis":
            out.append(1)
            continue
        if kind == "ellipsis":
            kept = len(shape) - consuming
            out.extend(shape[axis : axis + kept])
            axis += kept
            continue
        dim = shape[axis]
        if axis == 0 and item != ("slice", None, None, None):
            return None  # the batch axis: only `:` keeps a model's meaning
        if kind == "index":
            if dim is not None and not -dim <= item[1] < dim:
                return None
        elif axis == 0:
            out.append(dim)
        else:
            out.append(None if dim is None else len(range(*slice(*item[1:]).indices(dim))))
        axis += 1
    out.extend(shape[axis:])
    return tuple(out)


def _role(config: dict[str, Any]) -> Role:
    """Slices keep a feature map a feature map; an index drops an axis."""
    items = config.get("items") or ()
    kept = all(item[0] in ("slice", "ellipsis") for item in items)
    return Role.PRESERVING if kept else Role.OTHER


register(
    LayerSpec(TENSOR_SLICE, _slice_shape, zero_params, Role.OTHER, role_fn=_role, keras_class=False)
)
