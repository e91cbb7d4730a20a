"""The LibCST codemod: `X.Flatten(...)` -> `X.GlobalAveragePooling2D(...)` at the flagged spots.

A unit is one parse unit (a script, or one notebook code cell with magics blanked). Calls are
matched by the finding's span through `PositionProvider`, which is only computed for units
that hold a site; the rest of each tree is printed back unchanged, so comments and
formatting elsewhere survive byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from kerasfix.fixers.arguments import rewrite_arguments
from kerasfix.fixers.import_layout import DEFAULT_LINE_LENGTH, WrapLongImports
from kerasfix.fixers.imports import ExtendImports, ImportFacts, add_new_imports, gather, plan
from kerasfix.fixers.permuted import (
    PERMUTE,
    Pair,
    held_in_add,
    in_add,
    in_applied_call,
    in_element,
    permute_call,
)
from kerasfix.fixers.unused_imports import drop_import, uses_name
from kerasfix.frontends.notebook import dedent, reindent, whole_cell_indent

Span = tuple[int, int, int, int]  # line, column, end_line, end_column: 1-based, end exclusive


@dataclass(frozen=True)
class SourceEdit:
    """One `Flatten(...)` call to replace: where, and with which class."""

    unit: int
    span: Span
    target: str  # e.g. "GlobalAveragePooling2D"
    channels_first: bool = False
    keras1: bool = False  # the file uses Keras 1's `dim_ordering`
    ident: int = 0  # the caller's handle (index of the finding)
    # `Permute(dims)` written before the pooling (a channels_first ConvLSTM sequence:
    # time before filters); None for the one-layer fix.
    permute: tuple[int, ...] | None = None


@dataclass
class Rewrite:
    texts: list[str]
    applied: list[SourceEdit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def changed(self, units: Sequence[str]) -> bool:
        return list(units) != self.texts


def rewrite(
    units: Sequence[str], sites: Sequence[SourceEdit], line_length: int = DEFAULT_LINE_LENGTH
) -> Rewrite:
    """Apply every site it can find; raises `cst.ParserSyntaxError` if a site's unit won't parse.

    Imports follow: the new name is bound, a `Flatten` import nothing uses any more is
    removed, and an import line the fix made longer than `line_length` is wrapped."""
    result = Rewrite(list(units))
    if not sites:
        return result
    # A notebook cell indented as a whole (IPython dedents it before running it) is
    # rewritten dedented, its sites moved with it, and indented back.
    indents = {unit: whole_cell_indent(text) for unit, text in enumerate(units)}
    units = [dedent(text, indents[unit]) for unit, text in enumerate(units)]
    by_unit: dict[int, list[SourceEdit]] = {}
    as_given: dict[int, SourceEdit] = {}  # id of a moved site -> the site as the caller gave it
    for site in sites:
        moved = _dedented(site, len(indents[site.unit]))
        as_given[id(moved)] = site
        by_unit.setdefault(site.unit, []).append(moved)
    trees: dict[int, cst.Module] = {}
    facts: dict[int, ImportFacts] = {}
    for unit in range(max(by_unit) + 1):
        if unit in by_unit:
            trees[unit] = cst.parse_module(units[unit])
        elif "import" in units[unit]:
            try:
                trees[unit] = cst.parse_module(units[unit])
            except cst.ParserSyntaxError:
                continue  # a cell the linter skipped too
        if unit in trees:
            facts[unit] = gather(trees[unit])
    needs: list[tuple[int, str, str]] = []  # (unit, local name, target) for bare-name calls
    for unit, unit_sites in sorted(by_unit.items()):
        visible = [f for u, f in facts.items() if u <= unit]
        names = {"Flatten"} | {
            local for f in visible for _, n, local in f.bindings if n == "Flatten"
        }
        aliases = _aliases(trees[u] for u in sorted(trees) if u <= unit)
        rewriter = FlattenRewriter(unit_sites, preferred_quote(units[unit]), names, aliases)
        wrapper = MetadataWrapper(trees[unit], unsafe_skip_copy=True)
        trees[unit] = wrapper.visit(rewriter)
        rewriter.note_unplaced()
        result.applied.extend(as_given.get(id(site), site) for site in rewriter.applied)
        result.notes.extend(rewriter.notes)
        needs.extend((unit, local, target) for local, target in rewriter.bare)
    if needs:
        _fix_imports(trees, facts, needs)
        _remove_unused_flatten(trees, facts, needs, units)
        wrap = WrapLongImports({target for _, _, target in needs}, line_length)
        for unit in sorted(facts):
            trees[unit] = trees[unit].visit(wrap)
    for unit, tree in trees.items():
        result.texts[unit] = reindent(tree.code, indents[unit]) if indents[unit] else tree.code
    return result


def _dedented(site: SourceEdit, width: int) -> SourceEdit:
    """The site in its cell with `width` characters of indentation taken off every line."""
    if not width:
        return site
    line, column, end_line, end_column = site.span
    return replace(site, span=(line, column - width, end_line, end_column - width))


def _remove_unused_flatten(
    trees: dict[int, cst.Module],
    facts: dict[int, ImportFacts],
    needs: list[tuple[int, str, str]],
    units: Sequence[str],
) -> None:
    """Drop each `Flatten` import the fix left unused (as Ruff's fixes leave no F401 behind).

    Used means used as a name in any unit (a notebook cell may use what another imports);
    a comment or docstring that says "Flatten" is not a use (fixers/unused_imports.py)."""
    texts = [trees[u].code if u in trees else units[u] for u in range(len(units))]
    for local in dict.fromkeys(local for _, local, _ in needs):
        if uses_name(texts, local):
            continue
        for unit, unit_facts in facts.items():
            for module, name, bound in unit_facts.bindings:
                if name == "Flatten" and bound == local:
                    trees[unit] = drop_import(trees[unit], module, name, local)


def _fix_imports(
    trees: dict[int, cst.Module], facts: dict[int, ImportFacts], needs: list[tuple[int, str, str]]
) -> None:
    """Bind each new bare name: extend the from-import that bound `Flatten`, or add one."""
    plans = []
    for unit, local, target in dict.fromkeys(needs):
        visible = [f for u, f in facts.items() if u <= unit]
        item = plan(target, local, visible)
        if item is None or item in plans:
            continue
        plans.append(item)
        if item.add_module and not any(f.imports_from(item.add_module) for f in visible):
            trees[unit] = add_new_imports(trees[unit], [item])
    if plans:
        transformer = ExtendImports(plans)
        for unit in sorted(facts):
            trees[unit] = trees[unit].visit(transformer)


def _aliases(trees: Iterable[cst.Module]) -> dict[str, cst.Attribute]:
    """Module-level `Flatten = tf.keras.layers.Flatten` aliases bound once in the file: a call
    through one is fixed as `tf.keras.layers.GlobalAveragePooling2D()`, in the alias's own
    spelling, so no import is added and the alias line stays as written. A name bound more
    than once (or an alias local to a function) is left alone: the call may mean another class."""
    found: dict[str, cst.Attribute] = {}
    bound: dict[str, int] = {}
    for tree in trees:
        for statement in tree.body:
            for name, value in _module_bindings(statement):
                bound[name] = bound.get(name, 0) + 1
                if isinstance(value, cst.Attribute) and value.attr.value == "Flatten":
                    found[name] = value
    return {name: value for name, value in found.items() if bound[name] == 1}


def _module_bindings(
    statement: cst.BaseStatement,
) -> Iterable[tuple[str, cst.BaseExpression | None]]:
    """Names a top-level statement binds by assignment, def or class (value when assigned)."""
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        yield statement.name.value, None
        return
    if not isinstance(statement, cst.SimpleStatementLine):
        return
    for small in statement.body:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    yield target.target.value, small.value
        elif isinstance(small, cst.AnnAssign | cst.AugAssign) and isinstance(
            small.target, cst.Name
        ):
            yield small.target.value, None


class FlattenRewriter(cst.CSTTransformer):
    """Rename the matched calls and trim their arguments; record bare names needing imports."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        sites: Sequence[SourceEdit],
        quote: str = '"',
        flatten_names: Iterable[str] = ("Flatten",),
        aliases: dict[str, cst.Attribute] | None = None,
    ) -> None:
        super().__init__()
        self.aliases = aliases or {}
        self.sites = {site.span: site for site in sites}
        self.flatten_names = frozenset(flatten_names)
        self.quote = quote
        self.applied: list[SourceEdit] = []
        self.bare: list[tuple[str, str]] = []
        self.notes: list[str] = []
        # Calls whose fix is two layers (permuted.py), until their parent writes both.
        self.held: dict[int, tuple[SourceEdit, Pair, list[tuple[str, str]], list[str]]] = {}

    def leave_Element(
        self, original_node: cst.Element, updated_node: cst.Element
    ) -> cst.BaseElement | cst.FlattenSentinel[cst.BaseElement]:
        pair = self._take(updated_node.value)
        return in_element(updated_node, pair) if pair is not None else updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        layer = held_in_add(updated_node)
        pair = self._take(layer) if layer is not None else None
        return in_add(updated_node, pair) if pair is not None else updated_node

    def _take(self, node: cst.CSTNode) -> Pair | None:
        """The two calls for a held site now written by its parent; None if not held."""
        held = self.held.pop(id(node), None)
        if held is None:
            return None
        site, pair, bare, notes = held
        self.applied.append(site)
        self.bare.extend(bare)
        self.notes.extend(notes)
        return pair

    def note_unplaced(self) -> None:
        """Say why each two-layer site no parent could hold was left as written."""
        for site, _, _, _ in self.held.values():
            self.notes.append(
                f"line {site.span[0]}: not fixed: the pooling that keeps the filters is two "
                f"layers ({PERMUTE} then {site.target}), written only in a layer list, a "
                "`model.add(...)` statement or a call on a tensor"
            )
        self.held.clear()

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        position = self.get_metadata(PositionProvider, original_node)
        span = (
            position.start.line,
            position.start.column + 1,
            position.end.line,
            position.end.column + 1,
        )
        site = self.sites.get(span)
        if site is None:
            pair = self._take(updated_node.func)
            return in_applied_call(updated_node, pair) if pair is not None else updated_node
        func = updated_node.func
        bare: list[tuple[str, str]] = []
        if isinstance(func, cst.Attribute) and func.attr.value == "Flatten":
            new_func: cst.BaseExpression = func.with_changes(attr=cst.Name(site.target))
        elif isinstance(func, cst.Name) and func.value in self.aliases:
            alias = self.aliases[func.value].deep_clone()
            new_func = alias.with_changes(attr=cst.Name(site.target))
        elif isinstance(func, cst.Name) and func.value in self.flatten_names:
            new_func = func.with_changes(value=site.target)
            bare.append((func.value, site.target))
            if site.permute is not None:
                bare.append((func.value, PERMUTE))
        else:
            self.notes.append(
                f"line {span[0]}: not fixed: the Flatten class is reached through "
                f"'{cst.Module([]).code_for_node(func)}', not by its name"
            )
            return updated_node
        args, dropped = rewrite_arguments(
            updated_node.args, site.channels_first, self.quote, site.keras1
        )
        notes = [
            f"line {span[0]}: dropped {', '.join(dropped)} (not an argument of {site.target})"
        ][: bool(dropped)]
        pooling = updated_node.with_changes(func=new_func, args=args)
        if site.permute is not None:  # two layers: the parent writes them (or nothing)
            self.held[id(updated_node)] = (
                site, Pair(permute_call(new_func, site.permute), pooling), bare, notes
            )  # fmt: skip
            return updated_node
        self.applied.append(site)
        self.bare.extend(bare)
        self.notes.extend(notes)
        return pooling


def preferred_quote(text: str) -> str:
    """The quote the file leans to, for a `data_format` string we add (a cheap count, no pass)."""
    return "'" if text.count("'") > text.count('"') else '"'
