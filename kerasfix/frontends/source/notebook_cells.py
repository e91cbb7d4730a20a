"""A notebook's code cells as text: the one reader of a notebook's JSON (the notebook frontend,
suppressions, `--fix`, and the callers of a builder, caller_files.py), and what IPython does
to a cell's text before running it (magics blanked, a cell indented as a whole dedented).
Kept apart from the notebook frontend so the source frontend can read a notebook that calls
a builder without importing that frontend."""

from __future__ import annotations

import json
import re
from typing import Any

from kerasfix.frontends.base import InputError
from kerasfix.frontends.source.magics import blank_magic_lines


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
    if lines and (_WRITES_SCRIPT.match(lines[0]) or _RUNS_PYTHON.match(lines[0])):
        # `%%writefile train.py`: the cell is the script it writes, Python to lint;
        # `%%time`, `%%capture`: the cell runs as Python, timed or with its output kept
        return blank_magic_lines("\n".join(["", *lines[1:]]))
    if lines and lines[0].lstrip().startswith("%%"):
        return "\n".join("" for _ in lines)  # a cell magic: the whole cell is not Python
    return blank_magic_lines(source)


_WRITES_SCRIPT = re.compile(r"^\s*%%(?:writefile|file)\s+(?:-a\s+)?\S+\.py\s*$")
_RUNS_PYTHON = re.compile(r"^\s*%%(?:time|timeit|capture|prun|memit)(?:\s.*)?$")


def leading_indent(text: str) -> str:
    """The whitespace IPython removes from a cell before running it (its `leading_indent`
    transformer): the first line's indentation, taken off every line that starts with it."""
    first = text.split("\n", 1)[0]
    return first[: len(first) - len(first.lstrip(" \t"))] if first.strip() else ""


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
