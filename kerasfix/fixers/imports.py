"""Make the new pooling name importable where `Flatten` was imported by name.

`layers.Flatten()` only needs its attribute renamed. A bare `Flatten()` needs the new name
bound too: it is added to the very `from ... import ..., Flatten` statement that bound
`Flatten` (sorted in if the names were sorted), never twice, and not at all under a star
import. Only when no from-import from a `layers` package bound it does LibCST's
`AddImportsVisitor` add one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.helpers import get_full_name_for_node

from kerasfix.frontends.source.keras_names import KERAS_ROOTS


@dataclass
class ImportFacts:
    """Names bound by absolute from-imports of Keras modules in one module (or cell)."""

    bindings: list[tuple[str, str, str]] = field(default_factory=list)  # (module, name, local)
    stars: list[str] = field(default_factory=list)
    roots: set[str] = field(default_factory=set)

    def imports_from(self, module: str) -> bool:
        return any(source == module for source, _, _ in self.bindings)

    def binds(self, local: str) -> bool:
        return any(bound == local for _, _, bound in self.bindings)


def is_keras_module(module: str) -> bool:
    return any(module == root or module.startswith(root + ".") for root in KERAS_ROOTS)


def layers_package(module: str) -> str | None:
    """`keras.layers.core` -> `keras.layers` (where every layer class is importable)."""
    parts = module.split(".")
    if "layers" not in parts:
        return None
    return ".".join(parts[: parts.index("layers") + 1])


def imports_in(line: cst.SimpleStatementLine) -> bool:
    """Whether a visitor that only reads or changes imports must look inside `line`: the
    expressions of the other statements are most of a tree's nodes, and visiting them was
    most of the cost of each such pass."""
    return any(isinstance(small, cst.Import | cst.ImportFrom) for small in line.body)


class _Gather(cst.CSTVisitor):
    def __init__(self) -> None:
        self.facts = ImportFacts()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return imports_in(node)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            if is_keras_module(name) or name == "tensorflow":
                self.facts.roots.add(name)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = _module_of(node)
        if module is None or not is_keras_module(module):
            return
        self.facts.roots.add(module)
        if isinstance(node.names, cst.ImportStar):
            self.facts.stars.append(module)
            return
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            self.facts.bindings.append((module, name, _local(alias)))


def gather(module: cst.Module) -> ImportFacts:
    visitor = _Gather()
    module.visit(visitor)
    return visitor.facts


@dataclass(frozen=True)
class ImportPlan:
    """For one needed name: extend the from-imports binding `local`, or add a new import."""

    target: str
    local: str
    extend: bool  # add `target` to every `from <layers package> import Flatten` binding `local`
    add_module: str | None = None  # else: `from add_module import target` via AddImportsVisitor


def plan(target: str, local: str, facts: Iterable[ImportFacts]) -> ImportPlan | None:
    """None when nothing is needed (already imported, or a star import covers it)."""
    all_facts = list(facts)
    if any(f.binds(target) for f in all_facts):
        return None
    if not any(f.bindings or f.stars or f.roots for f in all_facts):
        return None  # a snippet without imports: its bare names are read as Keras's already
    if any(layers_package(star) == star for f in all_facts for star in f.stars):
        return None
    sources = [m for f in all_facts for m, name, bound in f.bindings if bound == local]
    if any(layers_package(m) == m for m in sources):
        return ImportPlan(target, local, extend=True)
    packages = [p for p in (layers_package(m) for m in sources) if p]
    if packages:
        return ImportPlan(target, local, extend=False, add_module=packages[0])
    return ImportPlan(target, local, extend=False, add_module=_guess_package(all_facts))


def _guess_package(facts: Sequence[ImportFacts]) -> str:
    roots = {root for f in facts for root in f.roots}
    if any(root.startswith("tensorflow") for root in roots):
        return "tensorflow.keras.layers"
    if any(root.startswith("tf_keras") for root in roots):
        return "tf_keras.layers"
    return "keras.layers"


class ExtendImports(cst.CSTTransformer):
    """Add each target to the `from <layers package> import ...` binding its local (or, for a
    plan with `add_module`, to the first statement importing from that module)."""

    def __init__(self, plans: Sequence[ImportPlan]) -> None:
        self.plans = list(plans)
        self.done: set[ImportPlan] = set()  # module-targeted plans extend one statement only

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return imports_in(node)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        module = _module_of(updated_node)
        if (
            module is None
            or layers_package(module) != module
            or not is_keras_module(module)
            or isinstance(updated_node.names, cst.ImportStar)
        ):
            return updated_node
        names = list(updated_node.names)
        for item in self.plans:
            locals_ = {_local(alias) for alias in names}
            if item.target in locals_ or item in self.done:
                continue
            if item.extend and item.local in locals_:
                names = insert_alias(names, item.target)
            elif item.add_module == module:
                names = insert_alias(names, item.target)
                self.done.add(item)
        return updated_node.with_changes(names=names)


def insert_alias(names: list[cst.ImportAlias], target: str) -> list[cst.ImportAlias]:
    """Insert `target` in sorted position if the names are sorted, else last; commas follow suit."""
    keys = [get_full_name_for_node(alias.name) or "" for alias in names]
    position = len(names)
    if keys == sorted(keys):
        position = next((i for i, key in enumerate(keys) if key > target), len(names))
    new = cst.ImportAlias(name=cst.Name(target))
    if position < len(names):
        before = names[position - 1].comma if position > 0 else _first_comma(names)
        return [*names[:position], new.with_changes(comma=before), *names[position:]]
    last = names[-1]
    separator = names[-2].comma if len(names) > 1 else _SPACE_COMMA
    return [*names[:-1], last.with_changes(comma=separator), new.with_changes(comma=last.comma)]


_SPACE_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _first_comma(names: list[cst.ImportAlias]) -> cst.Comma:
    comma = names[0].comma if len(names) > 1 else None
    return comma if isinstance(comma, cst.Comma) else _SPACE_COMMA


def add_new_imports(module: cst.Module, plans: Sequence[ImportPlan]) -> cst.Module:
    """Fallback: `from <package> import <target>` via LibCST's AddImportsVisitor."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    for item in plans:
        if item.add_module:
            AddImportsVisitor.add_needed_import(context, item.add_module, item.target)
    return AddImportsVisitor(context).transform_module(module)


def _module_of(node: cst.ImportFrom) -> str | None:
    if node.relative or node.module is None:
        return None
    return get_full_name_for_node(node.module)


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return get_full_name_for_node(alias.name) or ""
