"""A layer class where a layer belongs: `Sequential([..., tf.keras.layers.Flatten, ...])`
or `model.add(Flatten)` without the parentheses. Keras refuses such a model ("expected a
Layer instance"); kerasfix says so at the entry instead of staying silent (issue 25 s5)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from kerasfix.frontends.source import keras_names
from kerasfix.frontends.source.evaluator import dotted
from kerasfix.frontends.source.keras_names import Kind
from kerasfix.frontends.source.values import LayerValue, Ref, Unknown
from kerasfix.graph.model import Layer, SourceSpan


def entries(value: Any, where: ast.expr | None, span: Callable[[ast.AST], SourceSpan]) -> list[Any]:
    """The Sequential items `value` stands for: itself, or for a Keras layer class written
    at `where`, an unknown step that says why (and the Flatten it names, so the Flatten ->
    Dense after it is still a site, with that reason)."""
    if not isinstance(value, Ref) or where is None:
        return [value]
    if keras_names.classify(value.qualname) is not Kind.LAYER:
        return [value]
    text = dotted(where) or value.qualname.rsplit(".", 1)[-1]
    reason = (
        f"the Sequential's entry `{text}` (line {where.lineno}) is the layer class, not a "
        f"layer: Keras refuses the model (write `{text}()`)"
    )
    leaf = value.qualname.rsplit(".", 1)[-1]
    if leaf != "Flatten":
        return [Unknown(reason)]
    origin = {"callee": text, "raw_class": leaf, "class_entry": True}
    return [Unknown(reason), LayerValue(Layer("Flatten", {}, span=span(where), origin=origin))]


def list_elements(expr: ast.Call, count: int) -> list[ast.expr | None]:
    """The list literal's elements passed to `Sequential(...)`, when they map one to one
    onto its `count` items (no starred entries), else Nones."""
    initial = expr.args[0] if expr.args else None
    for keyword in expr.keywords:
        if keyword.arg == "layers":
            initial = keyword.value
    literal = isinstance(initial, ast.List | ast.Tuple) and len(initial.elts) == count
    if literal and not any(isinstance(e, ast.Starred) for e in initial.elts):  # type: ignore[union-attr]
        return list(initial.elts)  # type: ignore[union-attr]
    return [None] * count
