"""The Keras object model over the Python evaluator: layer calls, Sequential and functional
building, `keras.applications` backbones, and the file's image data format.

`Interpreter` is `evaluator.Evaluator` with Keras filled in: imported Keras names become
layers, inputs and models; calling a layer on a tensor adds a node to the one layer graph
every frontend produces. Layers added where the file's control flow is undecided make later
shapes unknown rather than guessed. A second framework's frontend would subclass
`Evaluator` the same way (its names, its objects' calls and attributes), reusing the
evaluator, the value operations and the graph.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from kerasfix.frontends.source import keras_names, project_files
from kerasfix.frontends.source.calls import unknown_args
from kerasfix.frontends.source.class_entries import entries, list_elements
from kerasfix.frontends.source.data_shapes import (
    DATA_TYPES,
    KERAS_DATA_NAMES,
    NOT_DATA,
    DataReading,
)
from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.evaluator import Evaluator, dotted
from kerasfix.frontends.source.exploration_focus import worth_exploring
from kerasfix.frontends.source.feeds import (
    DATA_METHODS,
    DataFeeds,
    batch_shape,
    is_data,
    one_hot,
    sizing_call,
)
from kerasfix.frontends.source.identity_map import IdentityMap
from kerasfix.frontends.source.keras1_reading import Keras1Reading
from kerasfix.frontends.source.keras_arguments import (
    ancestors,
    config_value,
    declared_from_config,
    declared_shape,
    elementwise_lambda,
    is_input_item,
    tensor_nodes,
    uncertain_reason,
)
from kerasfix.frontends.source.keras_names import Kind
from kerasfix.frontends.source.layer_subclasses import (
    LayerInit,
    base_layer_call,
    concrete_layer_base,
)
from kerasfix.frontends.source.model_layers import (
    ModelLayers,
    mark_main_run,
    named_layer,
    sequential_layers,
)
from kerasfix.frontends.source.project_imports import ProjectImports
from kerasfix.frontends.source.sample_arrays import joined_arrays
from kerasfix.frontends.source.saved_data import Saves, loaded_file, samples, saved
from kerasfix.frontends.source.saved_features import (
    LOADERS,
    PREDICTS,
    ModelFeatures,
    loaded,
    loaded_name,
    model_features_in,
    predicted,
    saved_elsewhere,
)
from kerasfix.frontends.source.scopes import Break, Continue, OutOfBudget, Return, Scope
from kerasfix.frontends.source.tensor_code import NOT_A_TENSOR_FUNCTION, TensorCode
from kerasfix.frontends.source.value_ops import arithmetic, concrete_items, is_number
from kerasfix.frontends.source.values import (
    ArrayValue,
    AutoLayerName,
    BoundMethod,
    ClassValue,
    FunctionValue,
    InstanceValue,
    LayerValue,
    ListValue,
    LoadedModel,
    ModelValue,
    Ref,
    SequentialValue,
    TensorValue,
    Unknown,
)
from kerasfix.graph.model import Graph, Layer, Node, Shape, SourceSpan
from kerasfix.layers import legacy
from kerasfix.layers.applications import ARCHITECTURES
from kerasfix.layers.arithmetic import expected_input_rank, identity_shape
from kerasfix.layers.naming import to_snake_case
from kerasfix.layers.registry import Role, lookup
from kerasfix.layers.tensor_slice import TENSOR_SLICE, slice_items

INPUT_SHAPE_KEYS = ("batch_input_shape", "batch_shape", "input_shape")

MERGE_FUNCTIONS = {
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "average": "Average",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "concatenate": "Concatenate",
    "dot": "Dot",
}
# Methods Keras models and layers inherit that matter here (the others do nothing to shapes).
_MODEL_METHODS = frozenset({"build", "summary", "compile", "fit", "evaluate", "predict", "save"})


class Interpreter(ProjectImports, TensorCode, Keras1Reading, DataReading, DataFeeds, Evaluator):
    """Runs one file (or a notebook's cells, one after another) into a layer graph."""

    framework_types = (LayerValue, SequentialValue, ModelValue, TensorValue, *DATA_TYPES)
    inherited_methods = _MODEL_METHODS

    def __init__(self) -> None:
        super().__init__()
        self.graph = Graph(name=None, class_name="Program")
        self.sequentials: list[SequentialValue] = []
        self._inferred: set[int] = set()  # nodes sized early, by static_shape
        self.depths: dict[int, int] = {}  # id(node) -> undecided-control-flow depth at creation
        # The file's image data format: set by K.set_image_data_format()/set_image_dim_ordering
        # (applies to layers made afterwards, as in Keras), or guessed for Keras 1 code.
        self.data_format: Any = None
        self.keras1 = False
        # Set by the frontend (frontends/source.is_keras1_code over the whole file): whether
        # legacy names take their Keras 1 positional arguments (`Convolution2D(64, 3, 3)`).
        # Asked only when such a name is called, since most files never need the answer.
        self.keras1_code: Callable[[], bool] = lambda: True
        self._keras1_answer: bool | None = None
        self.made_layers: list[Layer] = []
        # Lambda layer -> the function the file gives it (`Lambda(resize_image)`): run on
        # the layer's input, its tensor code is what the Lambda computes.
        self.lambda_functions: IdentityMap[Layer, FunctionValue] = IdentityMap()
        # Branches of the file's top level it decides not to take (_run_untaken_builder_calls)
        self.untaken_bodies: list[tuple[list[ast.stmt], int]] = []
        # layer -> (functions running where it was made, branch choices made before): what
        # its condition in an alternative world may name (worlds.py).
        self.made_in: IdentityMap[Layer, tuple[set[int], int]] = IdentityMap()
        # Every Sequential/Functional model the file builds, in creation order (for inspect).
        self.model_layers: list[Layer] = []
        # The line where the file saves a headless application's predictions, asked when
        # np.load is met (saved_features.py); set by worlds.analyse_code.
        self.saved_features: Callable[[], int | None] = lambda: None
        self.exploring = False  # running code the file never calls (_explore_uncalled)
        # File name -> (sample shape, line) of data this file saves (saved_data.py).
        self.saved_data: Saves = {}
        self.init_feeds()

    # ----------------------------------------------------------------- entry points

    def assume_keras_names(self) -> None:
        """Bare names such as `Sequential` or `Conv2D` that nothing in the file binds mean
        Keras's (see `assumes_keras_names` for when the frontends decide so)."""
        self.globals.fallback_modules.extend(["keras.layers", "keras.models", "keras"])
        aliases = {"tf": "tensorflow", "keras": "keras", "K": "keras.backend", "np": "numpy"}
        aliases |= {"layers": "keras.layers", "models": "keras.models"}
        for alias, module in aliases.items():
            self.globals.vars.setdefault(alias, Ref(module))

    def finish(self) -> Graph:
        """Explore code the file defines but never calls, then materialise Sequentials."""
        paths = getattr(self, "paths", None)
        met = bool(getattr(paths, "_met", None) or getattr(paths, "taken", None))
        mark_main_run(self.graph, self.depths, undecided=met)  # the calls the file makes
        try:
            self._run_untaken_builder_calls()
            self._explore_uncalled()
        except OutOfBudget:
            self.exhausted = True
        self.guess_keras1_data_format()
        for seq in list(self.sequentials):
            try:
                self._materialise(seq, set())
            except OutOfBudget:
                self.exhausted = True
                break
        self.attach_feeds()
        self.note_imported_layers()  # values and builders from other files (project_imports)
        return self.graph

    def note_untaken(self, body: list[ast.stmt], line: int, scope: Scope) -> None:
        if body and scope is self.globals and not self.running:
            self.untaken_bodies.append((body, line))

    def _run_untaken_builder_calls(self) -> None:
        """`if config.mode == 'conv': input_shape = (...); model = get_conv_model()` with
        the mode set to 'time': the untaken branch is the only caller of that builder, and
        sets the globals it reads. Such a branch (one that calls a function of the file's
        nobody else calls) runs as code the file may run, before code nobody calls is
        explored; the globals are restored after it."""
        for body, line in self.untaken_bodies:
            if not self._calls_uncalled_function(body):
                continue
            saved = dict(self.globals.vars)
            try:
                self.undecided(line, lambda body=body: self.exec_block(body, self.globals))
            except (Return, Break, Continue):
                pass
            finally:
                self.globals.vars.clear()
                self.globals.vars.update(saved)

    def _calls_uncalled_function(self, body: list[ast.stmt]) -> bool:
        for stmt in body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    value = self.globals.vars.get(node.func.id)
                    if isinstance(value, FunctionValue) and not value.called:
                        return True
        return False

    @property
    def models(self) -> list[Layer]:
        """The models built so far whose layer graph is known (materialised), in order."""
        return [layer for layer in self.model_layers if layer.inner is not None]

    # ----------------------------------------------------------------- evaluator hooks

    def exported_by_star(self, qualname: str) -> bool:
        kind = keras_names.classify(qualname)
        if kind is Kind.OTHER:  # the functions this interpreter reads (`concatenate`)
            leaf = qualname.rsplit(".", 1)[-1]
            return leaf in MERGE_FUNCTIONS or leaf in KERAS_DATA_NAMES or leaf == "merge"
        return kind is not None

    def join(self, values: list[Any], reason: str) -> Any:
        if all(isinstance(v, TensorValue) for v in values):
            # `if channels != filters: x = Conv1D(filters, 1)(x)` undecided: the tensor after
            # it comes from one branch or the other. One node of unknown shape fed by both
            # keeps the model connected (a Flatten after it is a site of unknown size, not a
            # model's raw input).
            nodes = list({id(v.node): v.node for v in values}.values())
            layer = Layer("Unknown", {}, opaque=reason, origin={"implicit": True})
            return TensorValue(self._node(layer, nodes))
        if all(isinstance(v, ArrayValue) and v == values[0] for v in values):
            return values[0]  # `m[:, :168]` on one side, `np.pad(m, ...)` on the other: 168x168
        return joined_arrays(values)  # arrays of one sample shape stay such arrays

    def bag_attributes_of(self, qualname: str) -> bool:
        return keras_names.classify(qualname) is None

    def base_kind(self, base: Any) -> str | None:
        if isinstance(base, Ref):
            kind = keras_names.classify(base.qualname)
            if kind in (Kind.MODEL, Kind.SEQUENTIAL):
                return "model"
            if kind in (Kind.BASE_LAYER, Kind.LAYER):
                return "layer"
        return None

    def binop(self, op: ast.operator, left: Any, right: Any, where: ast.AST) -> Any:
        if isinstance(left, TensorValue) or isinstance(right, TensorValue):
            return self._tensor_arithmetic(left, right, where)
        if (data := self.data_arithmetic(left, right)) is not NOT_DATA:
            return data
        return arithmetic(op, left, right)

    def call_framework(
        self, func: Any, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        """A layer, Sequential or model called on tensors (or, a model, on data)."""
        if isinstance(func, SequentialValue | ModelValue) and args and is_data(args[0]):
            self.note_model_call(func, "__call__", args, kwargs, expr)
            return Unknown("a model's output on data")
        if not isinstance(func, LayerValue | SequentialValue | ModelValue):
            return Unknown(f"the result of calling a value of unknown kind (line {expr.lineno})")
        return self.apply_layer(func.layer, args[0] if args else kwargs.get("inputs"), expr)

    def call_instance(
        self, instance: InstanceValue, args: list[Any], kwargs: dict[str, Any], expr: ast.AST | None
    ) -> Any:
        """`model(x_train)` on a Model subclass: Keras calls it on the data as a tensor, so
        the data's shape sizes it (once); its result is predictions."""
        data = args[0] if args else kwargs.get("inputs")
        if (
            isinstance(instance.framework, SequentialValue)
            and instance.cls.lookup("__call__") is None
        ):
            if isinstance(expr, ast.Call):
                return self.call_framework(instance.framework, args, kwargs, expr)
            return self.apply_layer(instance.framework.layer, data, expr)
        on_data = instance.cls.framework_base == "model" and not isinstance(data, TensorValue)
        shape = batch_shape(data) if on_data else None
        if shape is None or not isinstance(expr, ast.Call):
            return super().call_instance(instance, args, kwargs, expr)
        if not instance.called:
            self._build_subclass(instance, (None, *shape[1:]), expr, sizing_call(expr, data))
        return _predicted(expr)

    def call_method_of(self, instance: InstanceValue) -> Any:
        """A Keras layer or model subclass runs `call`."""
        return instance.cls.methods.get("call") if instance.cls.framework_base else None

    def _tensor_arithmetic(self, left: Any, right: Any, where: ast.AST) -> Any:
        """`x / 255.0` keeps a tensor's shape; `a + b` of two tensors is an elementwise merge."""
        tensors = [v for v in (left, right) if isinstance(v, TensorValue)]
        others = [v for v in (left, right) if not isinstance(v, TensorValue)]
        if others and not is_number(others[0]):
            return Unknown("arithmetic on a tensor and a non-number")
        return self._implicit("Add" if len(tensors) == 2 else "Identity", tensors)

    def index(self, value: Any, index: Any) -> Any:
        """`x[:, :, :16]` of a tensor: a slice node (kerasfix's own kind, layers/tensor_slice)."""
        if not isinstance(value, TensorValue):
            return super().index(value, index)
        items = slice_items(index)
        if items is None:
            return Unknown("a tensor indexed by values not known statically")
        layer = Layer(TENSOR_SLICE, {"items": items}, span=None, origin={"implicit": True})
        return TensorValue(self._node(layer, [value.node]))

    def _implicit(self, class_name: str, tensors: list[TensorValue]) -> TensorValue:
        """A layer the code implies without writing it (`x / 255.0`, `a + b`, a shape-keeping
        function such as `preprocess_input` or `tf.nn.relu`): a node with no span, so nothing
        points at it."""
        layer = Layer(class_name, {}, span=None, origin={"implicit": True})
        return TensorValue(self._node(layer, [t.node for t in tensors]))

    def framework_mark(self) -> int:
        return len(self.graph.nodes)

    def world_mark(self) -> int:
        added = sum(len(seq.items) for seq in self.sequentials)
        return len(self.graph.nodes) + len(self.made_layers) + len(self.model_layers) + added

    def framework_attribute(self, value: Any, attr: str) -> Any:
        """`model.output`, `layer.input`, `model.add`, `x.shape`..."""
        if isinstance(value, TensorValue):
            return self.tensor_attribute(value, attr)
        if isinstance(value, DATA_TYPES):
            return self.data_attribute(value, attr)
        if attr in ("output_shape", "input_shape") and isinstance(value, ModelValue | LayerValue):
            # `vgg16.output_shape[1:]` (not a Sequential's: reading its output would close it
            # at the layers added so far, as `print(model.output_shape)` midway must not)
            tensor = self.framework_attribute(value, attr.removesuffix("_shape"))
            if isinstance(tensor, TensorValue):
                return self.static_shape(tensor)
        if isinstance(value, ModelValue):
            inner = value.layer.inner
            assert inner is not None
            if attr in ("output", "outputs"):
                nodes = inner.outputs
                if attr == "output" and len(nodes) == 1:
                    return TensorValue(nodes[0])
                return ListValue([TensorValue(n) for n in nodes])
            if attr in ("input", "inputs"):
                nodes = inner.inputs
                if attr == "input" and len(nodes) == 1:
                    return TensorValue(nodes[0])
                return ListValue([TensorValue(n) for n in nodes])
            if attr == "layers":
                return ModelLayers(graph=inner)  # `model.layers[-1]`: the layer itself
        if isinstance(value, SequentialValue) and attr in ("output", "input") and value.items:
            # `feature_extractor.output` chained into a functional head: the layers added
            # so far are the model (layers added later are not part of this tensor).
            graph = self._materialise(value, set())
            return TensorValue(graph.outputs[0] if attr == "output" else graph.inputs[0])
        if isinstance(value, LayerValue) and value.own_node is not None:
            inside = self.backbone_attribute(value, attr)
            if inside is not None:
                return inside
            if attr in ("output", "outputs"):
                return TensorValue(value.own_node)
            if attr in ("input", "inputs") and value.own_node.inputs:
                return TensorValue(value.own_node.inputs[0])
        if (found := self._model_layer_attribute(value, attr)) is not None:
            return found
        if attr in ("add", "build", "pop", "summary", "compile", *DATA_METHODS):
            return BoundMethod(value, attr)
        return Unknown(f"attribute '{attr}' of a model or layer")

    def _model_layer_attribute(self, value: Any, attr: str) -> Any:
        """A model's own layers, by name or in a loop, and their outputs (a cascade's head on
        a layer named 'bottleneck': `for layer in model.layers: if layer.name == ...`)."""
        if isinstance(value, SequentialValue | ModelValue) and attr == "get_layer":
            return BoundMethod(value, attr)
        if isinstance(value, SequentialValue) and attr == "layers":
            layers = sequential_layers(value)
            return ListValue(list(layers)) if layers is not None else None
        if isinstance(value, LayerValue) and value.own_node is None:
            if attr == "name":
                return value.layer.name or _auto_name(value.layer)
            if attr == "output":
                return self._layer_output(value.layer)
        return None

    def _layer_output(self, layer: Layer) -> Any:
        """`layer.output` of a layer called once: that call's tensor (a Sequential's layer
        once the Sequential is laid out, as `model.output` lays it out)."""
        for seq in self.sequentials:
            if any(isinstance(v, LayerValue) and v.layer is layer for v, _, _ in seq.items):
                self._materialise(seq, set())
        calls = [node for node in self.graph.nodes if node.layer is layer]
        if len(calls) != 1:
            return Unknown(f"the output of {layer.class_name}, which is not called once")
        return TensorValue(calls[0])

    # ----------------------------------------------------------------- calls

    def call_ref(self, func: Ref, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        qualname = func.qualname
        kind = keras_names.classify(qualname)
        leaf = qualname.rsplit(".", 1)[-1]
        if kind is Kind.LAYER:
            leaf = self.keras1_alias(leaf, qualname, args, kwargs)
            keras1 = leaf in legacy.LEGACY_POSITIONAL and self.keras1_semantics(qualname, kwargs)
            made = self.make_layer(leaf, args, kwargs, expr, keras1=keras1)
            if isinstance(made, LayerValue):  # KF003: tf.keras never read Keras 1 positionals
                made.layer.origin["tf_keras"] = qualname.startswith("tensorflow.")
            return made
        if kind is Kind.INPUT:
            return self.make_input(args, kwargs, expr)
        if kind is Kind.SEQUENTIAL:
            return self.make_sequential(args, kwargs, expr)
        if kind is Kind.MODEL:
            return self.make_model(args, kwargs, expr)
        if kind is Kind.BACKBONE:
            return self.make_backbone(leaf, kwargs, expr)
        if kind is Kind.DATASET_LOADER:
            name = qualname.split(".")[-2]
            x_train, y_train, x_test, y_test = keras_names.DATASETS[name]
            classes = keras_names.dataset_classes(name, kwargs)
            return (ArrayValue(x_train), ArrayValue(y_train, classes)), (
                ArrayValue(x_test),
                ArrayValue(y_test, classes),
            )
        if kind is Kind.IMAGE_DATA_FORMAT:
            return self.data_format or "channels_last"  # Keras's default, what configs omit
        if kind is Kind.BACKEND_NAME:
            # TensorFlow, as the channels_last default kerasfix reads models with: a
            # `K.backend() == "theano"` branch (channels first) is not taken
            return "tensorflow"
        if kind is Kind.IMAGE_DIM_ORDERING:
            return {"channels_first": "th"}.get(self.data_format or "", "tf")
        if kind in (Kind.SET_IMAGE_DATA_FORMAT, Kind.SET_IMAGE_DIM_ORDERING):
            self.set_data_format(args[0] if args else kwargs.get("data_format"))
            return None
        if kind is Kind.TO_CATEGORICAL:
            labels = args[0] if args else kwargs.get("y")
            classes = args[1] if len(args) > 1 else kwargs.get("num_classes")
            if isinstance(labels, ArrayValue) and isinstance(classes, int):
                return ArrayValue((labels.shape[0], classes))
            return one_hot(labels)
        if (data := self.data_function(qualname, args, kwargs, expr)) is not NOT_DATA:
            return data
        if qualname in LOADERS and (features := self._loaded_features(qualname, expr)):
            return features
        if leaf in ("save", "dump") and (written := saved(qualname, args, kwargs)) is not None:
            self.saved_data[written[0]] = (written[1], expr.lineno)
        elif leaf == "load" and (data := self._reloaded(qualname, args, kwargs, expr)):
            return data
        on_tensor = self.call_tensor_function(qualname, args, kwargs, expr)
        if on_tensor is not NOT_A_TENSOR_FUNCTION:
            return on_tensor
        if kind is Kind.OTHER and leaf in MERGE_FUNCTIONS:  # `concatenate(inputs=[a, b])` too
            options = {k: v for k, v in kwargs.items() if k != "inputs"}
            layer = self.make_layer(MERGE_FUNCTIONS[leaf], [], options, expr)
            if isinstance(layer, LayerValue):
                inputs = args[0] if args else kwargs.get("inputs")
                return self.apply_layer(layer.layer, inputs, expr)
        if kind is Kind.OTHER and leaf == "merge" and (merge := legacy.keras1_merge(kwargs)):
            layer = self.make_layer(*merge, expr)
            if isinstance(layer, LayerValue):
                inputs = args[0] if args else kwargs.get("inputs")
                return self.apply_layer(layer.layer, inputs, expr)
        if kind is Kind.OTHER and leaf == "load_model":
            return LoadedModel(f"the result of {leaf}() is only known at run time")
        return super().call_ref(func, args, kwargs, expr)

    def _sequence_batches(self, instance: Any, expr: ast.Call) -> Any:
        """A `keras.utils.Sequence` the file defines, fed to `fit`: its batches, as its
        `__getitem__` builds the first one (`np.empty((self.batch_size, *self.dim, 1))`),
        when their samples are known; else the value as it was."""
        getitem = (
            instance.cls.lookup("__getitem__") if isinstance(instance, InstanceValue) else None
        )
        if getitem is None:
            return instance
        batch = self.invoke(getitem, [instance, 0], {}, expr)
        items = concrete_items(batch) if isinstance(batch, tuple | ListValue) else [batch]
        inputs = items[0] if items else None
        if not isinstance(inputs, ArrayValue) or len(inputs.shape) < 2:
            return instance
        source = f"{instance.cls.node.name}.__getitem__ (line {getitem.node.lineno})"
        return DataValue(inputs.shape[1:], source, batched=True, pairs=len(items) == 2)

    def _reloaded(
        self, qualname: str, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> DataValue | None:
        """Samples a load reads from a file this file saved earlier with a known shape
        (saved_data.py); a file another script writes is read at run time."""
        name = loaded_file(qualname, args, kwargs) if self.saved_data else None
        if name is None or name not in self.saved_data:
            return None
        sample, line = self.saved_data[name]
        return samples(sample, dotted(expr.func) or "load", expr.lineno, f"line {line}")

    def _loaded_features(self, qualname: str, expr: ast.Call) -> ModelFeatures | None:
        """A load of what this file, or another file of the project, saves from a headless
        application's predictions (saved_features.py); None for any other load."""
        loader = qualname.replace("numpy.", "np.")
        if qualname in ("numpy.load", "np.load") and (saved := self.saved_features()):
            return loaded(expr.lineno, saved, loader)
        name = loaded_name(expr)
        if name is None or self.project is None:
            return None
        memo = self.project.saved_elsewhere  # a load in a loop asks once per analysis
        if name not in memo:
            memo[name] = saved_elsewhere(self.project.importer, name)
        found = memo[name]
        if found is None:
            return None
        module, line = found
        self.project.files_read[str(module.path)] = module.digest  # its change re-checks this
        shown = project_files.display_path(module.path, self.project.importer)
        return loaded(expr.lineno, f"{shown}:{line}", loader)

    def call_method(
        self, method: BoundMethod, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        receiver, name = method.receiver, method.name
        if isinstance(receiver, LayerInit):  # `super().__init__(rank=2, filters=...)`
            if name == "__init__" and not receiver.called:
                receiver.args, receiver.kwargs, receiver.called = list(args), dict(kwargs), True
            return None
        delegated = isinstance(receiver, InstanceValue) and receiver.framework is not None
        if delegated and receiver.cls.lookup(name) is None:  # `self.add(...)`, a Sequential's
            return self.call_method(BoundMethod(receiver.framework, name), args, kwargs, expr)
        if name in DATA_METHODS:
            args = [self._sequence_batches(a, expr) for a in args[:1]] + args[1:]
            kwargs = {k: self._sequence_batches(v, expr) if k in ("x", "generator") else v
                      for k, v in kwargs.items()}  # fmt: skip
        self.note_model_call(receiver, name, args, kwargs, expr)  # sizes an undeclared input
        if (data := self.data_method(receiver, name, args, kwargs, expr)) is not NOT_DATA:
            return data
        if name in PREDICTS and isinstance(receiver, ModelValue | SequentialValue | LayerValue):
            return _predicted(expr)
        if name == "get_layer" and isinstance(receiver, SequentialValue | ModelValue):
            return named_layer(receiver, args[0] if args else kwargs.get("name"))
        if isinstance(receiver, SequentialValue):
            if name == "__init__":  # `super().__init__(layers)` in a Sequential subclass
                self._sequential_layers(receiver, args, kwargs, expr)
                return None
            added_value = args[0] if args else kwargs.get("layer")  # `add(layer=...)`
            if name == "add" and (args or "layer" in kwargs):
                deeper = len(self.conditional) > receiver.depth
                line = self.conditional[-1] if deeper else 0
                where = expr.args[0] if expr.args else _keyword_value(expr, "layer")
                added = entries(added_value, where, self.span)
                receiver.items.extend((item, deeper, line) for item in added)
                return None
            if name == "pop" and receiver.items:
                receiver.items.pop()
                return None
            if name == "build":
                receiver.build_shape = args[0] if args else kwargs.get("input_shape")
                return None
            if name == "__call__":
                return self.apply_layer(receiver.layer, args[0] if args else None, expr)
            return None
        if (
            isinstance(receiver, InstanceValue)
            and name == "build"
            and receiver.cls.framework_base
            and "build" not in receiver.cls.methods
        ):
            shape = args[0] if args else kwargs.get("input_shape")
            return self._build_subclass(receiver, shape, expr)
        if isinstance(receiver, InstanceValue) and self._fits_subclass(receiver, name):
            # `model.fit(x_train)` on a Model subclass nobody called: Keras builds it by
            # calling it on the data, so the data's shape sizes it.
            data = args[0] if args else kwargs.get("x")
            shape = batch_shape(data)
            if shape is not None:
                self._build_subclass(receiver, (None, *shape[1:]), expr, sizing_call(expr, data))
                return Unknown(f"method {name}()")
        if isinstance(receiver, TensorValue) and name == "get_shape":
            return self.static_shape(receiver)
        if isinstance(receiver, LayerValue) and name == "get_layer":
            return self.backbone_layer(receiver, args, kwargs, expr)
        if isinstance(receiver, ModelValue | LayerValue):
            return None if name in ("summary", "compile", "fit") else Unknown(f"method {name}()")
        return super().call_method(method, args, kwargs, expr)

    # ----------------------------------------------------------------- Keras objects

    def _build_subclass(
        self, instance: InstanceValue, shape: Any, expr: ast.AST | None, sized_by: str = ""
    ) -> None:
        declared, reason = declared_shape(shape, with_batch=True)
        node = self._input_node(declared, reason, name=None, span=None)
        if sized_by:
            node.layer.origin["sized_by"] = sized_by
        self.call_instance(instance, [TensorValue(node)], {}, expr)
        return None

    @staticmethod
    def _fits_subclass(instance: InstanceValue, method: str) -> bool:
        """A data method (fit, predict...) of a Model subclass that has not been called."""
        cls = instance.cls
        data_method = method in DATA_METHODS and method != "__call__"
        inherited = method not in cls.methods
        return cls.framework_base == "model" and data_method and inherited and not instance.called

    def make_layer(
        self,
        raw_name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        expr: ast.Call,
        keras1: bool = True,
    ) -> Any:
        if raw_name == "InputLayer":
            return self._input_layer(args, kwargs, expr)
        names = legacy.positional_names(raw_name, keras1=keras1)
        config: dict[str, Any] = {}
        for name, value in zip(names, args, strict=False):
            config[name] = value
        config.update(kwargs)
        config = {key: config_value(value) for key, value in config.items()}
        span = self.span(expr)
        callee = dotted(expr.func)
        if raw_name == "Lambda" and expr.args and elementwise_lambda(expr.args[0]):
            # `Lambda(lambda x: x / 127.5 - 1)`: elementwise, so it keeps its input's shape.
            kept = {k: v for k, v in config.items() if k != "function"}
            identity = Layer("Identity", kept, span=span, origin={"callee": callee, "lambda": True})
            self.made_layers.append(identity)
            return LayerValue(identity)
        if raw_name == "Lambda":
            layer = Layer(
                "Lambda",
                config,
                span=span,
                opaque="a Lambda layer's output shape is only known by running it",
                origin={"callee": callee},
            )
            function = args[0] if args else kwargs.get("function")
            if isinstance(function, FunctionValue):
                self.lambda_functions[layer] = function
            return LayerValue(layer)
        self.note_keras1_call(raw_name, keras1, kwargs)
        class_name, config = legacy.normalize(raw_name, config)
        self.apply_data_format(class_name, config)
        name = config.get("name")
        origin: dict[str, Any] = {"callee": callee, "raw_class": raw_name}
        origin |= {"positional": len(args), "keywords": tuple(kwargs)}  # KF003: Keras generations
        wrapped = args[0] if args else kwargs.get("layer")
        if class_name == "TimeDistributed" and isinstance(wrapped, LayerValue):
            origin["inner_span"] = wrapped.layer.span  # a fix rewrites the wrapped call
        if self.exploring:
            origin["explored"] = True  # made by code nobody calls, run with its defaults
        if self.unrolling:
            origin["loop_variant"] = True  # one of a loop's variants (a hyperparameter grid)
        layer = Layer(
            class_name,
            config,
            name=name if isinstance(name, str) else None,
            span=span,
            origin=origin,
        )
        self.made_layers.append(layer)
        if self.paths.taken:
            frames = {0, *(id(function) for function in self.running)}
            self.made_in[layer] = (frames, len(self.paths.taken))
        return LayerValue(layer)

    def _input_layer(self, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        config = {k: config_value(v) for k, v in kwargs.items()}
        if args:
            config.setdefault("shape", config_value(args[0]))
        declared = legacy.declared_input_shape(config)
        reason = None if declared is not None else "the InputLayer's shape is not known statically"
        name = config.get("name")
        node = self._input_node(declared, reason, name if isinstance(name, str) else None, None)
        value = LayerValue(node.layer, own_node=node)
        return value

    def make_input(self, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> TensorValue:
        shape = args[0] if args else kwargs.get("shape")
        batch = kwargs.get("batch_size")
        if "batch_shape" in kwargs:
            declared, reason = declared_shape(kwargs["batch_shape"], with_batch=True)
        else:
            declared, reason = declared_shape(
                shape, batch=batch if isinstance(batch, int) else None
            )
        name = kwargs.get("name")
        node = self._input_node(declared, reason, name if isinstance(name, str) else None, None)
        node.layer.origin["declared_at"] = self.span(expr)  # where KF003 says it came from
        _mark_model_features(node, shape, kwargs.get("batch_shape"))
        return TensorValue(node)

    def _input_node(
        self, declared: Shape | None, reason: str | None, name: str | None, span: SourceSpan | None
    ) -> Node:
        origin = {"unknown_reason": reason} if reason else {}
        layer = Layer("InputLayer", {}, name=name, span=span, origin=origin)
        return self._node(layer, [], declared_shape=declared)

    def make_sequential(self, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        seq = self._new_sequential(expr)
        self._sequential_layers(seq, args, kwargs, expr)
        return seq

    def _new_sequential(self, expr: ast.AST | None) -> SequentialValue:
        layer = Layer("Sequential", {}, span=self.span(expr) if expr is not None else None)
        seq = SequentialValue(layer)
        seq.depth = len(self.conditional)
        self.sequentials.append(seq)
        self.model_layers.append(layer)
        return seq

    def _sequential_layers(
        self, seq: SequentialValue, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> None:
        """`Sequential(layers, name=...)`'s arguments: its first layers and its name."""
        name = kwargs.get("name", args[1] if len(args) > 1 else None)
        seq.layer.name = name if isinstance(name, str) else seq.layer.name
        initial = args[0] if args else kwargs.get("layers")
        items = concrete_items(initial) if initial is not None else []
        if items is None:
            seq.items.append(
                (Unknown("the Sequential's layer list is not known statically"), False, expr.lineno)
            )
        else:
            for item, where in zip(items, list_elements(expr, len(items)), strict=True):
                seq.items.extend((e, False, expr.lineno) for e in entries(item, where, self.span))

    def instantiate(
        self, cls: ClassValue, args: list[Any], kwargs: dict[str, Any], expr: ast.AST | None
    ) -> Any:
        """An object of a class the file defines; a subclass of a concrete Keras layer
        (layer_subclasses.py) is that layer, built from what its `__init__` gives
        `super().__init__`."""
        base = concrete_layer_base(cls)
        if base is None or not isinstance(expr, ast.Call):
            return super().instantiate(cls, args, kwargs, expr)
        cls.instantiated = True
        init = LayerInit(base)
        instance = InstanceValue(cls, framework=init)
        method = cls.lookup("__init__")
        if method is not None:
            self.invoke(method, [instance, *args], kwargs, expr)
        else:  # `class MyConv(Conv2D): pass`: the base takes the arguments
            init.args, init.kwargs, init.called = list(args), dict(kwargs), True
        call = base_layer_call(init) if init.called else None
        if call is None:
            self.instances.append(instance)
            return instance
        class_name, base_args, base_kwargs = call
        return self.make_layer(class_name, base_args, base_kwargs, expr)

    def framework_object(self, cls: ClassValue, expr: ast.AST | None) -> Any:
        """A `Sequential` subclass with no `call` of its own is a layer list: `self.add(...)`
        in its `__init__` builds it; `fit` and `summary` are the Sequential's."""
        if cls.lookup("call") is not None or not _sequential_based(cls):
            return None
        return self._new_sequential(expr)

    def make_model(self, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        inputs = args[0] if args else kwargs.get("inputs", kwargs.get("input"))
        outputs = args[1] if len(args) > 1 else kwargs.get("outputs", kwargs.get("output"))
        input_nodes = tensor_nodes(inputs)
        output_nodes = tensor_nodes(outputs)
        if input_nodes is None or output_nodes is None:
            return Unknown("a Model whose inputs or outputs are not known statically")
        name = kwargs.get("name")
        graph = Graph(
            nodes=ancestors(output_nodes, self.graph.nodes),
            inputs=input_nodes,
            outputs=output_nodes,
            name=name if isinstance(name, str) else None,
        )
        layer = Layer("Functional", {}, name=graph.name, span=self.span(expr), inner=graph)
        self.model_layers.append(layer)
        return ModelValue(layer)

    def make_backbone(self, class_name: str, kwargs: dict[str, Any], expr: ast.Call) -> LayerValue:
        config = {k: config_value(v) for k, v in kwargs.items()}
        config.pop("weights", None)
        include_top = config.get("include_top", True)
        input_tensor = kwargs.get("input_tensor")
        if isinstance(input_tensor, TensorValue):
            input_node = input_tensor.node
        else:
            declared, reason = declared_shape(config.get("input_shape"))
            if config.get("input_shape") is None:
                if include_top is True:
                    size = ARCHITECTURES[class_name].default_size
                    declared, reason = (None, size, size, 3), None
                else:
                    declared = (None, None, None, 3)
                    reason = f"{class_name}() is built without an input_shape"
            input_node = self._input_node(declared, reason, None, None)
        layer = Layer(
            class_name, config, span=self.span(expr), origin={"callee": dotted(expr.func)}
        )
        own = self._node(layer, [input_node])
        return LayerValue(layer, own_node=own)

    def apply_layer(self, layer: Layer, inputs: Any, expr: ast.AST | None) -> Any:
        """Call a layer (or a model used as a layer) on tensors: a new graph node."""
        nodes = tensor_nodes(inputs)
        if nodes is None:
            reason = (
                inputs.reason if isinstance(inputs, Unknown) else _not_a_tensor(layer, inputs, expr)
            )
            nodes = [self._input_node(None, reason, None, None)]
        if layer.class_name == "InputLayer":
            return TensorValue(nodes[0])
        function = self.lambda_functions.get(layer)
        if function is not None and len(nodes) == 1:
            computed = self._lambda_output(function, nodes[0], expr)
            if computed is not None:
                return computed
        if len(nodes) == 1:  # `Resizing(32, 32)(Input(shape=input_shape))`: rank 4
            _ranked_by(nodes[0], layer)
        return TensorValue(self._node(layer, nodes))

    def _lambda_output(self, function: FunctionValue, node: Node, expr: ast.AST | None) -> Any:
        """`Lambda(resize_image)` with `def resize_image(x): return tf.image.resize(x, [56,
        56])`: the function run on the layer's input, when it returns a tensor made by code
        the analysis reads (the Resizing it spells); None when it does not. A reshape inside
        a Lambda may fold other axes into the batch (`K.reshape(y, (-1, h, w, c))` puts a
        video's frames there), which a Keras Reshape layer cannot: such a Lambda stays opaque."""
        start = len(self.graph.nodes)
        try:
            result = self.invoke(function, [TensorValue(node)], {}, expr)
        except RecursionError:
            result = None
        made = self.graph.nodes[start:]
        if isinstance(result, TensorValue) and all(n.layer.class_name != "Reshape" for n in made):
            return result
        del self.graph.nodes[start:]  # what it made is not in the model: the Lambda is opaque
        return None

    def call_unknown(
        self, func: Unknown, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        """A callable not known statically (a backbone passed as a parameter) called on a
        tensor: a tensor of unknown shape made from it, so a Flatten of it is a site whose
        size is unknown (KF002), not a model's raw input. Its `predict` method gives a
        model's outputs (saved_features.py)."""
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in PREDICTS:
            return _predicted(expr)
        nodes = tensor_nodes(args[0]) if args else None
        if nodes is None:
            return func
        layer = Layer("Unknown", {}, opaque=func.reason)
        layer.origin["unknown_callable"] = True  # a model's output, not a per-value function
        return TensorValue(self._node(layer, nodes))

    def _node(self, layer: Layer, inputs: list[Node], declared_shape: Shape | None = None) -> Node:
        node = Node(layer, inputs, declared_shape=declared_shape)
        # Only control flow entered after the inputs were made makes this call uncertain:
        # a whole model built inside an undecided loop is still one exact model.
        depth = len(self.conditional)
        base = max((self.depths.get(id(i), 0) for i in inputs), default=depth)
        self.depths[id(node)] = depth
        if depth > base and layer.class_name != "InputLayer":
            spec = lookup(layer.class_name)
            if spec is None or spec.role_for(layer.config) is not Role.PRESERVING:
                node.uncertain = uncertain_reason(layer, self.conditional[-1])
        self.graph.add(node)
        return node

    # ----------------------------------------------------------------- finishing

    def _materialise(self, seq: SequentialValue, active: set[int]) -> Graph:
        """Turn a Sequential's layer list into a chain of nodes (once)."""
        if seq.graph is not None:
            return seq.graph
        graph = Graph(name=seq.layer.name, class_name="Sequential")
        seq.graph = graph
        seq.layer.inner = graph
        active = active | {id(seq)}
        items = list(seq.items)
        start = len(self.graph.nodes)
        input_node = self._sequential_input(seq, items)
        if items and is_input_item(items[0][0]):
            items = items[1:]
        previous = input_node
        for value, conditional, line in items:
            previous = self._chain(value, previous, conditional, line, active)
        created = self.graph.nodes[start:]
        graph.nodes = [input_node, *(n for n in created if n is not input_node)]
        graph.inputs = [input_node]
        graph.outputs = [previous]
        return graph

    def _sequential_input(self, seq: SequentialValue, items: list[tuple[Any, bool, int]]) -> Node:
        first = items[0][0] if items else None
        if isinstance(first, TensorValue):
            return _ranked_by_next(first.node, items)
        if isinstance(first, LayerValue) and first.layer.class_name == "InputLayer":
            assert first.own_node is not None
            return _ranked_by_next(first.own_node, items)
        if seq.build_shape is not None:
            declared, reason = declared_shape(seq.build_shape, with_batch=True)
            built = self._input_node(declared, reason, None, None)
            self.mark_sized(seq, built)
            return built
        if isinstance(first, LayerValue):
            if first.own_node is not None and first.own_node.inputs:  # a backbone
                source = first.own_node.inputs[0]
                return self._input_node(
                    source.declared_shape, source.layer.origin.get("unknown_reason"), None, None
                )
            config = first.layer.config
            declared, reason = declared_from_config(config)
            if declared is None and reason is not None:  # `input_shape=x.shape[1:]`, unknown:
                rank = expected_input_rank(first.layer.class_name)  # a Conv2D still takes 4-d
                declared = (None,) * rank if rank else None
            if declared is not None or reason is not None:
                node = self._input_node(declared, reason, None, None)
                node.layer.origin["declared_at"] = first.layer.span  # where KF003 says it came from
                _mark_model_features(node, *(config.get(k) for k in INPUT_SHAPE_KEYS))
                return node
        if seq.data_shape is not None and len(seq.data_shape) > 1:
            open_sizes = None in seq.data_shape[1:]  # `tf_flowers`: images of their own sizes
            reason = f"examples of several sizes ({self.sized_by.get(id(seq))})"
            sized = self._input_node(
                (None, *seq.data_shape[1:]), reason if open_sizes else None, None, None
            )
            self.mark_sized(seq, sized)
            return sized
        later = _declared_after_identities(items)
        if later is not None:
            declared, reason = declared_from_config(later.config)
            node = self._input_node(declared, reason, None, None)
            node.layer.origin["declared_at"] = later.span
            return node
        name = f"'{seq.layer.name}'" if seq.layer.name else "the Sequential model"
        reason = f"{name} declares no input shape (no input_shape=, Input or build())"
        # The first layer still fixes the rank: channels (and Resizing sizes) are followed.
        first_class = first.layer.class_name if isinstance(first, LayerValue) else ""
        rank = expected_input_rank(first_class)
        node = self._input_node((None,) * rank if rank else None, reason, None, None)
        node.layer.origin["implicit_input"] = True  # Keras sizes it at the first call
        if first_class.startswith("ConvLSTM") and rank is not None:
            names = {4: ("T", "L"), 5: ("T", "H", "W"), 6: ("T", "D", "H", "W")}
            node.layer.origin["dim_names"] = names.get(rank)  # time first
        return node

    def _chain(
        self, value: Any, previous: Node, conditional: bool, line: int, active: set[int]
    ) -> Node:
        saved = self.conditional
        self.conditional = [line] if conditional else []
        try:
            if isinstance(value, InstanceValue) and isinstance(value.framework, SequentialValue):
                value = value.framework  # a Sequential subclass used as a layer
            if isinstance(value, LayerValue):
                return self.apply_layer(value.layer, TensorValue(previous), None).node
            if isinstance(value, SequentialValue):
                if id(value) in active:
                    return self._opaque("a Sequential that contains itself", previous)
                self._materialise(value, active)
                return self.apply_layer(value.layer, TensorValue(previous), None).node
            if isinstance(value, ModelValue):
                return self.apply_layer(value.layer, TensorValue(previous), None).node
            if isinstance(value, InstanceValue) and value.cls.framework_base:
                result = self.call_instance(value, [TensorValue(previous)], {}, None)
                if isinstance(result, TensorValue):
                    return result.node
                return self._opaque(
                    f"the output of {value.cls.node.name} is not known statically", previous
                )
            reason = value.reason if isinstance(value, Unknown) else "a value that is not a layer"
            return self._opaque(reason, previous)
        finally:
            self.conditional = saved

    def _opaque(self, reason: str, previous: Node) -> Node:
        return self._node(Layer("Unknown", {}, opaque=reason), [previous])

    def explored_result(self, result: Any) -> None:
        """An uncalled builder that returns its layers as a list (`def layers(input_shape):
        return [ZeroPadding2D(3, input_shape=input_shape), ..., Flatten(), Dense(512)]`, the
        Go book's networks) is stacked as a Sequential, the way its callers use it."""
        items = concrete_items(result) if isinstance(result, ListValue | list) else None
        if not items or not all(isinstance(item, LayerValue) for item in items):
            return
        if any(item.layer.class_name == "Flatten" for item in items):
            seq = self._new_sequential(None)
            seq.items.extend((item, False, 0) for item in items)

    def _explore_uncalled(self) -> None:
        """Code defined but never called still builds models: run it with unknown arguments.
        Its layers are marked (`origin["explored"]`): the project's callers of such a builder
        size it instead of its defaults (caller_sizes.py)."""
        self.exploring = True
        try:
            self._explore_uncalled_code()
        finally:
            self.exploring = False

    def _explore_uncalled_code(self) -> None:
        for cls in list(self.classes):
            if cls.framework_base and not cls.instantiated and worth_exploring(cls.node):
                self.instantiate(cls, unknown_args(cls.methods.get("__init__"), 1), {}, None)
        for instance in list(self.instances):
            cls = instance.cls
            if not worth_exploring(cls.node):
                continue
            if cls.framework_base and not instance.called and "call" in cls.methods:
                name = instance.cls.node.name
                reason = f"the input shape of {name} is only set when the model is called"
                node = self._input_node(None, reason, None, None)
                self.call_instance(instance, [TensorValue(node)], {}, None)
        self.explore_uncalled_code()
        made = {(layer.span.cell, layer.span.line) for layer in self.made_layers if layer.span}
        self.explore_untaken_flags(made)


def _auto_name(layer: Layer) -> AutoLayerName:
    """The name Keras gives `layer` at run time when the file names it not."""
    raw = layer.origin.get("raw_class")
    classes = {layer.class_name, *([raw] if isinstance(raw, str) else [])}
    return AutoLayerName(stems=tuple(sorted(to_snake_case(c) for c in classes)))


def _sequential_based(cls: ClassValue) -> bool:
    """`class LeNet(Sequential)`, directly or through the project's own base classes."""
    return any(
        isinstance(base, Ref) and keras_names.classify(base.qualname) == Kind.SEQUENTIAL
        for owner in cls.ancestry()
        for base in owner.bases
    )


def _not_a_tensor(layer: Layer, inputs: Any, expr: ast.AST | None) -> str:
    """Why a layer's input is unknown when the value is no tensor: name the value and where
    (for a list of tensors, the reason of the first item that is unknown)."""
    if isinstance(inputs, ListValue | tuple):
        items = inputs.items if isinstance(inputs, ListValue) else inputs
        unknown = next((item for item in items if isinstance(item, Unknown)), None)
        if unknown is not None:
            return unknown.reason
    argument = expr.args[0] if isinstance(expr, ast.Call) and expr.args else None
    if argument is None:
        return f"{layer.class_name} is called on a value that is not a tensor"
    text = ast.unparse(argument)
    text = text if len(text) <= 40 else text[:37] + "..."
    return (
        f"{layer.class_name} is called on `{text}` (line {argument.lineno}), which is not a tensor"
    )


def _declared_after_identities(items: list[tuple[Any, bool, int]]) -> Layer | None:
    """The layer that declares the input shape behind leading shape-keeping layers
    (`Sequential([BatchNormalization(), LSTM(..., input_shape=(40, 1))])`, augmentation
    layers before `Conv2D(..., input_shape=...)`). Keras ignores a later layer's
    `input_shape` and sizes the model at its first call, but layers that keep their input's
    shape hand that layer the model's input, so the author's declaration is its size."""
    for value, _conditional, _line in items:
        if not isinstance(value, LayerValue):
            return None
        declared, reason = declared_from_config(value.layer.config)
        if declared is not None or reason is not None:
            return value.layer
        spec = lookup(value.layer.class_name)
        if spec is None or spec.output_shape is not identity_shape:
            return None
    return None


def _mark_model_features(node: Node, *shapes: Any) -> None:
    """An input sized by a model's outputs is a feature map (saved_features.py)."""
    for shape in shapes:
        features = model_features_in(shape)
        if features is not None:
            node.layer.origin["model_features"] = features.reason
            return


def _predicted(expr: ast.Call) -> ModelFeatures:
    """What `model.predict(...)` returns, named as the file writes the model."""
    model = expr.func.value if isinstance(expr.func, ast.Attribute) else expr.func
    return predicted(dotted(model) or "a model", expr.lineno)


def _keyword_value(expr: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in expr.keywords if k.arg == name), None)


def _ranked_by_next(node: Node, items: list[tuple[Any, bool, int]]) -> Node:
    """A Sequential's `Input(shape=input_shape)` of a run-time shape, then `Resizing(32, 32)`
    (TensorFlow's audio tutorial): the next layer fixes the rank, the sizes stay unknown."""
    after = items[1][0] if len(items) > 1 else None
    if isinstance(after, LayerValue):
        _ranked_by(node, after.layer)
    return node


def _ranked_by(node: Node, consumer: Layer) -> None:
    """An input of run-time shape takes the rank its first layer requires."""
    is_input = node.layer.class_name == "InputLayer" and not node.inputs
    if is_input and node.declared_shape is None:
        rank = expected_input_rank(consumer.class_name)
        node.declared_shape = (None,) * rank if rank else None
