"""One editor buffer through the same pipeline as `kerasfix lint`: frontend, rules, settings,
suppressions. Editor text is checked as it is, unsaved; nothing here knows about LSP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kerasfix.findings import Finding
from kerasfix.frontends.base import InputError, Program
from kerasfix.frontends.source.layer_lines import LayerLine, layer_lines
from kerasfix.settings import Settings


@dataclass(frozen=True)
class Buffer:
    """What an editor holds: a script (`texts` = [its text]) or a notebook (one entry per
    cell in notebook order, "" for markdown cells, so cell numbers match Jupyter's)."""

    path: str
    kind: str  # "source" | "notebook"
    texts: tuple[str, ...]


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    layers: list[LayerLine] = field(default_factory=list)
    error: str | None = None  # why the buffer could not be (wholly) checked: a syntax error
    # The project's other files the analysis read (path -> digest): a saved change to one
    # of them makes the buffer's stored analysis stale (project_files.files_unchanged).
    depends_on: dict[str, str] = field(default_factory=dict)


def analyse(buffer: Buffer, settings: Settings) -> Analysis:
    """Findings and per-line layer shapes of one buffer, under `settings`."""
    from kerasfix.engine import lint_program
    from kerasfix.suppressions import cells_skip_file, text_skips_file

    # Excludes anchored at the project (a parent folder named `build` must not hide it all).
    if settings.excludes(Path(buffer.path)):
        return Analysis()
    notebook = buffer.kind == "notebook"
    if cells_skip_file(buffer.texts) if notebook else text_skips_file(buffer.texts[0]):
        return Analysis()
    try:
        program = _program(buffer)
        findings = lint_program(program, settings)  # runs shape inference on the graph
    except InputError as exc:
        return Analysis(error=str(exc))
    except RecursionError:
        return Analysis(error=f"{buffer.path}: nesting too deep to analyse")
    # A statement that does not parse was skipped and the rest analysed (as `lint` does):
    # its findings stand, and the syntax error is said too.
    error = f"{buffer.path}:{program.errors[0]}" if program.errors else None
    return Analysis(findings, layer_lines(program.graph), error, program.depends_on)


def _program(buffer: Buffer) -> Program:
    if buffer.kind == "notebook":
        from kerasfix.frontends.notebook import program_from_cells

        return program_from_cells(list(buffer.texts), buffer.path, prefilter=False)
    from kerasfix.frontends.source import program_from_text

    return program_from_text(buffer.texts[0], buffer.path, prefilter=False)
