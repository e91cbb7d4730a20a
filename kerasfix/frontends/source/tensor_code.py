"""Code that works on tensors between layers: shape queries, reshapes, element-wise functions,
and a `keras.applications` backbone cut at a named layer or copied layer by layer.

Real code does this in residual blocks (`K.int_shape(x)` picks the shortcut), in subclassed
`call()` methods (`tf.reshape(x, [-1, 28, 28, 1])`, `tf.nn.relu(x)`) and in transfer learning
(`base.get_layer("mixed7").output`, `for layer in vgg.layers: model.add(layer)`). Each is
mapped onto layers the graph already sizes, or onto an unknown value with its reason.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from kerasfix.frontends.source import keras_names
from kerasfix.frontends.source.evaluator import dotted
from kerasfix.frontends.source.keras_arguments import config_value, tensor_nodes
from kerasfix.frontends.source.value_ops import reshape_array
from kerasfix.frontends.source.values import (
    ArrayValue,
    BoundMethod,
    LayerValue,
    ListValue,
    TensorValue,
    Unknown,
    WholeLayers,
)
from kerasfix.graph.inference import infer_upstream
from kerasfix.graph.model import Layer, Node, SourceSpan
from kerasfix.layers.applications import ARCHITECTURES, TAP, tap_of

# What `call_tensor_function` returns for a call it does not model.
NOT_A_TENSOR_FUNCTION = object()


class TensorCode:
    """Mixed into the interpreter: tensors' attributes, functions applied to tensors, and the
    inside of a backbone."""

    _inferred: set[int]  # nodes already sized by `static_shape`

    if TYPE_CHECKING:

        def apply_layer(self, layer: Layer, inputs: Any, expr: ast.AST | None) -> Any: ...

        def span(self, expr: ast.AST) -> SourceSpan: ...

        def _node(self, layer: Layer, inputs: list[Node]) -> Node: ...

        def _implicit(self, class_name: str, tensors: list[TensorValue]) -> TensorValue: ...

    # ----------------------------------------------------------------- tensors

    def tensor_attribute(self, tensor: TensorValue, attr: str) -> Any:
        """`x.shape`, `x.get_shape`; anything else about a tensor is unknown."""
        if attr == "shape":
            return self.static_shape(tensor)
        if attr == "get_shape":
            return BoundMethod(tensor, attr)
        return Unknown(f"attribute '{attr}' of a tensor")

    def static_shape(self, tensor: TensorValue) -> Any:
        """`x.shape` / `K.int_shape(x)` while the graph is being built (residual blocks compare
        them to choose a shortcut): the batch axis is None as in Keras, and a size kerasfix
        does not know is an unknown value, so a comparison on it stays undecided."""
        shape = infer_upstream(tensor.node, self._inferred)
        if shape is None:
            return Unknown(tensor.node.unknown_reason or "a tensor's shape is not known statically")
        reason = tensor.node.unknown_reason or "a tensor's size is not known statically"
        return (shape[0], *(d if d is not None else Unknown(reason) for d in shape[1:]))

    def call_tensor_function(
        self, qualname: str, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        """A function applied to a tensor, or NOT_A_TENSOR_FUNCTION."""
        leaf = qualname.rsplit(".", 1)[-1]
        backbone_preprocessing = leaf == "preprocess_input" and ".applications." in qualname
        if backbone_preprocessing or keras_names.keeps_tensor_shape(qualname):
            # `tf.nn.relu(x)`, `K.l2_normalize(x)`, and every backbone's preprocess_input
            # (it scales or reorders channels per pixel): the tensor keeps its shape.
            tensor = args[0] if args else kwargs.get("x", kwargs.get("features"))
            if isinstance(tensor, TensorValue):
                return self._implicit("Identity", [tensor])
        if keras_names.is_int_shape(qualname):
            tensor = args[0] if args else kwargs.get("x")
            if isinstance(tensor, TensorValue):
                return self.static_shape(tensor)
        if keras_names.is_tensor_reshape(qualname):
            reshaped = self._tensor_reshape(args, kwargs, expr)
            if reshaped is not None:
                return reshaped
        sizes = [tuple(a.items) if isinstance(a, ListValue) else a for a in args[1:]]  # [56, 56]
        literal = [*args[:1], *sizes]
        as_layer = keras_names.tensor_function_layer(qualname, literal, kwargs)
        if as_layer is not None:
            class_name, config, inputs = as_layer
            if tensor_nodes(inputs) is not None:
                layer = Layer(class_name, config, span=None, origin={"implicit": True})
                return self.apply_layer(layer, inputs, expr)
        return NOT_A_TENSOR_FUNCTION

    def _tensor_reshape(self, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        """`tf.reshape(x, [-1, 28, 28, 1])` (often the first line of a subclassed `call()`):
        with the batch axis left free and the rest literal, a Keras Reshape layer, which pins
        the shape whatever `x` was; an array is reshaped as numpy would."""
        value = args[0] if args else kwargs.get("tensor", kwargs.get("x"))
        target = config_value(args[1] if len(args) > 1 else kwargs.get("shape"))
        if isinstance(value, ArrayValue):
            return reshape_array(value, target)
        literal = isinstance(target, tuple) and len(target) > 1 and target[0] in (-1, None)
        if not literal or not all(isinstance(d, int) and d > 0 for d in target[1:]):
            return None
        if not isinstance(value, TensorValue | Unknown):
            return None
        layer = Layer("Reshape", {"target_shape": target[1:]}, span=None, origin={"implicit": True})
        return self.apply_layer(layer, value, expr)

    # ----------------------------------------------------------------- inside a backbone

    def backbone_attribute(self, backbone: LayerValue, attr: str) -> Any:
        """`base.get_layer`, `base.layers` of a `keras.applications` backbone, else None."""
        if backbone.layer.class_name not in ARCHITECTURES:
            return None
        if attr == "get_layer":
            return BoundMethod(backbone, attr)
        if attr == "layers":
            return WholeLayers(backbone)
        return None

    def backbone_layer(
        self, backbone: LayerValue, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        """`base.get_layer("mixed7")`: the backbone cut at that layer, a node on the backbone's
        input whose `.output` is sized from the generated table of application layers."""
        name = args[0] if args else kwargs.get("name")
        owner = backbone.layer.class_name
        origin: dict[str, Any] = {"callee": dotted(expr.func)}
        if not isinstance(name, str):
            origin["unknown_reason"] = f"a layer of {owner} is chosen at run time"
            name = None
        elif tap_of(owner, name, backbone.layer.config) is None:
            origin["unknown_reason"] = f"{owner}'s layer {name!r} is not in kerasfix's table"
        assert backbone.own_node is not None
        config = {**backbone.layer.config, "backbone": owner, "name": name}
        layer = Layer(TAP, config, span=self.span(expr), origin=origin)
        return LayerValue(layer, own_node=self._node(layer, list(backbone.own_node.inputs)))
