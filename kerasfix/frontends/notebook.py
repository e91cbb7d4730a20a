"""Notebook frontend: a notebook's code cells, in order, form one program.

IPython magics and shell escapes are blanked (line numbers stay put); a cell with a
syntax error is read around it as a `.py` file is (its bad statements skipped, each said in
a warning `lint` prints), and skipped whole, as Jupyter fails it, when nothing else is left.
`code_cells` is the one reader of a notebook's cells: suppressions and `--fix` read them
through it too.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from pathlib import Path

from kerasfix.frontends.base import InputError, Program, SkippedStatement
from kerasfix.frontends.source import (
    EXHAUSTED,
    assumes_keras_names,
    could_have_findings,
    is_keras1_code,
    parse_module,
    parse_script,
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
    "parse_cell_around_errors",
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
    return _as_written(text, lambda code: parse_module(code, display_path, cell=number))


def parse_cell_around_errors(
    text: str, display_path: str, number: int
) -> tuple[ast.Module, list[SkippedStatement]]:
    """A cell that does not parse, with each bad statement skipped as a `.py` file's are
    (recovery.py), so a typo far below a model does not hide it; raises the cell's first
    syntax error when nothing is left to analyse."""
    try:
        return parse_cell(text, display_path, number), []
    except InputError as first:
        failure = first
    skipped: list[SkippedStatement] = []

    def recover(code: str) -> ast.Module:
        tree, found = parse_script(code, display_path)
        skipped.extend(found)
        return tree

    try:
        tree = _as_written(text, recover)
    except InputError:
        raise failure from None
    covered = {n for s in skipped for n in range(s.first_line, s.last_line + 1)}
    code = {n for n, line in enumerate(text.split("\n"), start=1) if line.strip()[:1] not in "#"}
    if code <= covered:  # nothing of the cell is left: it is skipped, as Jupyter fails it
        raise failure
    return tree, skipped


def _as_written(text: str, parse: Callable[[str], ast.Module]) -> ast.Module:
    indent = leading_indent(text)
    if not indent:
        return parse(text)
    lines = text.split("\n")
    stripped = {i for i, line in enumerate(lines, start=1) if line.startswith(indent)}
    tree = parse(dedent(text, indent))
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
            tree, skipped = parse_cell_around_errors(text, display_path, number)
        except InputError as exc:
            where = str(exc).removeprefix(f"{display_path}:")
            notes.append(f"{where} (cell skipped; the other cells were analysed)")
            continue
        parsed.append((number, text, tree))
        notes.extend(_skipped_note(number, statement) for statement in skipped)
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


def _skipped_note(number: int, statement: SkippedStatement) -> str:
    first, last = statement.first_line, statement.last_line
    lines = f"line {first}" if first == last else f"lines {first}-{last}"
    return (
        f"cell {number}:{statement.headline} (skipped {lines} of the cell; the rest of the"
        " cell was analysed, and `--fix` leaves the cell as it is)"
    )
