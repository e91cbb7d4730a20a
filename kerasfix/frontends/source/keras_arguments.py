"""What Keras makes of abstract argument values: layer configs, declared input shapes, the
tensors passed to a model, and which `Lambda` functions keep their input's shape.

Pure functions of values (no interpreter state), shared by the Keras object model.
"""

from __future__ import annotations

import ast
from typing import Any

from kerasfix.frontends.source.saved_features import ModelFeatures
from kerasfix.frontends.source.value_ops import is_plain
from kerasfix.frontends.source.values import (
    LayerValue,
    ListValue,
    RangeValue,
    Ref,
    TensorValue,
    Unknown,
)
from kerasfix.graph.model import Layer, Node, Shape
from kerasfix.layers import legacy


def config_value(value: Any) -> Any:
    """A value as it would appear in the layer's get_config()."""
    if isinstance(value, ListValue):
        return tuple(config_value(v) for v in value.items)
    if isinstance(value, tuple):
        return tuple(config_value(v) for v in value)
    if isinstance(value, LayerValue):
        return {"class_name": value.layer.class_name, "config": value.layer.config}
    if isinstance(value, RangeValue):
        return tuple(value.values)
    frontend_kind = type(value) is not Unknown and not isinstance(value, ModelFeatures)
    if isinstance(value, Unknown) and frontend_kind:
        # `kernel_size=constants["k"]` (a column the pandas model thought it saw), a
        # run-time number: the layer arithmetic knows plain unknowns, not the frontend's kinds
        # (a model's outputs loaded back keep theirs: the input-shape readers need it)
        return Unknown(value.reason)
    if is_plain(value) or isinstance(value, Unknown | dict):
        return value
    if isinstance(value, Ref):
        # `activation=tf.nn.relu` is configured as "relu"; `filters=wandb.config.size` or
        # `units=settings.UNITS` (another module) are values kerasfix cannot see.
        if value.qualname.split(".", 1)[0] in _FRAMEWORK_MODULES:
            return value.qualname.rsplit(".", 1)[-1]
        return Unknown(f"'{value.qualname}' is defined outside this file")
    return Unknown("a value that is not a constant")


_FRAMEWORK_MODULES = frozenset({"keras", "tensorflow", "tf_keras", "numpy"})


def declared_shape(
    value: Any, batch: int | None = None, with_batch: bool = False
) -> tuple[Shape | None, str | None]:
    """A declared input shape (with batch axis) and, if not fully known, why."""
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if isinstance(value, Unknown):
        return None, value.reason
    if not isinstance(value, tuple):
        return None, "the input shape is not known statically"
    dims: list[int | None] = []
    reason = None
    for dim in value:
        if isinstance(dim, int) and not isinstance(dim, bool):
            dims.append(dim)
        else:
            dims.append(None)
            if isinstance(dim, Unknown):
                reason = reason or dim.reason
            elif isinstance(dim, Ref):  # `from config import SIZE`, config not in the project
                reason = reason or f"'{dim.qualname}' is defined outside this file"
            elif dim is not None:
                reason = reason or "a dimension of the input shape is not a number"
    if with_batch:
        return tuple(dims), reason
    return (batch, *dims), reason


def declared_from_config(config: dict[str, Any]) -> tuple[Shape | None, str | None]:
    """The input shape a first layer declares (`input_shape=`, `batch_input_shape=`...)."""
    for key in ("batch_input_shape", "batch_shape"):
        if key in config:
            return declared_shape(config[key], with_batch=True)
    if "input_shape" in config:
        batch = config.get("batch_size")
        return declared_shape(
            config["input_shape"], batch=batch if isinstance(batch, int) else None
        )
    return legacy.declared_input_shape(config), None


def tensor_nodes(value: Any) -> list[Node] | None:
    """The graph nodes of a tensor or a list/tuple/dict of tensors, else None."""
    if isinstance(value, TensorValue):
        return [value.node]
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, dict):
        value = tuple(value.values())
    if isinstance(value, tuple) and value and all(isinstance(v, TensorValue) for v in value):
        return [v.node for v in value]
    return None


def ancestors(outputs: list[Node], order: list[Node]) -> list[Node]:
    """The nodes `outputs` depend on, in the order of `order` (creation order)."""
    seen: set[int] = set()
    stack = list(outputs)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(node.inputs)
    return [node for node in order if id(node) in seen]


def is_input_item(value: Any) -> bool:
    """A Sequential's first item that is its input (a tensor or an InputLayer)."""
    if isinstance(value, TensorValue):
        return True
    return isinstance(value, LayerValue) and value.layer.class_name == "InputLayer"


def uncertain_reason(layer: Layer, line: int) -> str:
    where = f" (line {line})" if line else ""
    return (
        f"'{layer.display_name}' is added under a condition or inside a loop{where}, so the "
        "shapes after it are not known statically"
    )


_ELEMENTWISE = frozenset(
    {
        "abs", "exp", "log", "log1p", "sqrt", "square", "rsqrt", "sign", "negative",
        "relu", "relu6", "elu", "selu", "gelu", "sigmoid", "tanh", "softplus", "swish",
        "cast", "clip", "clip_by_value", "maximum", "minimum", "pow", "power", "round",
        "floor", "ceil", "add", "subtract", "multiply", "divide", "truediv", "l2_normalize",
        "stop_gradient", "identity", "float32",
    }
)  # fmt: skip


def elementwise_lambda(node: ast.expr) -> bool:
    """A `lambda x: ...` built only from x, numbers, arithmetic and elementwise functions."""
    if not isinstance(node, ast.Lambda) or len(node.args.args) != 1 or node.args.vararg:
        return False
    name = node.args.args[0].arg

    def ok(expr: ast.expr) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id == name
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, int | float) and not isinstance(expr.value, bool)
        if isinstance(expr, ast.BinOp):
            return ok(expr.left) and ok(expr.right)
        if isinstance(expr, ast.UnaryOp):
            return isinstance(expr.op, ast.USub | ast.UAdd) and ok(expr.operand)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute | ast.Name):
            leaf = expr.func.attr if isinstance(expr.func, ast.Attribute) else expr.func.id
            constant_kwargs = all(isinstance(k.value, ast.Constant) for k in expr.keywords)
            return leaf in _ELEMENTWISE and constant_kwargs and all(ok(a) for a in expr.args)
        return False

    return ok(node.body) and any(
        isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.body)
    )
