"""Attributes read off a class itself: `Config.SEQUENCE_LENGTH`, `LeNet.build(...)`.

Configuration classes hold sizes as class constants, and model-zoo scripts define
`@staticmethod build(width, height, depth, classes)`; both are read without an instance.
"""

from __future__ import annotations

import ast
from typing import Any

from kerasfix.frontends.source.values import NO_CONSTANT, ClassValue, Unknown


def class_attribute(cls: ClassValue, attr: str) -> Any:
    """A class constant, a static method (callable as a plain function), or Unknown."""
    if (constant := cls.constant(attr)) is not NO_CONSTANT:
        return constant
    method = cls.lookup(attr)
    if method is not None and (is_static(method.node) or attr == "__init__"):
        return method  # `Base.__init__(self, ...)` runs the base's __init__ on `self`
    return Unknown(f"'{cls.node.name}.{attr}' is not a constant of the class body")


def is_static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`@staticmethod`: called on an instance, it gets no `self`."""
    return any(
        isinstance(decorator, ast.Name) and decorator.id == "staticmethod"
        for decorator in node.decorator_list
    )
