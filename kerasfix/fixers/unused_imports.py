"""Drop a `Flatten` import the fix left unused, as Ruff's fixes leave no F401 behind.

Whether the name is still used is decided by names, never by text: a `Name` node spelling it
anywhere in the file (every notebook cell counts: a name imported in one cell may be used in
another), a string annotation naming it, or a string equal to it (`__all__`). A word in a
comment or a docstring is not a use. The check is conservative where Python's scoping would
take a closer look: a function's own local `Flatten` counts as a use, so at worst an unused
import stays, never a used one goes.

This replaces LibCST's `RemoveImportsVisitor`, whose scope analysis over each whole module was
most of the time of `kerasfix lint --fix`; the removal keeps its formatting
(`from x import A, Flatten, B` -> `from x import A, B`; a statement left empty goes).
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable

import libcst as cst
from libcst.helpers import get_full_name_for_node

from kerasfix.fixers.imports import imports_in


def uses_name(texts: Iterable[str], local: str) -> bool:
    """Whether any of `texts` (parse units: a script, or notebook cells as LibCST sees
    them) uses `local` as a name. A unit that does not parse counts as a use."""
    word = re.compile(rf"\b{re.escape(local)}\b")
    for text in texts:
        if word.search(text) is None:  # cheap: most cells never spell the name
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return True
        if _uses(tree, local, word):
            return True
    return False


def _uses(tree: ast.Module, local: str, word: re.Pattern[str]) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == local:
            return True
        if isinstance(node, ast.Constant) and node.value == local:
            return True  # `__all__ = ["Flatten"]`, getattr(module, "Flatten")
        annotation = getattr(node, "annotation", None) or getattr(node, "returns", None)
        if isinstance(annotation, ast.AST) and any(
            isinstance(part, ast.Constant)
            and isinstance(part.value, str)
            and word.search(part.value)
            for part in ast.walk(annotation)
        ):
            return True  # a string annotation: `x: "Flatten"`
    return False


def drop_import(tree: cst.Module, module: str, name: str, local: str) -> cst.Module:
    """`tree` without `name` (bound as `local`) in its `from module import ...` statements."""
    return tree.visit(_DropImport(module, name, local))


class _DropImport(cst.CSTTransformer):
    def __init__(self, module: str, name: str, local: str) -> None:
        super().__init__()
        self.module, self.name, self.local = module, name, local

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return imports_in(node)

    def _is_target(self, alias: cst.ImportAlias) -> bool:
        return alias.evaluated_name == self.name and (alias.evaluated_alias or self.name) == (
            self.local
        )

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        names = updated_node.names
        if isinstance(names, cst.ImportStar) or updated_node.relative:
            return updated_node
        if updated_node.module is None or get_full_name_for_node(updated_node.module) != (
            self.module
        ):
            return updated_node
        if not any(self._is_target(alias) for alias in names):
            return updated_node
        keep: list[cst.ImportAlias] = []
        lpar = updated_node.lpar
        for alias in names:
            if not self._is_target(alias):
                keep.append(alias)
                continue
            # A comment after the dropped name's comma (parenthesised imports) moves up.
            comma = alias.comma
            if not isinstance(comma, cst.Comma):
                continue
            if keep and isinstance(keep[-1].comma, cst.Comma):
                previous = keep[-1].comma
                keep[-1] = keep[-1].with_changes(
                    comma=previous.with_changes(
                        whitespace_after=_merge(previous.whitespace_after, comma.whitespace_after)
                    )
                )
            elif keep:
                keep[-1] = keep[-1].with_changes(comma=comma)
            elif isinstance(lpar, cst.LeftParen):
                lpar = lpar.with_changes(
                    whitespace_after=_merge(lpar.whitespace_after, comma.whitespace_after)
                )
        if not keep:
            return cst.RemoveFromParent()
        if keep[-1] is not names[-1]:  # the last name went: no dangling comma
            keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=keep, lpar=lpar)


def _merge(
    left: cst.BaseParenthesizableWhitespace, right: cst.BaseParenthesizableWhitespace
) -> cst.BaseParenthesizableWhitespace:
    """The whitespace after a kept comma, keeping the comment lines of a dropped one."""
    if not isinstance(right, cst.ParenthesizedWhitespace):
        return left
    if not isinstance(left, cst.ParenthesizedWhitespace):
        return right
    return left.with_changes(
        empty_lines=tuple(line for line in right.empty_lines if line.comment is not None)
    )
