"""Fix one file: plan the rewrite, prove it (parse, re-lint, second pass), then write it.

Any doubt abandons the file with a one-line reason and leaves it untouched: it changed since
it was linted, it would not round-trip its encoding or notebook layout, the fixed code would
not parse, or a second pass would change it again.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from kerasfix.engine import lint_program
from kerasfix.findings import Finding
from kerasfix.fixers.policy import FIXABLE_RULES, FixOptions, permute_dims, should_fix, target_name
from kerasfix.frontends.base import InputError, Program
from kerasfix.results import SourceText
from kerasfix.settings import Settings

if TYPE_CHECKING:  # libcst stays out of module import
    from kerasfix.fixers.codemod import Rewrite, SourceEdit

Rewriter = Callable[[Sequence[str], Sequence["SourceEdit"]], "Rewrite"]


@dataclass
class FileFix:
    """The outcome for one file: what it was, what it becomes, and what is left."""

    path: str
    kind: str
    before: bytes = b""
    after: bytes = b""
    fixed: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    diff: str = ""
    notes: list[str] = field(default_factory=list)
    abandoned: str | None = None
    # The text units after the fix (a script's text, or a notebook's code cells).
    texts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.abandoned is None and self.after != self.before


@dataclass
class _Document:
    """A file as parse units: one for a script, one per cell (magics blanked) for a notebook."""

    units: list[str]
    originals: list[str]
    render: Callable[[list[str]], bytes]


def fix_file(
    path: str,
    kind: str,
    findings: Sequence[Finding],
    options: FixOptions,
    settings: Settings,
    expected: SourceText | None = None,
    rewriter: Rewriter | None = None,
) -> FileFix:
    """Plan and verify the fix of one file (nothing is written here; see `write`)."""
    outcome = FileFix(path, kind, remaining=list(findings))
    load = partial(_load, outcome, expected)
    return _fix(outcome, load, findings, options, settings, rewriter=rewriter)


def fix_text(
    path: str,
    kind: str,
    texts: Sequence[str],
    findings: Sequence[Finding],
    options: FixOptions,
    settings: Settings,
    only: Sequence[Finding] | None = None,
) -> FileFix:
    """The same plan and checks for text held in memory (an editor's buffer): `texts` is a
    script's text or a notebook's code cells; the result's `texts` holds them fixed.
    `findings` is all the buffer's findings; `only`, when given, the ones to fix (a quick fix
    of one finding): the others must come through the fix unchanged."""
    outcome = FileFix(path, kind, remaining=list(findings))
    load = partial(_in_memory, outcome, list(texts))
    return _fix(outcome, load, findings, options, settings, only)


def _fix(
    outcome: FileFix,
    load: Callable[[], _Document],
    findings: Sequence[Finding],
    options: FixOptions,
    settings: Settings,
    only: Sequence[Finding] | None = None,
    rewriter: Rewriter | None = None,
) -> FileFix:
    from kerasfix.fixers.textfile import UnsafeToWrite

    try:
        _plan(outcome, load, findings, options, settings, only, rewriter)
    except (UnsafeToWrite, InputError) as exc:
        _abandon(outcome, str(exc), findings)
    except _parser_error() as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        _abandon(outcome, f"LibCST cannot parse it for rewriting ({first})", findings)
    except Exception as exc:  # a parser or codemod failure must not lose the other files
        _abandon(outcome, f"internal error: {type(exc).__name__}: {exc}", findings)
    return outcome


def _parser_error() -> type[Exception]:
    from libcst import ParserSyntaxError

    return ParserSyntaxError


def _abandon(outcome: FileFix, reason: str, findings: Sequence[Finding]) -> None:
    outcome.abandoned = " ".join(reason.split())
    outcome.after = outcome.before
    outcome.fixed = []
    outcome.remaining = list(findings)
    outcome.diff = ""


def _plan(
    outcome: FileFix,
    load: Callable[[], _Document],
    findings: Sequence[Finding],
    options: FixOptions,
    settings: Settings,
    only: Sequence[Finding] | None,
    rewriter: Rewriter | None,
) -> None:
    from kerasfix.checks.flatten_dense import PoolingFacts
    from kerasfix.fixers.codemod import rewrite
    from kerasfix.fixers.convergence import unaccounted
    from kerasfix.fixers.generation import speaks_keras1
    from kerasfix.fixers.textfile import UnsafeToWrite

    if rewriter is None:
        from kerasfix.fixers.import_layout import line_length_for

        rewriter = partial(rewrite, line_length=line_length_for(Path(outcome.path)))
    document = load()
    outcome.texts = list(document.originals)
    chosen = [f for f in findings if only is None or f in only]
    # Only a channels-first site is spelled differently in Keras 1: ask only then.
    keras1 = any(f.data.channels_first for f in chosen if isinstance(f.data, PoolingFacts))
    keras1 = keras1 and speaks_keras1(document.units)
    sites = [s for s in _sites(findings, options, keras1=keras1) if findings[s.ident] in chosen]
    if outcome.kind == "notebook":
        sites = _in_cells_that_parse(outcome, document.units, sites)
    if not sites:
        outcome.after = outcome.before
        return
    result = rewriter(document.units, sites)
    outcome.notes.extend(result.notes)
    texts = [
        _restore(document, index, text) if text != document.units[index] else original
        for index, (text, original) in enumerate(zip(result.texts, document.originals, strict=True))
    ]
    if texts == document.originals:
        outcome.after = outcome.before
        return
    units = _units(outcome.kind, texts)
    if units != result.texts:
        raise UnsafeToWrite("the fix would disturb an IPython magic or Python 2 line")
    changed = [i for i, text in enumerate(texts) if text != document.originals[i]]
    program = _parse_all(outcome.path, outcome.kind, texts, changed)
    remaining = lint_program(program, settings)
    # One Flatten feeding two heads is two findings and one edit: both are fixed by it,
    # even a KF002 head whose own fix waits for --unsafe-fixes (the edit was the KF001's).
    applied = {(site.unit, site.span) for site in result.applied}
    fixed = {
        i
        for i, f in enumerate(findings)
        if f.rule in FIXABLE_RULES and f.span is not None and _where(f) in applied
    }
    untouched = [f for i, f in enumerate(findings) if i not in fixed]
    extra = unaccounted(remaining, untouched)
    second = _sites(extra, options, keras1=keras1)
    if second and rewriter(units, second).texts != units:
        raise UnsafeToWrite("the fix does not converge (a second pass would change the file)")
    if extra:
        first, cell = extra[0], f"cell {extra[0].cell} " if extra[0].cell else ""
        raise UnsafeToWrite(
            f"the fixed code has a finding the fix should not leave ({first.rule} at "
            f"{cell}line {first.line}: still there after its fix, or new)"
        )
    outcome.after = document.render(texts)
    _check_round_trip(outcome, texts)
    outcome.texts = texts
    outcome.fixed = [f for i, f in enumerate(findings) if i in fixed]
    outcome.remaining = remaining
    outcome.diff = _diff(outcome.path, outcome.kind, document.originals, texts)


def _in_cells_that_parse(
    outcome: FileFix, units: Sequence[str], sites: list[SourceEdit]
) -> list[SourceEdit]:
    """The sites whose cell parses: lint reads a cell with a syntax error around it (its
    findings stand), but a rewrite needs the whole cell's tree, so that cell is left as it is
    and said so; the other cells are still fixed."""
    from kerasfix.frontends.notebook import parse_cell

    broken: dict[int, str] = {}
    for unit in sorted({site.unit for site in sites}):
        try:
            parse_cell(units[unit], outcome.path, unit + 1)
        except InputError as exc:
            broken[unit] = str(exc).removeprefix(f"{outcome.path}:")
    for unit, error in broken.items():
        outcome.notes.append(
            f"cell {unit + 1} not fixed: it does not parse ({error}), and a rewrite needs the"
            " whole cell's code"
        )
    return [site for site in sites if site.unit not in broken]


def _load(outcome: FileFix, expected: SourceText | None) -> _Document:
    from kerasfix.fixers.textfile import UnsafeToWrite, decode_json, decode_python
    from kerasfix.fixers.views import script_view
    from kerasfix.frontends.source.decode import read_bytes

    path = Path(outcome.path)
    if outcome.kind == "notebook":
        from kerasfix.fixers.notebook_json import locate_sources, replace_sources
        from kerasfix.fixers.views import notebook_view
        from kerasfix.frontends.notebook import code_cells
        from kerasfix.limits import max_notebook_bytes

        outcome.before = read_bytes(path, max_notebook_bytes())
        decoded = decode_json(outcome.before)
        cells = code_cells(outcome.before, outcome.path)
        if expected is not None and expected.cells is not None and tuple(cells) != expected.cells:
            raise UnsafeToWrite("the file changed since it was linted")
        located = locate_sources(decoded.text)
        if len(located) != len(cells):
            raise UnsafeToWrite("cannot find every cell's source in the notebook JSON")

        def render_notebook(texts: list[str]) -> bytes:
            changed = {i: t for i, t in enumerate(texts) if t != cells[i]}
            return decoded.encode(replace_sources(decoded.text, located, changed))

        return _Document([notebook_view(c) for c in cells], cells, render_notebook)
    outcome.before = read_bytes(path)
    decoded = decode_python(outcome.before)
    if expected is not None and expected.text is not None and decoded.text != expected.text:
        raise UnsafeToWrite("the file changed since it was linted")
    view = script_view(decoded.text)
    return _Document([view], [decoded.text], lambda t: decoded.encode(t[0]))


def _in_memory(outcome: FileFix, texts: list[str]) -> _Document:
    """Text from an editor: rendered as UTF-8 (scripts) or minimal notebook JSON (cells)."""
    import json

    from kerasfix.fixers.views import notebook_view, script_view

    def render(units: list[str]) -> bytes:
        if outcome.kind != "notebook":
            return units[0].encode("utf-8")
        cells = [{"cell_type": "code", "source": unit} for unit in units]
        return json.dumps({"cells": cells}).encode("utf-8")

    outcome.before = render(texts)
    view = notebook_view if outcome.kind == "notebook" else script_view
    return _Document([view(t) for t in texts], texts, render)


def _sites(
    findings: Sequence[Finding], options: FixOptions, keras1: bool = False
) -> list[SourceEdit]:
    from kerasfix.checks.flatten_dense import PoolingFacts
    from kerasfix.fixers.codemod import SourceEdit

    sites = []
    for index, finding in enumerate(findings):
        target = target_name(finding, options.pooling)
        if not should_fix(finding, options) or target is None or finding.span is None:
            continue
        unit, span = _where(finding)
        sites.append(
            SourceEdit(
                unit=unit,
                span=span,
                target=target,
                channels_first=isinstance(finding.data, PoolingFacts)
                and finding.data.channels_first,
                keras1=keras1,
                ident=index,
                permute=permute_dims(finding),
            )
        )
    return sites


def _where(finding: Finding) -> tuple[int, tuple[int, int, int, int]]:
    """The parse unit and span of a source finding, as a `SourceEdit` holds them."""
    span = finding.span
    assert span is not None
    unit = (span.cell - 1) if span.cell else 0
    return unit, (span.line, span.column, span.end_line, span.end_column)


def _restore(document: _Document, index: int, text: str) -> str:
    from kerasfix.fixers.textfile import UnsafeToWrite
    from kerasfix.fixers.views import ViewConflict, restore

    try:
        return restore(document.originals[index], document.units[index], text)
    except ViewConflict as exc:
        raise UnsafeToWrite(str(exc)) from None


def _units(kind: str, texts: list[str]) -> list[str]:
    from kerasfix.fixers.views import notebook_view, script_view

    view = notebook_view if kind == "notebook" else script_view
    return [view(text) for text in texts]


def _parse_all(path: str, kind: str, texts: list[str], changed: list[int]) -> Program:
    """The fixed text as a Program; a changed cell or file that no longer parses raises."""
    from kerasfix.fixers.textfile import UnsafeToWrite
    from kerasfix.frontends.notebook import parse_cell, program_from_cells, strip_magics
    from kerasfix.frontends.source import parse_module, program_from_text

    notebook = kind == "notebook"
    try:
        for index in changed:
            if notebook:  # as IPython runs it: a cell indented as a whole is dedented
                parse_cell(strip_magics(texts[index]), path, index + 1)
            else:
                parse_module(texts[index], path)
    except InputError as exc:
        raise UnsafeToWrite(f"the fixed code would not parse: {exc}") from None
    return program_from_cells(list(texts), path) if notebook else program_from_text(texts[0], path)


def _check_round_trip(outcome: FileFix, texts: list[str]) -> None:
    """The written bytes must read back as exactly the fixed text."""
    from kerasfix.fixers.textfile import UnsafeToWrite, decode_python
    from kerasfix.frontends.notebook import code_cells

    if outcome.kind == "notebook":
        ok = code_cells(outcome.after, outcome.path) == texts
    else:
        ok = decode_python(outcome.after).text == texts[0]
    if not ok:
        raise UnsafeToWrite("the fixed file would not read back as the fixed code")


def _diff(path: str, kind: str, before: list[str], after: list[str]) -> str:
    chunks = []
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        if old == new:
            continue
        label = f"{path}:cell {index + 1}" if kind == "notebook" else path
        lines = difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), label, label
        )
        chunks.append("".join(_terminated(lines)))
    return "".join(chunks)


def _terminated(lines: object) -> list[str]:
    out = []
    for line in lines:  # type: ignore[attr-defined]
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return out


def write(outcome: FileFix) -> None:
    """Write a verified, changed file atomically (mode, encoding and endings preserved)."""
    from kerasfix.fixers.textfile import write_atomic

    if outcome.changed:
        write_atomic(Path(outcome.path), outcome.after)
