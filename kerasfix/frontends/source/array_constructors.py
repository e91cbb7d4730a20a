"""Arrays whose shape the call spells out: `np.zeros((10, 828, 1))`, `tf.random.normal(...)`.

Scripts often build stand-in data or a dummy batch with a literal shape and derive the
model's input from it (`input_shape=X.shape[1:]`, `np.expand_dims(X, -1)`, a builder called
with `X`). The shape is in the call, so it is known statically; the values never matter.
"""

from __future__ import annotations

from typing import Any

from kerasfix.frontends.source.values import ArrayValue, ListValue

# qualified name (after the import alias is resolved) -> how the shape is passed:
# ("arg", i, keyword): positional i or that keyword; ("dims", 0, ""): the dims are the args.
_SHAPE_ARGUMENT: dict[str, tuple[str, int, str]] = {
    "numpy.zeros": ("arg", 0, "shape"),
    "numpy.ones": ("arg", 0, "shape"),
    "numpy.empty": ("arg", 0, "shape"),
    "numpy.full": ("arg", 0, "shape"),
    "numpy.random.random": ("arg", 0, "size"),
    "numpy.random.random_sample": ("arg", 0, "size"),
    "numpy.random.sample": ("arg", 0, "size"),
    "numpy.random.rand": ("dims", 0, ""),
    "numpy.random.randn": ("dims", 0, ""),
    "numpy.random.normal": ("arg", 2, "size"),
    "numpy.random.uniform": ("arg", 2, "size"),
    "numpy.random.randint": ("arg", 2, "size"),
    "tensorflow.zeros": ("arg", 0, "shape"),
    "tensorflow.ones": ("arg", 0, "shape"),
    "tensorflow.fill": ("arg", 0, "dims"),
    "tensorflow.random.normal": ("arg", 0, "shape"),
    "tensorflow.random.uniform": ("arg", 0, "shape"),
    "tensorflow.random.truncated_normal": ("arg", 0, "shape"),
}


def array_from_call(qualname: str, args: list[Any], kwargs: dict[str, Any]) -> ArrayValue | None:
    """The array a constructor call returns, when its shape is literal; else None."""
    how = _SHAPE_ARGUMENT.get(canonical_qualname(qualname))
    if how is None:
        return None
    style, index, keyword = how
    if style == "dims":
        dims: Any = tuple(args)
    else:
        dims = args[index] if len(args) > index else kwargs.get(keyword)
    if isinstance(dims, int) and not isinstance(dims, bool):
        dims = (dims,)
    if isinstance(dims, ListValue):
        dims = tuple(dims.items)
    if not isinstance(dims, tuple) or not dims:
        return None
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims):
        return None
    return ArrayValue(dims)


def canonical_qualname(qualname: str) -> str:
    """`np.` and `tf.` spellings as the import resolves them (numpy., tensorflow.)."""
    head, _, rest = qualname.partition(".")
    head = {"np": "numpy", "tf": "tensorflow"}.get(head, head)
    return f"{head}.{rest}" if rest else head
