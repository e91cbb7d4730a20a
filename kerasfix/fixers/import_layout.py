"""Keep a fixed import tidy: wrap an import line the fix made too long, as Ruff's formatter
would (parenthesised, one name per line, trailing comma); the `Flatten` name nothing uses any
more is dropped by `unused_imports`.

The line length is the project's: `line-length` of Ruff (`ruff.toml`, `.ruff.toml`,
`[tool.ruff]`) or Black (`[tool.black]`) in the nearest configuration up the tree, else 88
(the default of both).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import libcst as cst

from kerasfix.fixers.imports import imports_in

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_LINE_LENGTH = 88


def line_length_for(path: Path) -> int:
    """The formatter line length that governs `path`."""
    return _line_length(Path(path).resolve().parent)


@lru_cache(maxsize=64)
def _line_length(directory: Path) -> int:
    for folder in (directory, *directory.parents):
        for name, keys in (
            ("ruff.toml", ()),
            (".ruff.toml", ()),
            ("pyproject.toml", ("tool", "ruff")),
            ("pyproject.toml", ("tool", "black")),
        ):
            found = _configured(folder / name, keys)
            if found is not None:
                return found
    return DEFAULT_LINE_LENGTH


def _configured(path: Path, keys: tuple[str, ...]) -> int | None:
    if not path.is_file():
        return None
    try:
        table: object = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else None
    value = table.get("line-length") if isinstance(table, dict) else None
    return value if isinstance(value, int) and value > 0 else None


class WrapLongImports(cst.CSTTransformer):
    """Parenthesise a one-line `from m import a, b, ...` naming `targets` that is too long."""

    def __init__(self, targets: Iterable[str], limit: int) -> None:
        self.targets = frozenset(targets)
        self.limit = limit
        self.depth = 0

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return imports_in(node)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        self.depth -= 1
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.ImportFrom):
            return updated_node
        node = updated_node.body[0]
        if node.lpar is not None or isinstance(node.names, cst.ImportStar):
            return updated_node
        names = [cst.Module([]).code_for_node(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
                 for alias in node.names]  # fmt: skip
        if not self.targets & {name.split(" as ")[0] for name in names}:
            return updated_node
        code = cst.Module([]).code_for_node(updated_node.with_changes(leading_lines=[]))
        if len(code.splitlines()[0]) + 4 * self.depth <= self.limit:
            return updated_node
        head = cst.Module([]).code_for_node(node.with_changes(names=node.names[:1]))
        prefix = head[: head.index(" import ") + len(" import ")]
        wrapped = prefix + "(\n" + "".join(f"    {name},\n" for name in names) + ")\n"
        statement = cst.parse_statement(wrapped)
        assert isinstance(statement, cst.SimpleStatementLine)
        return updated_node.with_changes(body=[statement.body[0]])
