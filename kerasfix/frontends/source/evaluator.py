"""A small abstract evaluator for Python: statements, expressions, scopes, branch joins.

It walks a module's statements in order, the way Python would, but computes abstract
values: constants where the file determines them and `Unknown` (with a reason) for
everything else. Nothing is imported or executed. Control flow the file does not decide
(an `if` on a runtime value, a loop over data) is followed conservatively: both branches
are explored and values that differ become unknown.

It knows Python, not any framework: a frontend subclasses `Evaluator` and fills in the
hooks (what an imported name calls, what a framework object's attributes and calls mean,
which classes are framework bases). `interpreter.Interpreter` is the Keras one.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kerasfix.frontends.source.builtins_model import BUILTIN_NAMES, STDLIB_CONSTANTS
from kerasfix.frontends.source.calls import Calls
from kerasfix.frontends.source.class_attributes import class_attribute
from kerasfix.frontends.source.file_handles import FileHandle
from kerasfix.frontends.source.handlers import may_build
from kerasfix.frontends.source.paths import Decision, Paths, if_decision, match_decision
from kerasfix.frontends.source.scopes import (
    MISSING,
    Break,
    Continue,
    OutOfBudget,
    Return,
    Scope,
)
from kerasfix.frontends.source.value_ops import (
    CMPOPS,
    arithmetic,
    attribute,
    concrete_items,
    is_plain,
    same,
    set_subscript,
    subscript,
    truth,
    unary,
)
from kerasfix.frontends.source.values import (
    NO_CONSTANT,
    AttributeBag,
    AutoLayerName,
    BoundMethod,
    ClassValue,
    FunctionValue,
    InstanceValue,
    ListValue,
    Ref,
    Unknown,
    list_serial_mark,
)
from kerasfix.frontends.source.windows import LoopIndex
from kerasfix.graph.model import SourceSpan
from kerasfix.limits import MAX_STEPS


class Evaluator(Calls):
    """Runs one file (or a notebook's cells, one after another) over abstract values."""

    # Methods framework base classes give their subclasses (looked up on instances).
    inherited_methods: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.globals = Scope(exports=self.exported_by_star)
        self.globals.vars["__name__"] = "__main__"
        self.functions: list[FunctionValue] = []
        self.classes: list[ClassValue] = []
        self.instances: list[InstanceValue] = []
        self.lines: list[str] = []
        self.cell: int | None = None
        self.steps = 0
        self.conditional: list[int] = []  # lines of the undecided if/loop we are inside
        self.call_depth = 0
        self.running: list[FunctionValue] = []  # functions being evaluated, outermost first
        # Per running function: what merged branches returned while another branch went on
        # (`if processed_count == 0: return None, None`), kept for the function's result.
        self.early_returns: list[list[Any]] = []
        self.unrolling = 0  # loops spelled out iteration by iteration, innermost last
        self.exhausted = False
        self.paths = Paths()  # this run's choices at conditions the file does not decide
        self._decisions: dict[int, Decision] = {}  # id(if/match node) -> its Decision
        # Names a file keeps on an imported module (`tf.model = Sequential()`), by qualname.
        self.module_attributes: dict[str, Any] = {}
        # Per loop run once for its unknown iterations, innermost last: the list serial
        # mark at its start (a list made before it and appended to in it is open-ended).
        self.loop_marks: list[int] = []

    # ----------------------------------------------------------------- hooks

    def exported_by_star(self, qualname: str) -> bool:
        """Whether `from m import *` defines this name (`qualname` is `m.name`)."""
        return False

    def join(self, values: list[Any], reason: str) -> Any:
        """What differing values of one name after undecided branches have in common that
        the frontend knows (None: nothing, the name becomes unknown, for `reason`)."""
        return None

    def bag_attributes_of(self, qualname: str) -> bool:
        """Whether literal attributes set on this imported object are remembered."""
        return True

    def base_kind(self, base: Any) -> str | None:
        """What a class base means to the framework ("model", "layer"), else None."""
        return None

    def framework_mark(self) -> int:
        """A count that grows when the framework builds something (the interpreter: graph
        nodes), so exploration can tell a builder from plain code."""
        return 0

    def framework_attribute(self, value: Any, attr: str) -> Any:
        """An attribute of a framework object (an instance of one of `framework_types`)."""
        return Unknown(f"attribute '{attr}'")

    def import_project(self, stmt: ast.Import | ast.ImportFrom, scope: Scope) -> bool:
        """Bind what `stmt` imports from the project's other files; False when it imports
        none (project_imports.ProjectImports reads them)."""
        return False

    def world_mark(self) -> int:
        """A count that grows when code builds anything for the framework (a layer made,
        called or added): branches that change it are worth a world each (paths.py)."""
        return self.framework_mark()

    # ----------------------------------------------------------------- entry point

    def run_module(self, tree: ast.Module, lines: list[str], cell: int | None = None) -> None:
        self.lines, self.cell = lines, cell
        try:
            self.exec_block(tree.body, self.globals)
        except OutOfBudget:
            self.exhausted = True
        except (Return, Break, Continue):
            pass

    # ----------------------------------------------------------------- statements

    def exec_block(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt: ast.stmt, scope: Scope) -> None:
        self.tick()
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
            current = self.eval(stmt.target, scope)
            value = self.binop(stmt.op, current, self.eval(stmt.value, scope), stmt)
            self.assign(stmt.target, value, scope)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            self._import(stmt, scope)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            self._define_function(stmt, scope)
        elif isinstance(stmt, ast.ClassDef):
            self._define_class(stmt, scope)
        elif isinstance(stmt, ast.Return):
            raise Return(self.eval(stmt.value, scope) if stmt.value else None)
        elif isinstance(stmt, ast.If):
            self._exec_if(stmt, scope)
        elif isinstance(stmt, ast.Assert):
            self._narrow(stmt.test, True, scope)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            self._exec_for(stmt, scope)
        elif isinstance(stmt, ast.While):
            self.undecided_loop(stmt.lineno, lambda: self._loop_body(stmt.body, scope))
            self.exec_block(stmt.orelse, scope)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                entered = self.eval(item.context_expr, scope)
                if item.optional_vars is not None:
                    # `with open("X.pickle", "wb") as f`: the handle names its file
                    handle = entered if isinstance(entered, FileHandle) else None
                    self.assign(item.optional_vars, handle or Unknown("a `with` target"), scope)
            self.exec_block(stmt.body, scope)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.exec_block(stmt.body, scope)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if may_build(handler):
                    self._exec_handler(handler, scope)
            self.exec_block(stmt.orelse, scope)  # type: ignore[attr-defined]
            self.exec_block(stmt.finalbody, scope)  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Match):
            self._exec_match(stmt, scope)
        elif isinstance(stmt, ast.Break):
            raise Break
        elif isinstance(stmt, ast.Continue):
            raise Continue

    def _exec_handler(self, handler: ast.ExceptHandler, scope: Scope) -> None:
        """An `except` block that may build a model: run as code the file may run, from the
        state the `try` body left; what it assigns here is dropped, so the body's values go
        on (the layers it made stay in the graph and are checked)."""
        saved = dict(scope.vars)
        if handler.name:
            scope.vars[handler.name] = Unknown(f"an exception (line {handler.lineno})")
        try:
            self.undecided(handler.lineno, lambda: self.exec_block(handler.body, scope))
        except Return:
            pass  # the handler's result is not the function's: the body's path goes on
        finally:
            scope.vars.clear()
            scope.vars.update(saved)

    def _exec_if(self, stmt: ast.If, scope: Scope) -> None:
        test = truth(self.eval(stmt.test, scope))
        if test is True:
            self.exec_block(stmt.body, scope)
            self.note_untaken(stmt.orelse, stmt.lineno, scope)
        elif test is False:
            self.exec_block(stmt.orelse, scope)
            self.note_untaken(stmt.body, stmt.lineno, scope)
        else:
            self._alternatives(self._decision(stmt), [stmt.body, stmt.orelse], scope, stmt.test)

    def note_untaken(self, body: list[ast.stmt], line: int, scope: Scope) -> None:
        """A branch the file decides not to take (the interpreter may run it later)."""

    def _exec_match(self, stmt: ast.Match, scope: Scope) -> None:
        """`match`: the case the subject takes when it is known (literal patterns and
        wildcards), else each case as an alternative."""
        subject = self.eval(stmt.subject, scope)
        for case in stmt.cases:
            taken = self._case_taken(subject, case, scope)
            if taken is None:
                break
            if taken:
                self.exec_block(case.body, scope)
                return
        else:
            return  # no case matches
        decision = self._decision(stmt)
        bodies = [case.body for case in stmt.cases]
        bodies += [[]] * (len(decision.labels) - len(bodies))
        self._alternatives(decision, bodies, scope)

    def _case_taken(self, subject: Any, case: ast.match_case, scope: Scope) -> bool | None:
        pattern = case.pattern
        if case.guard is not None:
            return None
        if isinstance(pattern, ast.MatchAs) and pattern.pattern is None:
            if pattern.name is not None:
                scope.vars[pattern.name] = subject
            return True
        values = pattern.patterns if isinstance(pattern, ast.MatchOr) else [pattern]
        if not all(isinstance(v, ast.MatchValue) for v in values) or not is_plain(subject):
            return None
        literals = [self.eval(v.value, scope) for v in values]  # type: ignore[attr-defined]
        if not all(is_plain(v) for v in literals):
            return None
        return subject in literals

    def _decision(self, node: ast.If | ast.IfExp | ast.Match) -> Decision:
        """The node's Decision, made once (its text is unparsed only the first time)."""
        decision = self._decisions.get(id(node))
        if decision is None:
            is_match = isinstance(node, ast.Match)
            decision = match_decision(node) if is_match else if_decision(node)  # type: ignore[arg-type]
            self._decisions[id(node)] = decision
        return decision

    def _alternatives(
        self,
        decision: Decision,
        bodies: list[list[ast.stmt]],
        scope: Scope,
        test: ast.expr | None = None,
    ) -> None:
        """Branches the file does not decide: this world's branch, else all of them merged."""
        self.paths.reach(decision)
        frame = id(self.running[-1]) if self.running else 0
        chosen = self.paths.choose(decision, bool(self.conditional), frame)
        if chosen is None:
            self._branches(decision.line, bodies, scope, decision)
        else:
            if test is not None:
                self._narrow(test, chosen == 0, scope)
            self.exec_block(bodies[chosen], scope)

    def _narrow(self, test: ast.expr, holds: bool, scope: Scope) -> None:
        """A world that took `if fmt == "channels_first":` (or passed `assert fmt ==
        "channels_last"`) knows `fmt`: an unknown local name compared with a constant takes
        that constant (`==` that holds, `!=` that does not)."""
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            return
        equal = isinstance(test.ops[0], ast.Eq) and holds
        equal = equal or (isinstance(test.ops[0], ast.NotEq) and not holds)
        if not equal:
            return
        left, right = test.left, test.comparators[0]
        if isinstance(left, ast.Constant):
            left, right = right, left
        if not (isinstance(left, ast.Name) and isinstance(right, ast.Constant)):
            return
        if isinstance(scope.vars.get(left.id), Unknown):
            scope.vars[left.id] = right.value

    def _branches(
        self,
        line: int,
        bodies: list[list[ast.stmt]],
        scope: Scope,
        decision: Decision | None = None,
    ) -> None:
        """Run each branch from the same starting state; join what they assign."""
        before = dict(scope.vars)
        outcomes: list[dict[str, Any]] = []
        jumps: list[dict[str, Any]] = []  # branches that left the loop body (continue/break)
        jump: Break | Continue | None = None
        returned: list[Return] = []  # branches that returned
        for body in bodies:
            scope.vars.clear()
            scope.vars.update(before)
            mark = self.world_mark()
            try:
                self.undecided(line, lambda body=body: self.exec_block(body, scope))
            except Return as result:
                if body is not bodies[-1]:
                    self.paths.cut_in.append(self.running[-1] if self.running else None)
                if not _guard_result(result.value):
                    raise  # a real result (a model, a tensor): this branch's value is the call's
                returned.append(result)
                continue
            except (Break, Continue) as left:
                # `else: continue`: the code after the `if` runs for the other branches only
                jump = jump or left
                jumps.append(dict(scope.vars))
                continue
            finally:
                if decision is not None and self.world_mark() != mark:
                    self.paths.note_builds(decision, bool(self.conditional))
            outcomes.append(dict(scope.vars))
        if not outcomes and returned:  # no branch went on: the function ends here
            raise returned[0]
        if not outcomes:  # every branch left the loop body
            outcomes = jumps
        if returned and self.early_returns:  # the other branches go on to the next statement
            self.early_returns[-1].extend(r.value for r in returned)
        elif returned:
            raise returned[0]
        scope.vars.clear()
        for key in set().union(*outcomes):
            values = [outcome.get(key, before.get(key, MISSING)) for outcome in outcomes]
            defined = [v for v in values if v is not MISSING]
            first = defined[0]
            reason = f"'{key}' depends on the condition at line {line}"
            if all(same(first, v) for v in defined[1:]):
                scope.vars[key] = first
            elif (joined := self.join(defined, reason)) is not None:
                scope.vars[key] = joined
            else:
                unknown = Unknown(reason)
                scope.vars[key] = unknown
                if decision is not None:
                    self.paths.note_value_join(decision, unknown, bool(self.conditional))
        if jump is not None and outcomes is jumps:
            raise jump

    def _exec_for(self, stmt: ast.For | ast.AsyncFor, scope: Scope) -> None:
        over = self.eval(stmt.iter, scope)
        iterable = concrete_items(over)
        if iterable is None:
            self._undecided_iterations(stmt, scope, self.element_of(over))
            return
        self.unrolling += len(iterable) > 1  # each iteration a variant (loop_variant)
        start = self.steps
        try:
            for index, item in enumerate(iterable):
                if index and self._unrolling_too_costly(start, index, len(iterable)):
                    self._undecided_iterations(stmt, scope)  # the rest, run once
                    return
                self.assign(stmt.target, item, scope)
                try:
                    self.exec_block(stmt.body, scope)
                except Continue:
                    continue
                except Break:
                    return
        finally:
            self.unrolling -= len(iterable) > 1
        self.exec_block(stmt.orelse, scope)

    def _unrolling_too_costly(self, start: int, done: int, total: int) -> bool:
        """Whether the iterations left, at the cost of those run so far, would take more
        than half the steps this run has left: a preprocessing loop over 48 time slots
        inside a loop over 81 files would spend the whole budget, and the model after it
        would never be read."""
        per_iteration = (self.steps - start) / done
        return per_iteration * (total - done) > (MAX_STEPS - self.steps) / 2

    def _undecided_iterations(
        self, stmt: ast.For | ast.AsyncFor, scope: Scope, element: Any = None
    ) -> None:
        """Iterations the file does not fix, run once: the loop variable is `element` when
        every element is alike and known, else a loop index known only at run time."""

        def body() -> None:
            variable = LoopIndex(f"a loop variable (line {stmt.lineno})")
            self.assign(stmt.target, variable if element is None else element, scope)
            self._loop_body(stmt.body, scope)

        self.undecided_loop(stmt.lineno, body)

    def index(self, value: Any, index: Any) -> Any:
        """`value[index]` (the interpreter slices tensors)."""
        return subscript(value, index)

    def element_of(self, value: Any) -> Any:
        """What each iteration of a loop over `value` binds, when every element is alike
        and known (a framework's datasets); None: a loop variable known only at run time."""
        return None

    def _loop_body(self, body: list[ast.stmt], scope: Scope) -> None:
        with contextlib.suppress(Break, Continue):
            self.exec_block(body, scope)

    def undecided_loop(self, line: int, action: Callable[[], None]) -> None:
        """Run a loop body once for iterations the file does not fix; lists it appends to
        that were made before it become open-ended (their length is not known)."""
        self.loop_marks.append(list_serial_mark())
        try:
            self.undecided(line, action)
        finally:
            self.loop_marks.pop()

    def grows_in_loop(self, receiver: ListValue) -> bool:
        """Whether appending to `receiver` now repeats once per unknown iteration."""
        return bool(self.loop_marks) and receiver.serial <= self.loop_marks[-1]

    def undecided(self, line: int, action: Callable[[], None]) -> None:
        """Run `action` as code the file may or may not run (inside an undecided if/loop)."""
        self.conditional.append(line)
        try:
            action()
        except (Break, Continue):
            pass
        finally:
            self.conditional.pop()

    def assign(self, target: ast.expr, value: Any, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.vars[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            items = concrete_items(value)
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
            elif isinstance(receiver, ClassValue):  # `Cnn.IMG_SZ = img_size`: every reader sees it
                receiver.constants[target.attr] = value
            elif isinstance(receiver, Ref) and self.bag_attributes_of(receiver.qualname):
                # `wandb.config.img_size = 100`, `tf.model = Sequential()`: read back as set
                self.module_attributes[f"{receiver.qualname}.{target.attr}"] = value
            elif isinstance(target.value, ast.Name) and isinstance(receiver, Unknown):
                bag = AttributeBag(receiver.reason)
                bag.attrs[target.attr] = value
                _defining_scope(scope, target.value.id).vars[target.value.id] = bag
        elif isinstance(target, ast.Subscript):
            receiver = self.eval(target.value, scope)
            set_subscript(receiver, self.eval(target.slice, scope), value)

    # ----------------------------------------------------------------- definitions

    def _import(self, stmt: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        if self.import_project(stmt, scope):
            return
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
                qualname = f"{module}.{alias.name}"
                scope.vars[alias.asname or alias.name] = STDLIB_CONSTANTS.get(
                    qualname, Ref(qualname)
                )

    def _define_function(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        function = self._function_value(stmt, scope)
        scope.vars[stmt.name] = function
        self.functions.append(function)

    def _function_value(
        self, stmt: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
    ) -> FunctionValue:
        args = stmt.args
        positional = [*args.posonlyargs, *args.args]
        defaults: dict[str, Any] = {}
        with_defaults = positional[len(positional) - len(args.defaults) :]
        for arg, default in zip(with_defaults, args.defaults, strict=True):
            defaults[arg.arg] = self.eval(default, scope)
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=False):
            if kw_default is not None:
                defaults[arg.arg] = self.eval(kw_default, scope)
        return FunctionValue(
            stmt,
            scope,  # type: ignore[arg-type]
            defaults,
            stmt.name,
            cell=self.cell,
            lines=self.lines,
        )

    def _define_class(self, stmt: ast.ClassDef, scope: Scope) -> None:
        bases = [self.eval(base, scope) for base in stmt.bases]
        framework_base = None
        for base in bases:
            if isinstance(base, ClassValue) and base.framework_base:
                framework_base = framework_base or base.framework_base
            elif (kind := self.base_kind(base)) == "model":
                framework_base = kind
            elif kind is not None:
                framework_base = framework_base or kind
        body_scope = Scope(parent=scope)
        methods: dict[str, FunctionValue] = {}
        for base in bases:
            if isinstance(base, ClassValue):
                methods.update(base.methods)
        cls = ClassValue(stmt, scope, methods, framework_base, bases)  # type: ignore[arg-type]
        for item in stmt.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                self._define_function(item, body_scope)
                function = body_scope.vars[item.name]
                self.functions.remove(function)
                function.scope = scope  # methods see module names, not class names
                methods[item.name] = function
            else:
                self.exec_stmt(item, body_scope)
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
        self.tick()
        if expr is None:
            return None
        if isinstance(expr, ast.Constant):
            return expr.value
        if isinstance(expr, ast.Name):
            value = scope.lookup(expr.id)
            if value is MISSING:
                return BUILTIN_NAMES.get(
                    expr.id, Unknown(f"'{expr.id}' is not defined in this file")
                )
            return value
        if isinstance(expr, ast.Attribute):
            return self.attribute(self.eval(expr.value, scope), expr.attr)
        if isinstance(expr, ast.Call):
            return self._call_expr(expr, scope)
        if isinstance(expr, ast.Tuple):
            items = self._sequence(expr.elts, scope)
            for item in items:  # `(*img_size, 1)`, `img_size` unknown: so is the tuple's length
                if isinstance(item, _UnknownSpread):
                    return Unknown(item.reason)
            return tuple(items)
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
                if is_plain(k):
                    result[k] = self.eval(value, scope)
            return result
        if isinstance(expr, ast.BinOp):
            left = self.eval(expr.left, scope)
            right = self.eval(expr.right, scope)
            return self.binop(expr.op, left, right, expr)
        if isinstance(expr, ast.UnaryOp):
            operand = self.eval(expr.operand, scope)
            return unary(expr.op, operand)
        if isinstance(expr, ast.BoolOp):
            return self._boolop(expr, scope)
        if isinstance(expr, ast.Compare):
            return self._compare(expr, scope)
        if isinstance(expr, ast.IfExp):
            test = truth(self.eval(expr.test, scope))
            if test is True:
                return self.eval(expr.body, scope)
            if test is False:
                return self.eval(expr.orelse, scope)
            return self._conditional_expression(expr, scope)
        if isinstance(expr, ast.Subscript):
            value = self.eval(expr.value, scope)
            return self.index(value, self.eval(expr.slice, scope))
        if isinstance(expr, ast.ListComp | ast.GeneratorExp):
            return self._comprehension(expr, scope)
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
        if isinstance(expr, ast.Lambda):  # `conv = lambda f: Conv2D(f, 3)`: a layer factory
            return self._function_value(_lambda_function(expr), scope)
        return Unknown(f"a {type(expr).__name__} expression (line {expr.lineno})")

    def _conditional_expression(self, expr: ast.IfExp, scope: Scope) -> Any:
        """`a if cond else b` on a condition the file does not decide: this world's side
        (`VGG16(...) if arch == "vgg" else ResNet50(...)`), else both, joined."""
        decision = self._decision(expr)
        self.paths.reach(decision)
        frame = id(self.running[-1]) if self.running else 0
        chosen = self.paths.choose(decision, bool(self.conditional), frame)
        if chosen is not None:
            return self.eval(expr.body if chosen == 0 else expr.orelse, scope)
        mark = self.world_mark()
        a, b = self.eval(expr.body, scope), self.eval(expr.orelse, scope)
        if self.world_mark() != mark:
            self.paths.note_builds(decision, bool(self.conditional))
        return a if same(a, b) else Unknown(f"a conditional expression (line {expr.lineno})")

    def _sequence(self, elts: list[ast.expr], scope: Scope) -> list[Any]:
        items: list[Any] = []
        for element in elts:
            value = self.eval(element, scope)
            if isinstance(element, ast.Starred):
                spread = concrete_items(value)
                if spread is None:
                    reason = value.reason if isinstance(value, Unknown) else "a starred expression"
                    items.append(_UnknownSpread(reason))
                else:
                    items.extend(spread)
            else:
                items.append(value)
        return items

    def _comprehension(self, expr: ast.ListComp | ast.GeneratorExp, scope: Scope) -> Any:
        if any(generator.is_async for generator in expr.generators):
            return Unknown("a comprehension")
        result = ListValue()
        inner = Scope(parent=scope)
        try:  # (an unknown inner iterable is met after the outer one's first items ran)
            self._generate(expr, 0, inner, result)
        except _UnknownIterable:  # run the element once as code that may run, as a loop does
            once: list[Any] = []
            self.undecided(expr.lineno, lambda: once.append(self._comprehension_once(expr, scope)))
            return ListValue(once, open_ended=True)
        except _UnknownCondition:
            return Unknown("a comprehension")
        return result

    def _generate(
        self, expr: ast.ListComp | ast.GeneratorExp, level: int, inner: Scope, out: ListValue
    ) -> None:
        """The items of `[elt for a in A if c for b in B]`, generator by generator. Over a
        list of unknown length (`open_ended`) the result is one too, and an item whose
        condition is unknown may be in it: the kinds of item are known, not how many."""
        if level == len(expr.generators):
            out.items.append(self.eval(expr.elt, inner))
            return
        generator = expr.generators[level]
        iterable = self.eval(generator.iter, inner)
        items = concrete_items(iterable)
        if items is None:
            raise _UnknownIterable
        open_ended = isinstance(iterable, ListValue) and iterable.open_ended
        out.open_ended = out.open_ended or open_ended
        for item in items:
            self.assign(generator.target, item, inner)
            keep = [truth(self.eval(cond, inner)) for cond in generator.ifs]
            if any(k is None for k in keep) and not open_ended:
                raise _UnknownCondition
            if all(k is None or k for k in keep):
                self._generate(expr, level + 1, inner, out)

    def _comprehension_once(self, expr: ast.ListComp | ast.GeneratorExp, scope: Scope) -> Any:
        """`[cv2.resize(img, (64, 64)) for p in paths]` with `paths` unknown: the element
        is made once (its layers are seen, its shape is each item's); how many stays unknown."""
        inner = Scope(parent=scope)
        for generator in expr.generators:
            self.assign(generator.target, Unknown(f"a loop variable (line {expr.lineno})"), inner)
            for cond in generator.ifs:
                self.eval(cond, inner)
        return self.eval(expr.elt, inner)

    def binop(self, op: ast.operator, left: Any, right: Any, where: ast.AST) -> Any:
        """`left op right`; a framework overrides it for its tensors."""
        return arithmetic(op, left, right)

    def _boolop(self, expr: ast.BoolOp, scope: Scope) -> Any:
        values = [self.eval(v, scope) for v in expr.values]
        truths = [truth(v) for v in values]
        if isinstance(expr.op, ast.And):
            for value, known in zip(values, truths, strict=True):
                if known is None:
                    return Unknown("a boolean expression")
                if not known:
                    return value
            return values[-1]
        for value, known in zip(values, truths, strict=True):
            if known is None:
                return Unknown("a boolean expression")
            if known:
                return value
        return values[-1]

    def _compare(self, expr: ast.Compare, scope: Scope) -> Any:
        left = self.eval(expr.left, scope)
        for op, comparator in zip(expr.ops, expr.comparators, strict=True):
            right = self.eval(comparator, scope)
            fn = CMPOPS.get(type(op))
            if isinstance(op, ast.Eq | ast.NotEq) and _other_name(left, right):
                if isinstance(op, ast.Eq):  # `layer.name == "bottleneck"` of an unnamed layer
                    return False
                left = right
                continue
            if isinstance(op, ast.Is | ast.IsNot) and _an_object(left, right):
                if (left is right) == isinstance(op, ast.IsNot):  # `img is not None`: an
                    return False  # image read, an array: objects the analysis knows exist
                left = right
                continue
            if fn is None or not is_plain(left) or not is_plain(right):
                return Unknown(f"a comparison (line {expr.lineno})")
            try:
                if not fn(left, right):
                    return False
            except Exception:
                return Unknown(f"a comparison (line {expr.lineno})")
            left = right
        return True

    def attribute(self, value: Any, attr: str) -> Any:
        if isinstance(value, Ref):
            qualname = f"{value.qualname}.{attr}"
            if qualname in self.module_attributes:
                return self.module_attributes[qualname]
            if qualname in STDLIB_CONSTANTS:
                return STDLIB_CONSTANTS[qualname]
            return None if qualname in _NEWAXIS else Ref(qualname)  # `x[..., np.newaxis]`
        if isinstance(value, InstanceValue):
            if attr in value.attrs:
                return value.attrs[attr]
            method = value.cls.lookup(attr)
            if method is not None and _is_property(method):
                return self.invoke(method, [value], {}, None)  # `@property def model`
            if method is not None or (value.cls.framework_base and attr in self.inherited_methods):
                return BoundMethod(value, attr)
            if (constant := value.cls.constant(attr)) is not NO_CONSTANT:
                return constant
            if value.framework is not None:  # `model.layers` of a Sequential subclass
                return self.attribute(value.framework, attr)
            return Unknown(f"attribute '{attr}' of a {value.cls.node.name} object")
        if isinstance(value, ClassValue):
            return class_attribute(value, attr)
        if isinstance(value, self.framework_types):
            return self.framework_attribute(value, attr)
        return attribute(value, attr)

    # ----------------------------------------------------------------- positions and budget

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise OutOfBudget

    def span(self, expr: ast.AST) -> SourceSpan:
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


# NumPy's and TensorFlow's name for None in an index: a new axis of size 1.
_NEWAXIS = frozenset({"numpy.newaxis", "tensorflow.newaxis"})


def _guard_result(value: Any) -> bool:
    """A guard's early result (`return None, None`, `return False`, `return -1`): the other
    branches go on, so the code after the guard is analysed too. Any other early result ends
    the merged run there, as it always did (following both costs time on large files)."""
    if isinstance(value, tuple):
        return all(_guard_result(item) for item in value)
    return value is None or isinstance(value, bool | int | float | str)


def _unpacked(target: ast.expr, line: int) -> Unknown:
    """Why a name assigned by unpacking (`rows, cols = X.shape[1:]`) is unknown, as a clause."""
    name = f"'{dotted(target)}'" if isinstance(target, ast.Name | ast.Attribute) else "a name"
    return Unknown(f"{name} is unpacked (line {line}) from a value only known at run time")


def _defining_scope(scope: Scope, name: str) -> Scope:
    """The scope that holds `name` (the innermost one when no scope does)."""
    found: Scope | None = scope
    while found is not None:
        if name in found.vars:
            return found
        found = found.parent
    return scope


def dotted(expr: ast.expr) -> str:
    """`a.b.c` for a chain of names, else ""."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return ""


def _is_property(function: FunctionValue) -> bool:
    """`@property` / `@functools.cached_property`: reading the attribute runs the method."""
    for decorator in function.node.decorator_list:
        name = decorator.attr if isinstance(decorator, ast.Attribute) else None
        name = decorator.id if isinstance(decorator, ast.Name) else name
        if name in ("property", "cached_property"):
            return True
    return False


@dataclass(frozen=True, eq=False)
class _UnknownSpread(Unknown):
    """`*x` of a value whose items are not known: one unknown item in a list, and a tuple
    (a shape, `(*size, 1)`) whose length is unknown."""


def _other_name(left: Any, right: Any) -> bool:
    """A layer's run-time name compared with a text it can never be."""
    for name, text in ((left, right), (right, left)):
        if isinstance(name, AutoLayerName) and isinstance(text, str):
            return not name.may_be(text)
    return False


def _an_object(left: Any, right: Any) -> bool:
    """`x is None` decidable: one side is None and the other a value the analysis made,
    not a plain value (compared as such), an unknown or a name outside the file (which
    may be None: `config.WEIGHTS is None`)."""
    other = right if left is None else left if right is None else MISSING
    unknowable = isinstance(other, Unknown | Ref)
    return other is not MISSING and not is_plain(other) and not unknowable


class _UnknownIterable(Exception):
    """A comprehension's generator runs over values only known at run time."""


class _UnknownCondition(Exception):
    """A comprehension's filter is only decided at run time."""


def _lambda_function(expr: ast.Lambda) -> ast.FunctionDef:
    """`lambda args: body` as the function `def <lambda>(args): return body` (made once
    per lambda node and kept on it, so a lambda called in a loop is one function)."""
    made = getattr(expr, "kerasfix_function", None)
    if isinstance(made, ast.FunctionDef):
        return made
    function = ast.FunctionDef(
        name="<lambda>",
        args=expr.args,
        body=[ast.copy_location(ast.Return(value=expr.body), expr.body)],
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    ast.copy_location(function, expr)
    expr.kerasfix_function = function  # type: ignore[attr-defined]
    return function
