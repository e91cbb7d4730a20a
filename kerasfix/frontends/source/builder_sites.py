"""Flatten sites a project file reports on its own: a builder another file calls makes the
same layers, and when that file alone already gives them the same sizes (model.py's
`build_model()` with its constants, called by its own `__main__` block or explored by
kerasfix), the importer's finding would say it twice. Each file is analysed alone once per
process (memoised on its path and digest), through the same frontend lint uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kerasfix.frontends.source.project_files import ModuleFile
from kerasfix.graph.model import Shape

if TYPE_CHECKING:
    from kerasfix.frontends.base import Program

# The frontend's own entry (frontends.source.program_from_text: text, path -> Program).
Analyse = Callable[[str, str], "Program"]

Sites = dict[tuple[int, int], set[Shape | None]]  # (line, column) -> input shapes seen

_MEMO: dict[tuple[Path, str], Sites] = {}
_RUNNING: set[Path] = set()


def own_sites(file: ModuleFile, analyse: Analyse) -> Sites:
    """The input shape of each Flatten `file` sizes when analysed alone ({} inside a
    cycle of such analyses, which then keeps the importer's findings)."""
    key = (file.path, file.digest)
    known = _MEMO.get(key)
    if known is not None:
        return known
    if file.path in _RUNNING:
        return {}
    _RUNNING.add(file.path)
    try:
        sites = _analyse(file, analyse)
    finally:
        _RUNNING.discard(file.path)
    _MEMO[key] = sites
    return sites


def _analyse(file: ModuleFile, analyse: Analyse) -> Sites:
    from kerasfix.frontends.base import InputError
    from kerasfix.frontends.source.caller_sizes import alone
    from kerasfix.graph.inference import infer

    try:
        with alone():  # what the file gives alone, not what its callers give it
            program = analyse(file.text, str(file.path))
        infer(program.graph)
    except (InputError, RecursionError):
        return {}
    sites: Sites = {}
    for node in program.graph.nodes:
        span = node.layer.span
        if node.layer.class_name == "Flatten" and span is not None and node.inputs:
            shape = node.inputs[0].output_shape
            sites.setdefault((span.line, span.column), set()).add(shape)
    return sites
