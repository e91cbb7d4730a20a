"""An abstract interpreter for model-building Python code.

It walks a module's statements in order, the way Python would, but computes abstract
values: constants where the file determines them, Keras layers, tensors and models as
graph nodes, and `Unknown` (with a reason) for everything else. Nothing is imported or
executed. Control flow the file does not decide (an `if` on a runtime value, a loop over
data) is followed conservatively: both branches are explored and values that differ
become unknown; layers added there make later shapes unknown rather than guessed.
"""

from __future__ import annotations

import ast
import contextlib
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any

from kerasfix.frontends.source import keras_names
from kerasfix.frontends.source.array_constructors import array_from_call
from kerasfix.frontends.source.builtins_model import BUILTINS, NUMPY_FUNCTIONS
from kerasfix.frontends.source.class_attributes import class_attribute
from kerasfix.frontends.source.keras_names import Kind
from kerasfix.frontends.source.values import (
    ArrayValue,
    AttributeBag,
    BoundMethod,
    ClassValue,
    FunctionValue,
    InstanceValue,
    LayerValue,
    ListValue,
    ModelValue,
    PartialValue,
    Ref,
    SequentialValue,
    TensorValue,
    Unknown,
)
from kerasfix.graph.model import Graph, Layer, Node, Shape, SourceSpan
from kerasfix.layers import legacy
from kerasfix.layers.arithmetic import expected_input_rank
from kerasfix.layers.registry import Role, lookup

# Model methods that take a batch of data: the first call builds a model that declares no input.
_DATA_METHODS = ("fit", "predict", "evaluate", "train_on_batch", "predict_on_batch")
MAX_STEPS = 400_000  # evaluation steps per file: bounds time on pathological input
MAX_CALL_DEPTH = 24
MAX_UNROLL = 256
MAX_ITEMS = 10_000  # longest string, tuple or list an operation may build
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
_MISSING = object()
_KERAS1_NAMES = frozenset(
    {"Convolution1D", "Convolution2D", "Convolution3D", "Deconvolution2D", "AtrousConvolution2D"}
)
_KERAS1_KWARGS = frozenset({"border_mode", "subsample", "nb_filter", "nb_row", "nb_col", "init"})
_TAKES_DATA_FORMAT = re.compile(
    r"Conv|Pool|Flatten|UpSampling|ZeroPadding|Cropping|SpatialDropout|Deconv|LRN"
)
# Methods Keras models and layers inherit that matter here (the others do nothing to shapes).
_MODEL_METHODS = frozenset({"build", "summary", "compile", "fit", "evaluate", "predict", "save"})
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}
_DEFAULT_BACKBONE_SIZE = {
    "Xception": 299,
    "InceptionV3": 299,
    "InceptionResNetV2": 299,
    "NASNetLarge": 331,
    "EfficientNetB1": 240,
    "EfficientNetB2": 260,
    "EfficientNetB3": 300,
    "EfficientNetB4": 380,
    "EfficientNetB5": 456,
    "EfficientNetB6": 528,
    "EfficientNetB7": 600,
    "EfficientNetV2B1": 240,
    "EfficientNetV2B2": 260,
    "EfficientNetV2B3": 300,
    "EfficientNetV2S": 384,
    "EfficientNetV2M": 480,
    "EfficientNetV2L": 480,
}


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _OutOfBudget(Exception):
    pass


class Scope:
    """One namespace (module, function or class body) with a link to the enclosing one."""

    def __init__(self, parent: Scope | None = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.star_modules: list[str] = []

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            for module in scope.star_modules:
                candidate = f"{module}.{name}"
                if keras_names.classify(candidate) not in (None, Kind.OTHER):
                    return Ref(candidate)
            scope = scope.parent
        return _MISSING


class Interpreter:
    """Runs one file (or a notebook's cells, one after another) into a layer graph."""

    def __init__(self) -> None:
        self.graph = Graph(name=None, class_name="Program")
        self.globals = Scope()
        self.globals.vars["__name__"] = "__main__"
        self.sequentials: list[SequentialValue] = []
        self.functions: list[FunctionValue] = []
        self.classes: list[ClassValue] = []
        self.instances: list[InstanceValue] = []
        self.lines: list[str] = []
        self.cell: int | None = None
        self.steps = 0
        self.conditional: list[int] = []  # lines of the undecided if/loop we are inside
        self.call_depth = 0
        self.running: list[FunctionValue] = []  # functions being evaluated, outermost first
        self.exhausted = False
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
        # Every Sequential/Functional model the file builds, in creation order (for inspect).
        self.model_layers: list[Layer] = []

    # ----------------------------------------------------------------- entry points

    def assume_keras_names(self) -> None:
        """For snippets with no imports at all (bug reports, Q&A answers): bare names such
        as `Sequential` or `Conv2D` can only mean Keras's, since nothing else is in scope."""
        self.globals.star_modules.extend(["keras.layers", "keras.models", "keras"])
        aliases = {"tf": "tensorflow", "keras": "keras", "K": "keras.backend", "np": "numpy"}
        aliases |= {"layers": "keras.layers", "models": "keras.models"}
        for alias, module in aliases.items():
            self.globals.vars.setdefault(alias, Ref(module))

    def run_module(self, tree: ast.Module, lines: list[str], cell: int | None = None) -> None:
        self.lines, self.cell = lines, cell
        try:
            self.exec_block(tree.body, self.globals)
        except _OutOfBudget:
            self.exhausted = True
        except (_Return, _Break, _Continue):
            pass

    def finish(self) -> Graph:
        """Explore code the file defines but never calls, then materialise Sequentials."""
        try:
            self._explore_uncalled()
        except _OutOfBudget:
            self.exhausted = True
        self._guess_keras1_data_format()
        for seq in list(self.sequentials):
            try:
                self._materialise(seq, set())
            except _OutOfBudget:
                self.exhausted = True
                break
        return self.graph

    @property
    def models(self) -> list[Layer]:
        """The models built so far whose layer graph is known (materialised), in order."""
        return [layer for layer in self.model_layers if layer.inner is not None]

    # ----------------------------------------------------------------- statements

    def exec_block(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt: ast.stmt, scope: Scope) -> None:
        self._tick()
        if isinstance(stmt, ast.Expr):
            self.eval(stmt.value, scope)
        elif isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value, scope)
            for target in stmt.targets:
                self.assign(target, value, scope)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.eval(stmt.value, scope), scope)
        elif isinstance(stmt, ast.AugAssign):
            current = self.eval(_as_load(stmt.target), scope)
            value = self._binop(stmt.op, current, self.eval(stmt.value, scope), stmt)
            self.assign(stmt.target, value, scope)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            self._import(stmt, scope)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            self._define_function(stmt, scope)
        elif isinstance(stmt, ast.ClassDef):
            self._define_class(stmt, scope)
        elif isinstance(stmt, ast.Return):
            raise _Return(self.eval(stmt.value, scope) if stmt.value else None)
        elif isinstance(stmt, ast.If):
            self._exec_if(stmt, scope)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            self._exec_for(stmt, scope)
        elif isinstance(stmt, ast.While):
            self._undecided(stmt.lineno, lambda: self._loop_body(stmt.body, scope))
            self.exec_block(stmt.orelse, scope)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                self.eval(item.context_expr, scope)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, Unknown("a `with` target"), scope)
            self.exec_block(stmt.body, scope)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.exec_block(stmt.body, scope)  # type: ignore[attr-defined]
            self.exec_block(stmt.orelse, scope)  # type: ignore[attr-defined]
            self.exec_block(stmt.finalbody, scope)  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Break):
            raise _Break
        elif isinstance(stmt, ast.Continue):
            raise _Continue

    def _exec_if(self, stmt: ast.If, scope: Scope) -> None:
        test = self._truth(self.eval(stmt.test, scope))
        if test is True:
            self.exec_block(stmt.body, scope)
        elif test is False:
            self.exec_block(stmt.orelse, scope)
        else:
            self._branches(stmt.lineno, [stmt.body, stmt.orelse], scope)

    def _branches(self, line: int, bodies: list[list[ast.stmt]], scope: Scope) -> None:
        """Run each branch from the same starting state; join what they assign."""
        before = dict(scope.vars)
        outcomes: list[dict[str, Any]] = []
        for body in bodies:
            scope.vars.clear()
            scope.vars.update(before)
            self._undecided(line, lambda body=body: self.exec_block(body, scope))
            outcomes.append(dict(scope.vars))
        scope.vars.clear()
        for key in set().union(*outcomes):
            values = [outcome.get(key, before.get(key, _MISSING)) for outcome in outcomes]
            defined = [v for v in values if v is not _MISSING]
            first = defined[0]
            if all(_same(first, v) for v in defined[1:]):
                scope.vars[key] = first
            else:
                scope.vars[key] = Unknown(f"'{key}' depends on the condition at line {line}")

    def _exec_for(self, stmt: ast.For | ast.AsyncFor, scope: Scope) -> None:
        iterable = self._concrete_items(self.eval(stmt.iter, scope))
        if iterable is None:

            def body() -> None:
                self.assign(stmt.target, Unknown(f"a loop variable (line {stmt.lineno})"), scope)
                self._loop_body(stmt.body, scope)

            self._undecided(stmt.lineno, body)
            return
        for item in iterable:
            self.assign(stmt.target, item, scope)
            try:
                self.exec_block(stmt.body, scope)
            except _Continue:
                continue
            except _Break:
                return
        self.exec_block(stmt.orelse, scope)

    def _loop_body(self, body: list[ast.stmt], scope: Scope) -> None:
        with contextlib.suppress(_Break, _Continue):
            self.exec_block(body, scope)

    def _undecided(self, line: int, action: Callable[[], None]) -> None:
        self.conditional.append(line)
        try:
            action()
        except (_Break, _Continue):
            pass
        finally:
            self.conditional.pop()

    def assign(self, target: ast.expr, value: Any, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.vars[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            items = self._concrete_items(value)
            starred = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
            if items is None or (not starred and len(items) != len(target.elts)):
                for element in target.elts:
                    inner = element.value if isinstance(element, ast.Starred) else element
                    self.assign(inner, _unpacked(inner, target.lineno), scope)
                return
            if starred:
                idx = starred[0]
                tail = len(target.elts) - idx - 1
                head_items = items[:idx]
                rest = items[idx : len(items) - tail]
                tail_items = items[len(items) - tail :]
                items = [*head_items, ListValue(list(rest)), *tail_items]
            for element, item in zip(target.elts, items, strict=False):
                inner = element.value if isinstance(element, ast.Starred) else element
                self.assign(inner, item, scope)
        elif isinstance(target, ast.Attribute):
            receiver = self.eval(target.value, scope)
            if isinstance(receiver, InstanceValue | AttributeBag):
                receiver.attrs[target.attr] = value
            elif isinstance(target.value, ast.Name) and (bag := _attribute_bag(receiver)):
                bag.attrs[target.attr] = value
                _defining_scope(scope, target.value.id).vars[target.value.id] = bag
        elif isinstance(target, ast.Subscript):
            receiver = self.eval(target.value, scope)
            key = self.eval(target.slice, scope)
            if isinstance(receiver, dict) and _hashable(key):
                receiver[key] = value
            elif isinstance(receiver, ListValue) and isinstance(key, int):
                _set_item(receiver.items, key, value)

    # ----------------------------------------------------------------- definitions

    def _import(self, stmt: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    scope.vars[alias.asname] = Ref(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    scope.vars[top] = Ref(top)
            return
        module = ("." * stmt.level) + (stmt.module or "")
        for alias in stmt.names:
            if alias.name == "*":
                scope.star_modules.append(module)
            else:
                scope.vars[alias.asname or alias.name] = Ref(f"{module}.{alias.name}")

    def _define_function(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        args = stmt.args
        positional = [*args.posonlyargs, *args.args]
        defaults: dict[str, Any] = {}
        with_defaults = positional[len(positional) - len(args.defaults) :]
        for arg, default in zip(with_defaults, args.defaults, strict=True):
            defaults[arg.arg] = self.eval(default, scope)
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=False):
            if kw_default is not None:
                defaults[arg.arg] = self.eval(kw_default, scope)
        function = FunctionValue(
            stmt, _scope_ref(scope), defaults, stmt.name, cell=self.cell, lines=self.lines
        )
        scope.vars[stmt.name] = function
        self.functions.append(function)

    def _define_class(self, stmt: ast.ClassDef, scope: Scope) -> None:
        bases = [self.eval(base, scope) for base in stmt.bases]
        keras_base = None
        for base in bases:
            if isinstance(base, Ref):
                kind = keras_names.classify(base.qualname)
                if kind in (Kind.MODEL, Kind.SEQUENTIAL):
                    keras_base = "model"
                elif kind in (Kind.BASE_LAYER, Kind.LAYER):
                    keras_base = keras_base or "layer"
            elif isinstance(base, ClassValue) and base.keras_base:
                keras_base = keras_base or base.keras_base
        body_scope = Scope(parent=_scope_ref(scope))
        methods: dict[str, FunctionValue] = {}
        for base in bases:
            if isinstance(base, ClassValue):
                methods.update(base.methods)
        cls = ClassValue(stmt, _scope_ref(scope), methods, keras_base, bases)
        for item in stmt.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                self._define_function(item, body_scope)
                function = body_scope.vars[item.name]
                self.functions.remove(function)
                function.scope = _scope_ref(scope)  # methods see module names, not class names
                methods[item.name] = function
            else:
                self.exec_stmt(item, body_scope)
        cls.scope = _scope_ref(scope)
        for base in reversed(bases):
            if isinstance(base, ClassValue):
                cls.constants = {**base.constants, **cls.constants}
        cls.constants.update(
            (name, value) for name, value in body_scope.vars.items() if name not in methods
        )
        scope.vars[stmt.name] = cls
        self.classes.append(cls)

    # ----------------------------------------------------------------- expressions

    def eval(self, expr: ast.expr | None, scope: Scope) -> Any:
        self._tick()
        if expr is None:
            return None
        if isinstance(expr, ast.Constant):
            return expr.value
        if isinstance(expr, ast.Name):
            value = scope.lookup(expr.id)
            if value is _MISSING:
                return BUILTINS_REF.get(
                    expr.id, Unknown(f"'{expr.id}' is not defined in this file")
                )
            return value
        if isinstance(expr, ast.Attribute):
            return self._attribute(self.eval(expr.value, scope), expr.attr)
        if isinstance(expr, ast.Call):
            return self._call_expr(expr, scope)
        if isinstance(expr, ast.Tuple):
            return tuple(self._sequence(expr.elts, scope))
        if isinstance(expr, ast.List):
            return ListValue(self._sequence(expr.elts, scope))
        if isinstance(expr, ast.Dict):
            result: dict[Any, Any] = {}
            for key, value in zip(expr.keys, expr.values, strict=False):
                if key is None:
                    merged = self.eval(value, scope)
                    if isinstance(merged, dict):
                        result.update(merged)
                    continue
                k = self.eval(key, scope)
                if _hashable(k):
                    result[k] = self.eval(value, scope)
            return result
        if isinstance(expr, ast.BinOp):
            left = self.eval(expr.left, scope)
            right = self.eval(expr.right, scope)
            return self._binop(expr.op, left, right, expr)
        if isinstance(expr, ast.UnaryOp):
            operand = self.eval(expr.operand, scope)
            return _unary(expr.op, operand)
        if isinstance(expr, ast.BoolOp):
            return self._boolop(expr, scope)
        if isinstance(expr, ast.Compare):
            return self._compare(expr, scope)
        if isinstance(expr, ast.IfExp):
            test = self._truth(self.eval(expr.test, scope))
            if test is True:
                return self.eval(expr.body, scope)
            if test is False:
                return self.eval(expr.orelse, scope)
            a, b = self.eval(expr.body, scope), self.eval(expr.orelse, scope)
            return a if _same(a, b) else Unknown(f"a conditional expression (line {expr.lineno})")
        if isinstance(expr, ast.Subscript):
            return self._subscript(self.eval(expr.value, scope), expr.slice, scope)
        if isinstance(expr, ast.ListComp | ast.GeneratorExp):
            items = self._comprehension(expr, scope)
            return ListValue(items) if items is not None else Unknown("a comprehension")
        if isinstance(expr, ast.NamedExpr):
            value = self.eval(expr.value, scope)
            self.assign(expr.target, value, scope)
            return value
        if isinstance(expr, ast.Starred):
            return self.eval(expr.value, scope)
        if isinstance(expr, ast.Slice):
            return slice(
                self.eval(expr.lower, scope),
                self.eval(expr.upper, scope),
                self.eval(expr.step, scope),
            )
        return Unknown(f"a {type(expr).__name__} expression (line {expr.lineno})")

    def _sequence(self, elts: list[ast.expr], scope: Scope) -> list[Any]:
        items: list[Any] = []
        for element in elts:
            value = self.eval(element, scope)
            if isinstance(element, ast.Starred):
                spread = self._concrete_items(value)
                if spread is None:
                    items.append(Unknown("a starred expression"))
                else:
                    items.extend(spread)
            else:
                items.append(value)
        return items

    def _comprehension(
        self, expr: ast.ListComp | ast.GeneratorExp, scope: Scope
    ) -> list[Any] | None:
        if len(expr.generators) != 1 or expr.generators[0].is_async:
            return None
        generator = expr.generators[0]
        items = self._concrete_items(self.eval(generator.iter, scope))
        if items is None:
            return None
        inner = Scope(parent=scope)
        result = []
        for item in items:
            self.assign(generator.target, item, inner)
            keep = [self._truth(self.eval(cond, inner)) for cond in generator.ifs]
            if any(k is None for k in keep):
                return None
            if all(keep):
                result.append(self.eval(expr.elt, inner))
        return result

    def _binop(self, op: ast.operator, left: Any, right: Any, where: ast.AST) -> Any:
        if isinstance(left, TensorValue) or isinstance(right, TensorValue):
            return self._tensor_arithmetic(left, right, where)
        if isinstance(left, ArrayValue) and _is_number(right):
            return left
        if isinstance(right, ArrayValue) and _is_number(left):
            return right
        if isinstance(left, ListValue) and isinstance(right, ListValue) and isinstance(op, ast.Add):
            if len(left.items) + len(right.items) > MAX_ITEMS:
                return Unknown("a list too large to follow")
            return ListValue([*left.items, *right.items])
        if isinstance(left, ListValue) and isinstance(right, int) and isinstance(op, ast.Mult):
            return ListValue(left.items * max(0, min(right, MAX_UNROLL)))
        fn = _BINOPS.get(type(op))
        if fn is None or not _is_plain(left) or not _is_plain(right):
            return _unknown_from(left, right, "an arithmetic result")
        if _too_costly(op, left, right):
            return Unknown("a value too large to follow")
        try:
            result = fn(left, right)
        except Exception:
            return Unknown("an arithmetic error")
        if isinstance(result, int | float) and abs(result) > 10**15:
            return Unknown("a number too large to matter")
        if isinstance(result, str | tuple) and len(result) > 10_000:
            return Unknown("a value too large to follow")
        return result

    def _tensor_arithmetic(self, left: Any, right: Any, where: ast.AST) -> Any:
        """`x / 255.0` keeps a tensor's shape; `a + b` of two tensors is an elementwise merge."""
        tensors = [v for v in (left, right) if isinstance(v, TensorValue)]
        others = [v for v in (left, right) if not isinstance(v, TensorValue)]
        if others and not _is_number(others[0]):
            return Unknown("arithmetic on a tensor and a non-number")
        class_name = "Add" if len(tensors) == 2 else "Identity"
        layer = Layer(class_name, {}, span=None, origin={"implicit": True})
        return TensorValue(self._node(layer, [t.node for t in tensors]))

    def _boolop(self, expr: ast.BoolOp, scope: Scope) -> Any:
        values = [self.eval(v, scope) for v in expr.values]
        truths = [self._truth(v) for v in values]
        if isinstance(expr.op, ast.And):
            for value, truth in zip(values, truths, strict=True):
                if truth is None:
                    return Unknown("a boolean expression")
                if not truth:
                    return value
            return values[-1]
        for value, truth in zip(values, truths, strict=True):
            if truth is None:
                return Unknown("a boolean expression")
            if truth:
                return value
        return values[-1]

    def _compare(self, expr: ast.Compare, scope: Scope) -> Any:
        left = self.eval(expr.left, scope)
        for op, comparator in zip(expr.ops, expr.comparators, strict=True):
            right = self.eval(comparator, scope)
            fn = _CMPOPS.get(type(op))
            if fn is None or not _is_plain(left) or not _is_plain(right):
                return Unknown(f"a comparison (line {expr.lineno})")
            try:
                if not fn(left, right):
                    return False
            except Exception:
                return Unknown(f"a comparison (line {expr.lineno})")
            left = right
        return True

    def _subscript(self, value: Any, index_expr: ast.expr, scope: Scope) -> Any:
        index = self.eval(index_expr, scope)
        if isinstance(value, ListValue):
            value = tuple(value.items)
            if isinstance(index, slice):
                return ListValue(list(_slice(value, index) or ()))
        if isinstance(value, tuple | str):
            if isinstance(index, int) and not isinstance(index, bool):
                return value[index] if -len(value) <= index < len(value) else Unknown("an index")
            if isinstance(index, slice):
                result = _slice(value, index)
                return result if result is not None else Unknown("a slice")
        if isinstance(value, dict) and _hashable(index) and index in value:
            return value[index]
        if isinstance(value, ArrayValue):
            return _index_array(value, index)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Ref):
            return Unknown(f"{value.qualname}[...] is only known at run time")
        return Unknown("an indexed value")

    def _attribute(self, value: Any, attr: str) -> Any:
        if isinstance(value, Ref):
            return Ref(f"{value.qualname}.{attr}")
        if isinstance(value, InstanceValue):
            if attr in value.attrs:
                return value.attrs[attr]
            if attr in value.cls.methods or (value.cls.keras_base and attr in _MODEL_METHODS):
                return BoundMethod(value, attr)
            if attr in value.cls.constants:
                return value.cls.constants[attr]
            return Unknown(f"attribute '{attr}' of a {value.cls.node.name} object")
        if isinstance(value, ClassValue):
            return class_attribute(value, attr)
        if isinstance(value, ArrayValue):
            if attr == "shape":
                return value.shape
            if attr in ("astype", "reshape", "copy"):
                return BoundMethod(value, attr)
            if attr == "T":
                return ArrayValue(tuple(reversed(value.shape)))
            if attr == "ndim":
                return len(value.shape)
            return Unknown(f"array attribute '{attr}'")
        if isinstance(value, ModelValue | SequentialValue | LayerValue | ListValue):
            return self._model_attribute(value, attr)
        if isinstance(value, tuple) and attr in ("index", "count"):
            return BoundMethod(value, attr)
        if isinstance(value, dict) and attr in ("get", "items", "keys", "values"):
            return BoundMethod(value, attr)
        if isinstance(value, AttributeBag) and attr in value.attrs:
            return value.attrs[attr]
        if isinstance(value, Unknown):
            return value
        return Unknown(f"attribute '{attr}'")

    def _model_attribute(self, value: Any, attr: str) -> Any:
        if isinstance(value, ListValue):
            if attr in ("append", "extend", "insert", "pop", "copy"):
                return BoundMethod(value, attr)
            return Unknown(f"list attribute '{attr}'")
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
        if isinstance(value, SequentialValue) and attr in ("output", "input") and value.items:
            # `feature_extractor.output` chained into a functional head: the layers added
            # so far are the model (layers added later are not part of this tensor).
            graph = self._materialise(value, set())
            return TensorValue(graph.outputs[0] if attr == "output" else graph.inputs[0])
        if isinstance(value, LayerValue) and value.own_node is not None:
            if attr in ("output", "outputs"):
                return TensorValue(value.own_node)
            if attr in ("input", "inputs") and value.own_node.inputs:
                return TensorValue(value.own_node.inputs[0])
        if attr in ("add", "build", "pop", "summary", "compile", "__call__", *_DATA_METHODS):
            return BoundMethod(value, attr)
        return Unknown(f"attribute '{attr}' of a model or layer")

    # ----------------------------------------------------------------- calls

    def _call_expr(self, expr: ast.Call, scope: Scope) -> Any:
        func = self.eval(expr.func, scope)
        args: list[Any] = []
        args_complete = True
        for arg in expr.args:
            value = self.eval(arg, scope)
            if isinstance(arg, ast.Starred):
                spread = self._concrete_items(value)
                if spread is None:
                    args_complete = False
                    break
                args.extend(spread)
            else:
                args.append(value)
        kwargs: dict[str, Any] = {}
        for keyword in expr.keywords:
            value = self.eval(keyword.value, scope)
            if keyword.arg is None:
                if isinstance(value, dict):
                    kwargs.update({k: v for k, v in value.items() if isinstance(k, str)})
            else:
                kwargs[keyword.arg] = value
        return self.call(func, args, kwargs, expr, args_complete)

    def call(
        self,
        func: Any,
        args: list[Any],
        kwargs: dict[str, Any],
        expr: ast.Call,
        complete: bool = True,
    ) -> Any:
        if isinstance(func, Ref):
            if func.qualname == "functools.partial" and args and complete:
                return PartialValue(args[0], args[1:], kwargs)
            return self._call_ref(func, args, kwargs, expr)
        if isinstance(func, PartialValue):
            merged = {**func.kwargs, **kwargs}
            return self.call(func.func, [*func.args, *args], merged, expr, complete)
        if isinstance(func, BuiltinRef):
            return func.fn(self, args, kwargs)
        if isinstance(func, FunctionValue):
            return self.invoke(func, args, kwargs, expr)
        if isinstance(func, ClassValue):
            return self.instantiate(func, args, kwargs, expr)
        if isinstance(func, LayerValue):
            return self.apply_layer(func.layer, args[0] if args else kwargs.get("inputs"), expr)
        if isinstance(func, SequentialValue | ModelValue):
            return self.apply_layer(func.layer, args[0] if args else kwargs.get("inputs"), expr)
        if isinstance(func, InstanceValue):
            return self.call_instance(func, args, kwargs, expr)
        if isinstance(func, BoundMethod):
            return self._call_method(func, args, kwargs, expr)
        if isinstance(func, Unknown):
            return func
        return Unknown(f"the result of a call at line {expr.lineno}")

    def _call_ref(self, func: Ref, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        qualname = func.qualname
        kind = keras_names.classify(qualname)
        leaf = qualname.rsplit(".", 1)[-1]
        if kind is Kind.LAYER:
            keras1 = leaf in legacy.LEGACY_POSITIONAL and self._keras1_semantics(qualname)
            return self.make_layer(leaf, args, kwargs, expr, keras1=keras1)
        if kind is Kind.INPUT:
            return self.make_input(args, kwargs, expr)
        if kind is Kind.SEQUENTIAL:
            return self.make_sequential(args, kwargs, expr)
        if kind is Kind.MODEL:
            return self.make_model(args, kwargs, expr)
        if kind is Kind.BACKBONE:
            return self.make_backbone(leaf, kwargs, expr)
        if kind is Kind.DATASET_LOADER:
            x_train, y_train, x_test, y_test = keras_names.DATASETS[qualname.split(".")[-2]]
            return (ArrayValue(x_train), ArrayValue(y_train)), (
                ArrayValue(x_test),
                ArrayValue(y_test),
            )
        if kind is Kind.IMAGE_DATA_FORMAT:
            return self.data_format or "channels_last"  # Keras's default, what configs omit
        if kind is Kind.IMAGE_DIM_ORDERING:
            return {"channels_first": "th"}.get(self.data_format or "", "tf")
        if kind in (Kind.SET_IMAGE_DATA_FORMAT, Kind.SET_IMAGE_DIM_ORDERING):
            self._set_data_format(args[0] if args else kwargs.get("data_format"))
            return None
        if kind is Kind.TO_CATEGORICAL:
            labels = args[0] if args else kwargs.get("y")
            classes = args[1] if len(args) > 1 else kwargs.get("num_classes")
            if isinstance(labels, ArrayValue) and isinstance(classes, int):
                return ArrayValue((labels.shape[0], classes))
            return Unknown("one-hot labels")
        if kind is Kind.OTHER and leaf in MERGE_FUNCTIONS:
            layer = self.make_layer(MERGE_FUNCTIONS[leaf], [], dict(kwargs), expr)
            if isinstance(layer, LayerValue):
                return self.apply_layer(layer.layer, args[0] if args else None, expr)
        array = array_from_call(qualname, args, kwargs)
        if array is not None:
            return array
        if kind is None:
            numpy_fn = NUMPY_FUNCTIONS.get(leaf)
            if numpy_fn is not None and qualname.split(".")[0] in ("numpy", "np"):
                return numpy_fn(args, kwargs)
        return Unknown(f"the result of {_short(qualname)}() is only known at run time")

    def _keras1_semantics(self, qualname: str) -> bool:
        """Whether a legacy layer name is read with Keras 1 arguments: tf.keras never is."""
        if qualname.startswith("tensorflow."):
            return False
        if self._keras1_answer is None:
            self._keras1_answer = self.keras1_code()
        return self._keras1_answer

    def _call_method(
        self, method: BoundMethod, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        receiver, name = method.receiver, method.name
        if isinstance(receiver, SequentialValue):
            if name == "add" and args:
                deeper = len(self.conditional) > receiver.depth
                line = self.conditional[-1] if deeper else 0
                receiver.items.append((args[0], deeper, line))
                return None
            if name == "pop" and receiver.items:
                receiver.items.pop()
                return None
            if name == "build":
                receiver.build_shape = args[0] if args else kwargs.get("input_shape")
                return None
            if name == "__call__":
                return self.apply_layer(receiver.layer, args[0] if args else None, expr)
            data = args[0] if args else kwargs.get("x")
            if (
                name in _DATA_METHODS
                and isinstance(data, ArrayValue)
                and receiver.data_shape is None
            ):
                receiver.data_shape = data.shape  # Keras builds an undeclared model from it
            return None
        if isinstance(receiver, InstanceValue):
            if name == "build" and receiver.cls.keras_base and "build" not in receiver.cls.methods:
                shape = args[0] if args else kwargs.get("input_shape")
                return self._build_subclass(receiver, shape, expr)
            function = receiver.cls.methods.get(name)
            if function is not None:
                return self.invoke(function, [receiver, *args], kwargs, expr)
            return Unknown(f"method {name}()")
        if isinstance(receiver, ListValue):
            return _list_method(receiver, name, args)
        if isinstance(receiver, ArrayValue):
            if name == "reshape":
                target = args[0] if len(args) == 1 else tuple(args)
                return _reshape_array(receiver, target)
            return receiver
        if isinstance(receiver, dict):
            if name == "get" and args and _hashable(args[0]):
                return receiver.get(args[0], args[1] if len(args) > 1 else None)
            return Unknown(f"dict.{name}()")
        if isinstance(receiver, tuple) and name in ("index", "count") and args:
            try:
                return getattr(receiver, name)(args[0])
            except ValueError:
                return Unknown("tuple.index()")
        return None if name in ("summary", "compile", "fit") else Unknown(f"method {name}()")

    def invoke(
        self, function: FunctionValue, args: list[Any], kwargs: dict[str, Any], expr: ast.AST | None
    ) -> Any:
        """Run a function body with its arguments bound (bounded recursion)."""
        function.called = True
        if self.call_depth >= MAX_CALL_DEPTH:
            return Unknown(f"a call to {function.qualname}() nested too deep")
        if function in self.running:
            # Following recursion costs time exponential in its depth (two calls per level
            # double it) and its result depends on a run-time stopping condition anyway.
            where = f" (line {expr.lineno})" if isinstance(expr, ast.expr) else ""
            return Unknown(f"{function.qualname}() calls itself{where}")
        local = Scope(parent=function.scope)
        self._bind_arguments(function, args, kwargs, local)
        self.call_depth += 1
        self.running.append(function)
        # Positions inside the body belong to the cell (and lines) the function was written in.
        saved_place = self.cell, self.lines
        self.cell, self.lines = function.cell, function.lines
        try:
            self.exec_block(function.node.body, local)
        except _Return as result:
            return result.value
        except (_Break, _Continue):
            return None
        finally:
            self.call_depth -= 1
            self.running.pop()
            self.cell, self.lines = saved_place
        return None

    def _bind_arguments(
        self, function: FunctionValue, args: list[Any], kwargs: dict[str, Any], local: Scope
    ) -> None:
        spec = function.node.args
        positional = [*spec.posonlyargs, *spec.args]
        for index, arg in enumerate(positional):
            if index < len(args):
                local.vars[arg.arg] = args[index]
            elif arg.arg in kwargs:
                local.vars[arg.arg] = kwargs[arg.arg]
            elif arg.arg in function.defaults:
                local.vars[arg.arg] = function.defaults[arg.arg]
            else:
                local.vars[arg.arg] = Unknown(
                    f"'{arg.arg}' is a parameter of {function.qualname}()"
                )
        for arg in spec.kwonlyargs:
            local.vars[arg.arg] = kwargs.get(
                arg.arg,
                function.defaults.get(
                    arg.arg, Unknown(f"'{arg.arg}' is a parameter of {function.qualname}()")
                ),
            )
        if spec.vararg is not None:
            local.vars[spec.vararg.arg] = tuple(args[len(positional) :])
        if spec.kwarg is not None:
            names = {a.arg for a in positional} | {a.arg for a in spec.kwonlyargs}
            local.vars[spec.kwarg.arg] = {k: v for k, v in kwargs.items() if k not in names}

    def instantiate(
        self, cls: ClassValue, args: list[Any], kwargs: dict[str, Any], expr: ast.AST | None
    ) -> InstanceValue:
        cls.instantiated = True
        instance = InstanceValue(cls)
        self.instances.append(instance)
        init = cls.methods.get("__init__")
        if init is not None:
            self.invoke(init, [instance, *args], kwargs, expr)
        return instance

    def call_instance(
        self, instance: InstanceValue, args: list[Any], kwargs: dict[str, Any], expr: ast.AST | None
    ) -> Any:
        method = instance.cls.methods.get("call") if instance.cls.keras_base else None
        method = method or instance.cls.methods.get("__call__")
        if method is None:
            return Unknown(f"calling a {instance.cls.node.name} object")
        instance.called = True
        return self.invoke(method, [instance, *args], kwargs, expr)

    def _build_subclass(self, instance: InstanceValue, shape: Any, expr: ast.AST | None) -> None:
        declared, reason = _declared(shape, with_batch=True)
        node = self._input_node(declared, reason, name=None, span=None)
        self.call_instance(instance, [TensorValue(node)], {}, expr)
        return None

    # ----------------------------------------------------------------- Keras objects

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
        config = {key: _config_value(value) for key, value in config.items()}
        span = self._span(expr)
        callee = _dotted(expr.func)
        if raw_name == "Lambda" and expr.args and _elementwise_lambda(expr.args[0]):
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
            return LayerValue(layer)
        if (keras1 and raw_name in _KERAS1_NAMES) or _KERAS1_KWARGS & kwargs.keys():
            self.keras1 = True
        class_name, config = legacy.normalize(raw_name, config)
        takes_format = _TAKES_DATA_FORMAT.search(class_name) is not None
        if self.data_format is not None and "data_format" not in config and takes_format:
            config["data_format"] = self.data_format
        name = config.get("name")
        origin: dict[str, Any] = {"callee": callee, "raw_class": raw_name}
        wrapped = args[0] if args else kwargs.get("layer")
        if class_name == "TimeDistributed" and isinstance(wrapped, LayerValue):
            origin["inner_span"] = wrapped.layer.span  # a fix rewrites the wrapped call
        layer = Layer(
            class_name,
            config,
            name=name if isinstance(name, str) else None,
            span=span,
            origin=origin,
        )
        self.made_layers.append(layer)
        return LayerValue(layer)

    def _set_data_format(self, value: Any) -> None:
        formats = {"th": "channels_first", "tf": "channels_last"}
        value = formats.get(value, value) if isinstance(value, str) else value
        if self.conditional or value not in ("channels_first", "channels_last"):
            self.data_format = Unknown("the image data format is set at run time")
        else:
            self.data_format = value

    def _guess_keras1_data_format(self) -> None:
        """Keras 1 scripts were mostly written for Theano's channels-first ordering: when a
        Keras 1 file declares an image input as (c, h, w) with few channels and sets no
        ordering, read its layers as channels_first."""
        if not self.keras1 or self.data_format is not None:
            return
        for layer in self.made_layers:
            shape = layer.config.get("input_shape")
            if "data_format" in layer.config or not isinstance(shape, tuple) or len(shape) != 3:
                continue
            if all(isinstance(d, int) for d in shape) and shape[0] <= 4 < min(shape[1:]):
                why = f"Keras 1 code with a {shape} input and no image ordering set"
                for other in self.made_layers:
                    if "data_format" not in other.config and _TAKES_DATA_FORMAT.search(
                        other.class_name
                    ):
                        other.config["data_format"] = "channels_first"
                        other.origin["assumed_data_format"] = why  # findings must say so
                return

    def _input_layer(self, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        config = {k: _config_value(v) for k, v in kwargs.items()}
        if args:
            config.setdefault("shape", _config_value(args[0]))
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
            declared, reason = _declared(kwargs["batch_shape"], with_batch=True)
        else:
            declared, reason = _declared(shape, batch=batch if isinstance(batch, int) else None)
        name = kwargs.get("name")
        node = self._input_node(declared, reason, name if isinstance(name, str) else None, None)
        return TensorValue(node)

    def _input_node(
        self, declared: Shape | None, reason: str | None, name: str | None, span: SourceSpan | None
    ) -> Node:
        origin = {"unknown_reason": reason} if reason else {}
        layer = Layer("InputLayer", {}, name=name, span=span, origin=origin)
        return self._node(layer, [], declared_shape=declared)

    def make_sequential(self, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        name = kwargs.get("name")
        layer = Layer(
            "Sequential", {}, name=name if isinstance(name, str) else None, span=self._span(expr)
        )
        seq = SequentialValue(layer)
        seq.depth = len(self.conditional)
        initial = args[0] if args else kwargs.get("layers")
        items = self._concrete_items(initial) if initial is not None else []
        if items is None:
            seq.items.append(
                (Unknown("the Sequential's layer list is not known statically"), False, expr.lineno)
            )
        else:
            seq.items.extend((item, False, expr.lineno) for item in items)
        self.sequentials.append(seq)
        self.model_layers.append(layer)
        return seq

    def make_model(self, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        inputs = args[0] if args else kwargs.get("inputs", kwargs.get("input"))
        outputs = args[1] if len(args) > 1 else kwargs.get("outputs", kwargs.get("output"))
        input_nodes = _tensor_nodes(inputs)
        output_nodes = _tensor_nodes(outputs)
        if input_nodes is None or output_nodes is None:
            return Unknown("a Model whose inputs or outputs are not known statically")
        name = kwargs.get("name")
        graph = Graph(
            nodes=_ancestors(output_nodes, self.graph.nodes),
            inputs=input_nodes,
            outputs=output_nodes,
            name=name if isinstance(name, str) else None,
        )
        layer = Layer("Functional", {}, name=graph.name, span=self._span(expr), inner=graph)
        self.model_layers.append(layer)
        return ModelValue(layer)

    def make_backbone(self, class_name: str, kwargs: dict[str, Any], expr: ast.Call) -> LayerValue:
        config = {k: _config_value(v) for k, v in kwargs.items()}
        config.pop("weights", None)
        include_top = config.get("include_top", True)
        input_tensor = kwargs.get("input_tensor")
        if isinstance(input_tensor, TensorValue):
            input_node = input_tensor.node
        else:
            declared, reason = _declared(config.get("input_shape"))
            if config.get("input_shape") is None:
                if include_top is True:
                    size = _DEFAULT_BACKBONE_SIZE.get(class_name, 224)
                    declared, reason = (None, size, size, 3), None
                else:
                    declared = (None, None, None, 3)
                    reason = f"{class_name}() is built without an input_shape"
            input_node = self._input_node(declared, reason, None, None)
        layer = Layer(
            class_name, config, span=self._span(expr), origin={"callee": _dotted(expr.func)}
        )
        own = self._node(layer, [input_node])
        return LayerValue(layer, own_node=own)

    def apply_layer(self, layer: Layer, inputs: Any, expr: ast.AST | None) -> Any:
        """Call a layer (or a model used as a layer) on tensors: a new graph node."""
        nodes = _tensor_nodes(inputs)
        if nodes is None:
            reason = inputs.reason if isinstance(inputs, Unknown) else "its input is not a tensor"
            nodes = [self._input_node(None, reason, None, None)]
        if layer.class_name == "InputLayer":
            return TensorValue(nodes[0])
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
                node.uncertain = _uncertain_reason(layer, self.conditional[-1])
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
        if items and _is_input_item(items[0][0]):
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
            return first.node
        if isinstance(first, LayerValue) and first.layer.class_name == "InputLayer":
            assert first.own_node is not None
            return first.own_node
        if seq.build_shape is not None:
            declared, reason = _declared(seq.build_shape, with_batch=True)
            return self._input_node(declared, reason, None, None)
        if isinstance(first, LayerValue):
            if first.own_node is not None and first.own_node.inputs:  # a backbone
                source = first.own_node.inputs[0]
                return self._input_node(
                    source.declared_shape, source.layer.origin.get("unknown_reason"), None, None
                )
            config = first.layer.config
            declared, reason = _declared_from_config(config)
            if declared is not None or reason is not None:
                return self._input_node(declared, reason, None, None)
        if seq.data_shape is not None and len(seq.data_shape) > 1:
            return self._input_node((None, *seq.data_shape[1:]), None, None, None)
        name = f"'{seq.layer.name}'" if seq.layer.name else "the Sequential model"
        reason = f"{name} declares no input shape (no input_shape=, Input or build())"
        # The first layer still fixes the rank: channels (and Resizing sizes) are followed.
        first_class = first.layer.class_name if isinstance(first, LayerValue) else ""
        rank = expected_input_rank(first_class)
        node = self._input_node((None,) * rank if rank else None, reason, None, None)
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
            if isinstance(value, LayerValue):
                return self.apply_layer(value.layer, TensorValue(previous), None).node
            if isinstance(value, SequentialValue):
                if id(value) in active:
                    return self._opaque("a Sequential that contains itself", previous)
                self._materialise(value, active)
                return self.apply_layer(value.layer, TensorValue(previous), None).node
            if isinstance(value, ModelValue):
                return self.apply_layer(value.layer, TensorValue(previous), None).node
            if isinstance(value, InstanceValue) and value.cls.keras_base:
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

    def _explore_uncalled(self) -> None:
        """Code defined but never called still builds models: run it with unknown arguments."""
        for cls in list(self.classes):
            if cls.keras_base and not cls.instantiated:
                self.instantiate(cls, _unknown_args(cls.methods.get("__init__"), 1), {}, None)
        for instance in list(self.instances):
            if instance.cls.keras_base and not instance.called and "call" in instance.cls.methods:
                name = instance.cls.node.name
                reason = f"the input shape of {name} is only set when the model is called"
                node = self._input_node(None, reason, None, None)
                self.call_instance(instance, [TensorValue(node)], {}, None)
        for cls in list(self.classes):
            if cls.keras_base:
                continue
            plain: InstanceValue | None = None
            for name, method in cls.methods.items():
                if method.called or name.startswith("__"):
                    continue
                plain = plain or self._any_instance(cls)
                self.invoke(method, [plain, *_unknown_args(method, 1)], {}, None)
        index = 0
        while index < len(self.functions):  # functions defined while exploring join the list
            function = self.functions[index]
            index += 1
            if not function.called:
                self.invoke(function, _unknown_args(function, 0), {}, None)

    def _any_instance(self, cls: ClassValue) -> InstanceValue:
        """An instance the file made (its attributes are known), else a fresh one."""
        for instance in self.instances:
            if instance.cls is cls:
                return instance
        return self.instantiate(cls, _unknown_args(cls.methods.get("__init__"), 1), {}, None)

    # ----------------------------------------------------------------- helpers

    def _tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _OutOfBudget

    def _truth(self, value: Any) -> bool | None:
        if _is_plain(value):
            try:
                return bool(value)
            except Exception:
                return None
        if isinstance(value, ListValue):
            return bool(value.items)
        return None

    def _concrete_items(self, value: Any) -> list[Any] | None:
        if isinstance(value, tuple):
            return list(value)
        if isinstance(value, ListValue):
            return list(value.items)
        if isinstance(value, RangeValue):
            return list(value.values)
        if isinstance(value, dict):
            return list(value)
        if isinstance(value, str) and len(value) <= MAX_UNROLL:
            return list(value)
        return None

    def _span(self, expr: ast.AST) -> SourceSpan:
        line = expr.lineno  # type: ignore[attr-defined]
        end_line = expr.end_lineno or line  # type: ignore[attr-defined]
        return SourceSpan(
            line=line,
            column=self._column(line, expr.col_offset) + 1,  # type: ignore[attr-defined]
            end_line=end_line,
            end_column=self._column(end_line, expr.end_col_offset or 0) + 1,  # type: ignore[attr-defined]
            cell=self.cell,
        )

    def _column(self, line: int, byte_offset: int) -> int:
        """ast columns count UTF-8 bytes; findings count characters."""
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            if not text.isascii():
                return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))
        return byte_offset


class BuiltinRef:
    """A Python builtin the interpreter models (range, len, int, ...)."""

    def __init__(self, name: str, fn: Callable[[Interpreter, list[Any], dict[str, Any]], Any]):
        self.name = name
        self.fn = fn


class RangeValue:
    def __init__(self, values: range) -> None:
        self.values = values


BUILTINS_REF: dict[str, Any] = {}


def _install_builtins() -> None:
    for name, fn in BUILTINS.items():
        BUILTINS_REF[name] = BuiltinRef(name, fn)
    BUILTINS_REF["range"] = BuiltinRef("range", _range)
    BUILTINS_REF["True"] = True
    BUILTINS_REF["False"] = False
    BUILTINS_REF["None"] = None


def _range(interp: Interpreter, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not args or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return Unknown("a range() over values not known statically")
    try:
        values = range(*args[:3])
    except (TypeError, ValueError):
        return Unknown("an invalid range()")
    if len(values) > MAX_UNROLL:
        return Unknown("a range() too long to follow")
    return RangeValue(values)


_install_builtins()


# --------------------------------------------------------------------- value helpers


def _scope_ref(scope: Scope) -> Scope:
    return scope


def _unpacked(target: ast.expr, line: int) -> Unknown:
    """Why a name assigned by unpacking (`rows, cols = X.shape[1:]`) is unknown, as a clause."""
    name = f"'{_dotted(target)}'" if isinstance(target, ast.Name | ast.Attribute) else "a name"
    return Unknown(f"{name} is unpacked (line {line}) from a value only known at run time")


def _attribute_bag(receiver: Any) -> AttributeBag | None:
    """A bag for literal attributes set on a run-time object (`wandb.config`), else None."""
    if isinstance(receiver, Unknown):
        return AttributeBag(receiver.reason)
    if isinstance(receiver, Ref) and keras_names.classify(receiver.qualname) is None:
        return AttributeBag(f"'{receiver.qualname}' is only known at run time")
    return None


def _defining_scope(scope: Scope, name: str) -> Scope:
    """The scope that holds `name` (the innermost one when no scope does)."""
    found: Scope | None = scope
    while found is not None:
        if name in found.vars:
            return found
        found = found.parent
    return scope


def _as_load(target: ast.expr) -> ast.expr:
    return target


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if _is_plain(a) and _is_plain(b):
        try:
            return type(a) is type(b) and bool(a == b)
        except Exception:
            return False
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_plain(value: Any) -> bool:
    """A Python constant (possibly a tuple of constants)."""
    if value is None or isinstance(value, int | float | str | bool | complex | bytes):
        return True
    if isinstance(value, tuple):
        return all(_is_plain(v) for v in value)
    return False


def _hashable(value: Any) -> bool:
    return _is_plain(value)


def _unary(op: ast.unaryop, operand: Any) -> Any:
    if isinstance(op, ast.Not):
        return (not operand) if _is_plain(operand) else Unknown("a negation")
    if _is_number(operand):
        if isinstance(op, ast.USub):
            return -operand
        if isinstance(op, ast.UAdd):
            return operand
        if isinstance(op, ast.Invert) and isinstance(operand, int):
            return ~operand
    return operand if isinstance(operand, Unknown) else Unknown("a unary operation")


def _unknown_from(left: Any, right: Any, what: str) -> Unknown:
    for value in (left, right):
        if isinstance(value, Unknown):
            return value
    return Unknown(what)


def _slice(value: tuple[Any, ...] | str, index: slice) -> Any:
    parts = (index.start, index.stop, index.step)
    if not all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
        return None
    return value[index]


def _index_array(array: ArrayValue, index: Any) -> Any:
    """`x[..., None]`, `x[:, :, :, np.newaxis]`: shapes that add an axis."""
    items = index if isinstance(index, tuple) else (index,)
    if not all(i is None or i is Ellipsis or isinstance(i, slice) for i in items):
        return Unknown("an indexed array")
    if any(isinstance(i, slice) and (i.start, i.stop, i.step) != (None, None, None) for i in items):
        return Unknown("a sliced array")
    shape = list(array.shape)
    if Ellipsis in items:
        pos = items.index(Ellipsis)
        before, after = items[:pos], items[pos + 1 :]
        explicit = sum(1 for i in before + after if i is not None)
        middle = len(shape) - explicit
        if middle < 0:
            return Unknown("an indexed array")
        expanded = [*before, *([slice(None)] * middle), *after]
    else:
        expanded = list(items) + [slice(None)] * (len(shape) - sum(i is not None for i in items))
    result, dim = [], 0
    for item in expanded:
        if item is None:
            result.append(1)
        else:
            if dim >= len(shape):
                return Unknown("an indexed array")
            result.append(shape[dim])
            dim += 1
    return ArrayValue(tuple(result))


def _reshape_array(array: ArrayValue, target: Any) -> Any:
    if isinstance(target, ListValue):
        target = tuple(target.items)
    if isinstance(target, int):
        target = (target,)
    if not isinstance(target, tuple) or not all(isinstance(t, int) for t in target):
        return Unknown("a reshape whose target is not known statically")
    total = 1
    for dim in array.shape:
        total *= dim
    known = 1
    for dim in target:
        if dim != -1:
            known *= dim
    if target.count(-1) == 1 and known:
        target = tuple(total // known if d == -1 else d for d in target)
    return ArrayValue(target)


_ELEMENTWISE = frozenset(
    {
        "abs", "exp", "log", "log1p", "sqrt", "square", "rsqrt", "sign", "negative",
        "relu", "relu6", "elu", "selu", "gelu", "sigmoid", "tanh", "softplus", "swish",
        "cast", "clip", "clip_by_value", "maximum", "minimum", "pow", "power", "round",
        "floor", "ceil", "add", "subtract", "multiply", "divide", "truediv", "l2_normalize",
        "stop_gradient", "identity", "float32",
    }
)  # fmt: skip


def _elementwise_lambda(node: ast.expr) -> bool:
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


def _set_item(items: list[Any], index: int, value: Any) -> None:
    if -len(items) <= index < len(items):
        items[index] = value


def _list_method(receiver: ListValue, name: str, args: list[Any]) -> Any:
    if name == "append" and args:
        receiver.items.append(args[0])
    elif name == "extend" and args:
        if isinstance(args[0], ListValue):
            receiver.items.extend(args[0].items)
        elif isinstance(args[0], tuple):
            receiver.items.extend(args[0])
        else:
            receiver.items.append(Unknown("items added by extend() are not known statically"))
    elif name == "insert" and len(args) == 2 and isinstance(args[0], int):
        receiver.items.insert(args[0], args[1])
    elif name == "pop" and receiver.items:
        return receiver.items.pop()
    elif name == "copy":
        return ListValue(list(receiver.items))
    return None


def _config_value(value: Any) -> Any:
    """A value as it would appear in the layer's get_config()."""
    if isinstance(value, ListValue):
        return tuple(_config_value(v) for v in value.items)
    if isinstance(value, tuple):
        return tuple(_config_value(v) for v in value)
    if isinstance(value, LayerValue):
        return {"class_name": value.layer.class_name, "config": value.layer.config}
    if isinstance(value, RangeValue):
        return tuple(value.values)
    if _is_plain(value) or isinstance(value, Unknown | dict):
        return value
    if isinstance(value, Ref):
        return value.qualname.rsplit(".", 1)[-1]
    return Unknown("a value that is not a constant")


def _declared(
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
            elif dim is not None:
                reason = reason or "a dimension of the input shape is not a number"
    if with_batch:
        return tuple(dims), reason
    return (batch, *dims), reason


def _declared_from_config(config: dict[str, Any]) -> tuple[Shape | None, str | None]:
    """The input shape a first layer declares (`input_shape=`, `batch_input_shape=`...)."""
    for key in ("batch_input_shape", "batch_shape"):
        if key in config:
            return _declared(config[key], with_batch=True)
    if "input_shape" in config:
        batch = config.get("batch_size")
        return _declared(config["input_shape"], batch=batch if isinstance(batch, int) else None)
    declared = legacy.declared_input_shape(config)
    return declared, None


def _tensor_nodes(value: Any) -> list[Node] | None:
    if isinstance(value, TensorValue):
        return [value.node]
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, dict):
        value = tuple(value.values())
    if isinstance(value, tuple) and value and all(isinstance(v, TensorValue) for v in value):
        return [v.node for v in value]
    return None


def _ancestors(outputs: list[Node], order: list[Node]) -> list[Node]:
    seen: set[int] = set()
    stack = list(outputs)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(node.inputs)
    return [node for node in order if id(node) in seen]


def _is_input_item(value: Any) -> bool:
    if isinstance(value, TensorValue):
        return True
    return isinstance(value, LayerValue) and value.layer.class_name == "InputLayer"


def _uncertain_reason(layer: Layer, line: int) -> str:
    where = f" (line {line})" if line else ""
    return (
        f"'{layer.display_name}' is added under a condition or inside a loop{where}, so the "
        "shapes after it are not known statically"
    )


def _unknown_args(function: FunctionValue | None, skip: int) -> list[Any]:
    if function is None:
        return []
    spec = function.node.args
    positional = [*spec.posonlyargs, *spec.args][skip:]
    required = positional[: len(positional) - len(spec.defaults)] if spec.defaults else positional
    return [Unknown(f"'{a.arg}' is a parameter of {function.qualname}()") for a in required]


def _dotted(expr: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return ""


def _short(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


def iter_nodes(graph: Graph) -> Iterator[Node]:
    yield from graph.nodes


def _too_costly(op: ast.operator, left: Any, right: Any) -> bool:
    """True when computing `left op right` would take unbounded time or memory.

    `10**10**10`, `1 << 10**9` and `"a" * 10**9` are cheap to write and ruinous to evaluate;
    their results are never a layer size we could use anyway.
    """
    if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int):
        return abs(left) > 1 and right * max(abs(left).bit_length(), 1) > 256
    if isinstance(op, ast.LShift) and isinstance(right, int):
        return right > 256
    if isinstance(op, ast.Mult):
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | tuple | list) and isinstance(count, int):
                return len(seq) * count > MAX_ITEMS
    return False
