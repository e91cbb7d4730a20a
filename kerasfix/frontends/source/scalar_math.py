"""Arithmetic on plain numbers through `math` and NumPy: sizes are often computed, not typed
(`num_layers = int(np.log2(img_dim)) - 3`, `side = math.isqrt(n_features)`,
`units = np.prod((7, 7, 512))`). Numbers in, a number out; anything else stays unknown."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kerasfix.frontends.source.value_ops import concrete_items
from kerasfix.frontends.source.values import Unknown

ScalarFunction = Callable[[list[Any], dict[str, Any]], Any]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _on_numbers(name: str, fn: Callable[..., Any], arity: tuple[int, ...]) -> ScalarFunction:
    def compute(args: list[Any], kwargs: dict[str, Any]) -> Any:
        if kwargs or len(args) not in arity or not all(_number(a) for a in args):
            return Unknown(f"{name}() of a value not known statically")
        try:
            result = fn(*args)
        except (ArithmeticError, ValueError, TypeError):
            return Unknown(f"{name}() outside its domain")
        return result if _number(result) else Unknown(f"the result of {name}()")

    return compute


def _product(name: str) -> ScalarFunction:
    """`math.prod(shape)` / `np.prod((7, 7, 512))` of numbers the file spells out."""

    def compute(args: list[Any], kwargs: dict[str, Any]) -> Any:
        items = concrete_items(args[0]) if len(args) == 1 and not kwargs else None
        if items is None or not all(_number(i) for i in items):
            return Unknown(f"{name}() of values not known statically")
        return math.prod(items)

    return compute


def _numpy_float(fn: Callable[..., Any]) -> Callable[..., Any]:
    """NumPy's ceil/floor return floats (`np.ceil(7 / 2)` is 4.0), as `int()` then expects."""
    return lambda *args: float(fn(*args))


_MATH: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "ceil": (math.ceil, (1,)),
    "floor": (math.floor, (1,)),
    "trunc": (math.trunc, (1,)),
    "sqrt": (math.sqrt, (1,)),
    "isqrt": (math.isqrt, (1,)),
    "log": (math.log, (1, 2)),
    "log2": (math.log2, (1,)),
    "log10": (math.log10, (1,)),
    "exp": (math.exp, (1,)),
    "pow": (math.pow, (2,)),
    "fabs": (math.fabs, (1,)),
    "gcd": (math.gcd, (2,)),
}
_NUMPY: dict[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "ceil": (_numpy_float(math.ceil), (1,)),
    "floor": (_numpy_float(math.floor), (1,)),
    "sqrt": (math.sqrt, (1,)),
    "log": (math.log, (1,)),
    "log2": (math.log2, (1,)),
    "log10": (math.log10, (1,)),
    "exp": (math.exp, (1,)),
    "power": (pow, (2,)),
}

SCALAR_FUNCTIONS: dict[str, ScalarFunction] = {
    **{f"math.{name}": _on_numbers(f"math.{name}", fn, n) for name, (fn, n) in _MATH.items()},
    **{f"numpy.{name}": _on_numbers(f"np.{name}", fn, n) for name, (fn, n) in _NUMPY.items()},
    "math.prod": _product("math.prod"),
    "numpy.prod": _product("np.prod"),
}
