"""Notebook frontend: a notebook's code cells, in order, form one program.

IPython magics and shell escapes are blanked (line numbers stay put); a cell with a
syntax error is skipped with a note (a warning `lint` prints), as Jupyter would fail just
that cell. `code_cells` is the one reader of a notebook's cells: suppressions and `--fix`
read them through it too.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

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
from kerasfix.frontends.source.notebook_cells import (
    code_cells,
    dedent,
    leading_indent,
    reindent,
    strip_magics,
    whole_cell_indent,
)
from kerasfix.graph.model import Graph

__all__ = [  # the cell readers live in source/notebook_cells.py; their callers import them here
    "code_cells",
    "dedent",
    "parse_cell",
    "program_from_cells",
    "read_notebook",
    "reindent",
    "strip_magics",
    "whole_cell_indent",
]


def read_notebook(path: Path, prefilter: bool = True) -> Program:
    from kerasfix.limits import max_notebook_bytes

    data = read_bytes(path, max_notebook_bytes())
    cells = code_cells(data, path.as_posix())
    return program_from_cells(cells, path.as_posix(), prefilter)


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
