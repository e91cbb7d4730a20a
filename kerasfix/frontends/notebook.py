"""Notebook frontend: a notebook's code cells, in order, form one program.

IPython magics and shell escapes are blanked (line numbers stay put); a cell with a
syntax error is skipped with a note (a warning `lint` prints), as Jupyter would fail just
that cell. `code_cells` is the one reader of a notebook's cells: suppressions and `--fix`
read them through it too.
"""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path
from typing import Any

from kerasfix.frontends.base import InputError, Program
from kerasfix.frontends.source import (
    EXHAUSTED,
    assumes_keras_names,
    could_have_findings,
    is_keras1_code,
    parse_module,
    program_from_text,
)
from kerasfix.frontends.source.decode import read_bytes
from kerasfix.frontends.source.magics import blank_magic_lines
from kerasfix.graph.model import Graph


def read_notebook(path: Path, prefilter: bool = True) -> Program:
    from kerasfix.limits import max_notebook_bytes

    data = read_bytes(path, max_notebook_bytes())
    cells = code_cells(data, path.as_posix())
    return program_from_cells(cells, path.as_posix(), prefilter)


def code_cells(data: bytes, display_path: str) -> list[str]:
    """The source of every code cell (empty string for non-code cells, to keep numbering).

    Cells are numbered among *all* cells, 1-based, as Jupyter shows them.
    """
    if not data.strip():  # `touch x.ipynb` or a zero-byte download: say so plainly
        raise InputError(f"{display_path}: empty file")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{display_path}: notebook is not UTF-8 text") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"{display_path}: malformed notebook JSON{detail}") from None
    if not isinstance(document, dict):
        raise InputError(f"{display_path}: not a Jupyter notebook (top level is not an object)")
    raw_cells = document.get("cells")
    if raw_cells is None and isinstance(document.get("worksheets"), list):  # nbformat 3
        raw_cells = [
            c
            for ws in document["worksheets"]
            if isinstance(ws, dict) and isinstance(ws.get("cells"), list)
            for c in ws["cells"]
        ]
    if not isinstance(raw_cells, list):
        raise InputError(f"{display_path}: not a Jupyter notebook (no 'cells' list)")
    return [_cell_source(cell) for cell in raw_cells]


def _cell_source(cell: Any) -> str:
    if not isinstance(cell, dict) or cell.get("cell_type") != "code":
        return ""
    source = cell.get("source", cell.get("input", ""))
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def strip_magics(source: str) -> str:
    """Blank IPython-only lines (keeping indentation-valid code and line numbers)."""
    lines = source.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return "\n".join("" for _ in lines)  # a cell magic: the whole cell is not Python
    return blank_magic_lines(source)


def leading_indent(text: str) -> str:
    """The whitespace IPython removes from a cell before running it (its `leading_indent`
    transformer): the first line's indentation, taken off every line that starts with it."""
    first = text.split("\n", 1)[0]
    return first[: len(first) - len(first.lstrip(" \t"))] if first.strip() else ""


def parse_cell(text: str, display_path: str, number: int) -> ast.Module:
    """A cell's tree as IPython runs it: a cell indented as a whole (pasted from a function
    body) is dedented first; positions stay those of the cell as written."""
    indent = leading_indent(text)
    if not indent:
        return parse_module(text, display_path, cell=number)
    lines = text.split("\n")
    stripped = {i for i, line in enumerate(lines, start=1) if line.startswith(indent)}
    tree = parse_module(dedent(text, indent), display_path, cell=number)
    width = len(indent)  # spaces and tabs: one byte each, as ast's offsets count
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in stripped:
            node.col_offset += width  # type: ignore[attr-defined]
        if getattr(node, "end_lineno", None) in stripped and node.end_col_offset is not None:  # type: ignore[attr-defined]
            node.end_col_offset += width  # type: ignore[attr-defined]
    return tree


def whole_cell_indent(text: str) -> str:
    """The indentation of a cell indented as a whole (every line with code starts with the
    first line's), which `reindent` can put back after a rewrite; "" for any other cell."""
    indent = leading_indent(text)
    lines = [line for line in text.split("\n") if line.strip()]
    return indent if indent and all(line.startswith(indent) for line in lines) else ""


def dedent(text: str, indent: str) -> str:
    """`text` with `indent` taken off each line that starts with it (IPython's rule)."""
    lines = text.split("\n")
    return "\n".join(line[len(indent) :] if line.startswith(indent) else line for line in lines)


def reindent(text: str, indent: str) -> str:
    """`indent` put back on each line with code (the inverse of `dedent` for a cell that
    `whole_cell_indent` accepts)."""
    return "\n".join(indent + line if line.strip() else line for line in text.split("\n"))


def program_from_cells(cells: list[str], display_path: str, prefilter: bool = True) -> Program:
    from kerasfix.frontends.source.project_imports import imports_code_with, project_run
    from kerasfix.frontends.source.worlds import analyse_code

    if (
        prefilter
        and not any(could_have_findings(cell) for cell in cells)
        and not imports_code_with("\n".join(cells), display_path, could_have_findings)
    ):
        return Program(display_path, "notebook", Graph(class_name="Program"), cells=cells)
    keras_names = assumes_keras_names("\n".join(cells))
    notes: list[str] = []
    parsed: list[tuple[int, str, ast.Module]] = []
    for number, source in enumerate(cells, start=1):
        if not source.strip():
            continue
        text = strip_magics(source)
        try:
            parsed.append((number, text, parse_cell(text, display_path, number)))
        except InputError as exc:
            where = str(exc).removeprefix(f"{display_path}:")
            notes.append(f"{where} (cell skipped; the other cells were analysed)")
    trees = [tree for _, _, tree in parsed]
    keras1 = functools.cache(lambda: is_keras1_code(cells, trees))
    modules = [(tree, text.splitlines(), number) for number, text, tree in parsed]
    # The project's modules the cells import (a builder's file is analysed alone as a script).
    with project_run(display_path, program_from_text) as project:
        analysis = analyse_code(modules, keras_names, keras1)
    if analysis.exhausted:
        notes.append(EXHAUSTED)
    notes.extend(analysis.notes)
    return Program(
        display_path,
        "notebook",
        analysis.graph,
        cells=cells,
        notes=notes,
        models=analysis.models,
        depends_on=dict(project.files_read) if project is not None else {},
    )
