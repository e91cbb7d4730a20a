"""Calls in the abstract evaluator: functions, classes and objects the file defines, with
bounded recursion, and the hooks through which a frontend calls its framework's objects.

`Calls` is a mixin of `evaluator.Evaluator`, which provides `eval` and `exec_block`.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from kerasfix.frontends.source.array_constructors import array_from_call
from kerasfix.frontends.source.builtins_model import (
    LIBRARY_FUNCTIONS,
    NUMPY_FUNCTIONS,
    BuiltinRef,
)
from kerasfix.frontends.source.class_attributes import is_static
from kerasfix.frontends.source.exploration_focus import code_names, worth_exploring
from kerasfix.frontends.source.label_values import with_distinct
from kerasfix.frontends.source.paths import Paths
from kerasfix.frontends.source.scopes import Break, Continue, Return, Scope
from kerasfix.frontends.source.value_ops import call_method, concrete_items
from kerasfix.frontends.source.values import (
    BoundMethod,
    ClassValue,
    FunctionValue,
    InstanceValue,
    ListValue,
    PartialValue,
    Ref,
    Unknown,
)
from kerasfix.limits import MAX_CALL_DEPTH

# List methods that add items: in a loop of unknown length, the list's length is unknown.
GROWING = frozenset({"append", "extend", "insert"})


class Calls:
    """Calling values: what `f(...)` means for each kind of abstract value."""

    # Types of framework objects whose attributes and calls the subclass defines.
    framework_types: tuple[type, ...] = ()

    if TYPE_CHECKING:
        call_depth: int
        running: list[FunctionValue]
        early_returns: list[list[Any]]
        cell: int | None
        lines: list[str]
        classes: list[ClassValue]
        functions: list[FunctionValue]
        instances: list[InstanceValue]
        paths: Paths

        def eval(self, expr: ast.expr | None, scope: Scope) -> Any: ...
        def exec_block(self, body: list[ast.stmt], scope: Scope) -> None: ...
        def grows_in_loop(self, receiver: ListValue) -> bool: ...

    def call_ref(self, func: Ref, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
        """Call an imported name: NumPy/TensorFlow array constructors and helpers."""
        qualname = func.qualname
        array = array_from_call(qualname, args, kwargs)
        if array is not None:
            return with_distinct(array, qualname, args, kwargs)
        library_fn = LIBRARY_FUNCTIONS.get(qualname)
        if library_fn is not None:
            return library_fn(args, kwargs)
        leaf = qualname.rsplit(".", 1)[-1]
        numpy_fn = NUMPY_FUNCTIONS.get(leaf)
        if numpy_fn is not None and qualname.split(".")[0] in ("numpy", "np"):
            return numpy_fn(args, kwargs)
        return Unknown(f"the result of {leaf}() is only known at run time")

    def call_framework(
        self, func: Any, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        """Call a framework object (an instance of one of `framework_types`)."""
        return Unknown(f"the result of a call at line {expr.lineno}")

    def _call_expr(self, expr: ast.Call, scope: Scope) -> Any:
        inherited = self._super_method(expr, scope)
        func = inherited if inherited is not None else self.eval(expr.func, scope)
        args: list[Any] = []
        args_complete = True
        for arg in expr.args:
            value = self.eval(arg, scope)
            if isinstance(arg, ast.Starred):
                spread = concrete_items(value)
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

    def _super_method(self, expr: ast.Call, scope: Scope) -> PartialValue | BoundMethod | None:
        """`super().m(...)` / `super(C, self).m(...)` in a method of a class the file
        defines: `m` of a base class the project defines, bound to the instance, or the
        framework object's `m` (None for anything else)."""
        func = expr.func
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name)
            and func.value.func.id == "super"
            and self.running
        ):
            return None
        method = self.running[-1]
        owner = next((c for c in self.classes if method in c.methods.values()), None)
        positional = [*method.node.args.posonlyargs, *method.node.args.args]
        if owner is None or not positional:
            return None
        instance = scope.vars.get(positional[0].arg)
        if not isinstance(instance, InstanceValue):
            return None
        bases = (c for c in owner.ancestry() if c is not owner and func.attr in c.methods)
        base = next(bases, None)
        if base is None and instance.framework is not None:  # `super().__init__(layers)`
            return BoundMethod(instance.framework, func.attr)
        return PartialValue(base.methods[func.attr], [instance], {}) if base else None

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
            return self.call_ref(func, args, kwargs, expr)
        if isinstance(func, PartialValue):
            merged = {**func.kwargs, **kwargs}
            return self.call(func.func, [*func.args, *args], merged, expr, complete)
        if isinstance(func, BuiltinRef):
            return func.fn(self, args, kwargs)
        if isinstance(func, FunctionValue):
            return self.invoke(func, args, kwargs, expr)
        if isinstance(func, ClassValue):
            return self.instantiate(func, args, kwargs, expr)
        if isinstance(func, self.framework_types):
            return self.call_framework(func, args, kwargs, expr)
        if isinstance(func, InstanceValue):
            return self.call_instance(func, args, kwargs, expr)
        if isinstance(func, BoundMethod):
            return self.call_method(func, args, kwargs, expr)
        if isinstance(func, Unknown):
            return self.call_unknown(func, args, kwargs, expr)
        return Unknown(f"the result of a call at line {expr.lineno}")

    def call_unknown(
        self, func: Unknown, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        """Call a value not known statically: its result is not known either."""
        return func

    def call_method(
        self, method: BoundMethod, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        receiver, name = method.receiver, method.name
        if isinstance(receiver, InstanceValue):
            function = receiver.cls.lookup(name)
            if function is not None:
                bound = [] if is_static(function.node) else [receiver]
                return self.invoke(function, [*bound, *args], kwargs, expr)
            return Unknown(f"method {name}()")
        if isinstance(receiver, ListValue) and name in GROWING and self.grows_in_loop(receiver):
            receiver.open_ended = True
        return call_method(receiver, name, args)

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
        local = Scope(parent=function.scope)  # type: ignore[arg-type]
        self._bind_arguments(function, args, kwargs, local)
        self.call_depth += 1
        self.running.append(function)
        self.early_returns.append([])
        # Positions inside the body belong to the cell (and lines) the function was written in.
        saved_place = self.cell, self.lines
        self.cell, self.lines = function.cell, function.lines
        value: Any = None
        try:
            self.exec_block(function.node.body, local)
        except Return as result:
            value = result.value
        except (Break, Continue):
            pass
        finally:
            self.call_depth -= 1
            self.running.pop()
            early = self.early_returns.pop()
            self.cell, self.lines = saved_place
        # A guard's early result (`return None, None`, kept by evaluator._branches while the
        # other branches went on) is not the function's one result: the value the body
        # reaches wins, unless that is None.
        return value if value is not None or not early else early[0]

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
        instance = InstanceValue(cls, framework=self.framework_object(cls, expr))
        self.instances.append(instance)
        init = cls.lookup("__init__")
        if init is not None:
            self.invoke(init, [instance, *args], kwargs, expr)
        return instance

    def framework_object(self, cls: ClassValue, expr: ast.AST | None) -> Any:
        """The framework object a new instance of `cls` is (None: a plain instance)."""
        return None

    def call_instance(
        self, instance: InstanceValue, args: list[Any], kwargs: dict[str, Any], expr: ast.AST | None
    ) -> Any:
        """Call an object of a class the file defines: its `__call__`."""
        method = self.call_method_of(instance) or instance.cls.lookup("__call__")
        if method is None:
            return Unknown(f"calling a {instance.cls.node.name} object")
        instance.called = True
        return self.invoke(method, [instance, *args], kwargs, expr)

    def call_method_of(self, instance: InstanceValue) -> FunctionValue | None:
        """The method a framework runs before `__call__` (Keras: `call`), if any."""
        return None

    def explore_uncalled_code(self) -> None:
        """Code defined but never called still builds models: run it with unknown arguments.

        Plain classes' methods, a framework class's own helper methods (a `Model`
        subclass's `build_train_model(self, img_size=300)` that fills `self.model`; the
        framework's protocol methods are the subclass's: it knows how they are built and
        called), then plain functions."""
        for cls in list(self.classes):
            plain: InstanceValue | None = None
            for name, method in cls.methods.items():
                if method.called or (name.startswith("__") and name != "__call__"):
                    continue
                if not worth_exploring(method.node):
                    continue
                if cls.framework_base and (
                    name in FRAMEWORK_PROTOCOL
                    or not (_spells_flatten(method) or _runs_protocol(method))
                ):
                    continue
                plain = plain or self._any_instance(cls)
                if is_static(method.node):
                    self.invoke(method, unknown_args(method, 0), {}, None)
                else:
                    self.invoke(method, [plain, *unknown_args(method, 1)], {}, None)
            init = cls.methods.get("__init__")  # `TrainerCNN` builds its model in __init__
            unmade = plain is None and not cls.framework_base and init is not None
            if unmade and not init.called and _spells_flatten(init) and worth_exploring(init.node):
                self._any_instance(cls)
        index = 0
        while index < len(self.functions):  # functions defined while exploring join the list
            function = self.functions[index]
            index += 1
            if not function.called and worth_exploring(function.node):
                before = self.framework_mark()
                self.paths.new_call()
                self.explored_result(self.invoke(function, unknown_args(function, 0), {}, None))
                # A builder's `if aux_logits:` branches build layers too, when turned on.
                flipped = flipped_flags(function) if self.framework_mark() != before else {}
                if flipped:
                    self.paths.new_call()
                    self.invoke(function, unknown_args(function, 0), flipped, None)

    def explored_result(self, result: Any) -> None:
        """What an uncalled function explored returns (the framework may keep it)."""

    def explore_untaken_flags(self, made: set[tuple[int | None, int]]) -> None:
        """Run again, with the flag flipped, what the file calls only with a flag one way.

        `Network(False)` skips the `if learn:` branch that builds and trains the model: the
        author turns it on elsewhere (a commented-out call, another script), so a model
        spelled in the file is still analysed. Only a function whose calls made no layer
        at all (`made`: the (cell, line) of every layer made) is run again: a builder
        called with `aux_logits=False` built its model, and the file chose that model. A
        Flatten in the `else:` of a flag every call turned on is run with the flag off."""
        for owner, function in self._defined_functions():
            if not function.called:
                continue  # explored already (explore_uncalled_code)
            flags = untaken_flags(function, made)
            if not flags:
                continue
            self.paths.new_call()
            if owner is None:
                self.invoke(function, [], flags, None)
            elif function.node.name == "__init__":
                self.instantiate(owner, [], flags, None)
            else:
                self.invoke(function, [self._any_instance(owner)], flags, None)

    def _defined_functions(self) -> list[tuple[ClassValue | None, FunctionValue]]:
        """Every function and method the file defines, with the class of each method."""
        found: list[tuple[ClassValue | None, FunctionValue]] = [(None, f) for f in self.functions]
        for cls in self.classes:
            found += [(cls, m) for m in cls.methods.values() if m.node in cls.node.body]
        return found

    def _any_instance(self, cls: ClassValue) -> InstanceValue:
        """An instance the file made (its attributes are known), else a fresh one."""
        for instance in self.instances:
            if instance.cls is cls:
                return instance
        return self.instantiate(cls, unknown_args(cls.lookup("__init__"), 1), {}, None)


# Methods a framework calls itself (Keras: the layer/model protocol), run by the subclass.
FRAMEWORK_PROTOCOL = frozenset(
    {"call", "build", "compute_output_shape", "compute_output_spec", "get_config",
     "from_config", "train_step", "test_step", "predict_step", "compute_loss",
     "compute_mask", "get_build_config", "build_from_config"}
)  # fmt: skip


def _spells_flatten(method: FunctionValue) -> bool:
    """Whether a method's code names `Flatten`: the framework class helpers worth running
    unasked (a model zoo's Layer subclasses have dozens of others, which took the sweep's
    p99 per file from 0.21 to 0.47 s when all were run)."""
    return "Flatten" in code_names(method.node)


def _names_flatten(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "Flatten") or (
        isinstance(node, ast.Attribute) and node.attr == "Flatten"
    )


def _runs_protocol(method: FunctionValue) -> bool:
    """Whether a helper calls the class's own protocol method on something (`return
    Model(inputs=self.input_layer, outputs=self.call(self.input_layer))`): it builds the
    model at the size it gives (heldout10: a notebook's `BaselineModel.model()`)."""
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in FRAMEWORK_PROTOCOL
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
        for node in ast.walk(method.node)
    )


def unknown_args(function: FunctionValue | None, skip: int) -> list[Any]:
    """Unknown values for a function's required parameters (after the first `skip`)."""
    if function is None:
        return []
    spec = function.node.args
    positional = [*spec.posonlyargs, *spec.args][skip:]
    required = positional[: len(positional) - len(spec.defaults)] if spec.defaults else positional
    return [Unknown(f"'{a.arg}' is a parameter of {function.qualname}()") for a in required]


def untaken_flags(function: FunctionValue, made: set[tuple[int | None, int]]) -> dict[str, bool]:
    """The parameters `p` whose `if p:` body holds a Flatten call, each set to True, when
    no layer was made inside the function; and those whose `else:` holds a Flatten no call
    reached (every call passed `patchgan=True`: the discriminator's flat head), set to
    False."""
    first, last = function.node.lineno, function.node.end_lineno or function.node.lineno

    def unmade(start: int, end: int) -> bool:
        return not any(cell == function.cell and start <= line <= end for cell, line in made)

    spec = function.node.args
    params = {a.arg for a in (*spec.posonlyargs, *spec.args, *spec.kwonlyargs)}
    flags: dict[str, bool] = {}
    for node in ast.walk(function.node):
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Name)):
            continue
        if node.test.id not in params or node.test.id in flags:
            continue
        if unmade(first, last) and _holds_flatten(node.body):
            flags[node.test.id] = True
        elif node.orelse and _holds_flatten(node.orelse):
            start, end = node.orelse[0].lineno, node.orelse[-1].end_lineno or last
            if unmade(start, end):
                flags[node.test.id] = False
    return flags


def _holds_flatten(body: list[ast.stmt]) -> bool:
    calls = (n for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Call))
    return any(_names_flatten(call.func) for call in calls)


def flipped_flags(function: FunctionValue) -> dict[str, bool]:
    """The optional features a function turns on with `if flag:` (a parameter defaulting to
    False), all set to True: a builder nobody calls in the file (`GoogLeNet(...,
    aux_logits=False)`) is explored once more with those branches built. Flags defaulting
    to True (`include_top`) describe the standard model and are left alone."""
    flags = {name for name, value in function.defaults.items() if value is False}
    if not flags:
        return {}
    return {
        node.test.id: True
        for node in ast.walk(function.node)
        if isinstance(node, ast.If | ast.IfExp)
        and isinstance(node.test, ast.Name)
        and node.test.id in flags
    }
