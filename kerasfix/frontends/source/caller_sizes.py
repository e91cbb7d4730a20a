"""A builder's Flatten sized by the project's files that call it.

`def comma2(H, W): ... Flatten() ...` alone gives a Flatten of unknown size (KF002); its
project's `run_train.py` calls `comma2(90, 320)`. When the builder's file is linted, each
file of the project that names the module and the builder (caller_files.py) is analysed as
lint analyses it (its import of the builder runs the builder with the caller's values,
project_imports.py), and the layers that call makes are taken into this file's graph at
the builder's own lines: the finding is then reported here, with exact counts, naming the
call that fixed the size ("sized by run_train.py:56: comma2(90, 320)"). Where several
callers size one Flatten differently, the largest Flatten (of equal ones, the one feeding the
widest Dense) is reported and the others are named. A Flatten no caller sizes keeps its KF002;
one the file sizes itself is left alone.

Callers are analysed without looking for their own callers (one level), each once per
process for its bytes and the bytes of every file it read.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import copy
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kerasfix.frontends.source import caller_files, project_files
from kerasfix.frontends.source.exploration_focus import focused_on
from kerasfix.graph.model import Graph, Node, SourceSpan
from kerasfix.limits import MAX_CALLERS, MAX_COMPONENT

if TYPE_CHECKING:
    from kerasfix.frontends.base import Program

# The frontend's own entry (frontends.source.program_from_text: text, path -> Program).
Analyse = Callable[[str, str], "Program"]
Site = tuple[int, int]  # (line, column) of a Flatten in the builder's file
CALL_SHOWN = 60  # characters of the caller's call a message quotes

_ALONE: contextvars.ContextVar[bool] = contextvars.ContextVar("kerasfix_alone", default=False)


@contextlib.contextmanager
def alone() -> Iterator[None]:
    """Analyses inside do not look for callers (a caller's, or a builder's own sites)."""
    token = _ALONE.set(True)
    try:
        yield
    finally:
        _ALONE.reset(token)


def sizing_wanted() -> bool:
    return not _ALONE.get()


@dataclass
class _Caller:
    """One caller file analysed: its program and what that analysis read."""

    digest: str
    depends_on: dict[str, str]
    program: Program | None
    cell_starts: list[tuple[int, int]]  # a notebook's: (line in the program, cell number)


_MEMO: dict[tuple[Path, frozenset[str]], _Caller] = {}


@dataclass
class Sizing:
    """What sizing from callers added: notes for the file, and what it read."""

    notes: list[str]
    depends_on: dict[str, str]


def size_from_callers(
    builder: Path, text: str, tree: ast.Module, graph: Graph, analyse: Analyse
) -> Sizing:
    """Add to `graph` the layers callers make at each Flatten of `builder` that `graph`
    leaves unsized inside a function or class, and mark the unsized ones as reported.
    `text` is what was analysed: callers import the file on disk, so an editor's unsaved
    buffer that differs from it keeps its own findings (the callers' layers would be the
    saved file's)."""
    sizing = Sizing([], {})
    unsized = _unsized_sites(graph)
    owners = {site: _owner(tree, site[0]) for site in unsized}
    names = tuple(sorted({name for name in owners.values() if name is not None}))
    if not names:  # most files: nothing to size, and no second parse of the file
        return sizing
    on_disk = project_files.read_module(builder, builder.as_posix())
    if not isinstance(on_disk, project_files.ModuleFile) or on_disk.text != text:
        return sizing
    root = project_files.search_root(builder)
    found = caller_files.find_candidates(builder, root, names, project_files.importer_of)
    sizing.depends_on[caller_files.callers_key(builder, root, names)] = (
        caller_files.candidates_digest(found)
    )
    paths = found.paths
    if found.bound is not None:
        sizing.notes.append(f"callers of {', '.join(names)} not all looked for: {found.bound}")
    if len(paths) > MAX_CALLERS:
        sizing.notes.append(
            f"callers of {', '.join(names)} not all read: {len(paths)} project files import "
            f"this file and name them, the first {MAX_CALLERS} (its own folder's first) were"
        )
        paths = paths[:MAX_CALLERS]
    # Sites only the file's exploration of uncalled code sized, with its defaults: a caller
    # that calls the builder decides them, even when it leaves the size unknown (KF002).
    explored = {site for site, nodes in unsized.items() if all(n.input_sized for n in nodes)}
    offers: dict[Site, list[_Offer]] = {}
    for path in paths:
        caller = _analysed(path, analyse, frozenset(names))
        sizing.depends_on.update(caller.depends_on)
        if caller.program is not None:
            for offer in _offers(caller, builder, unsized, explored):
                offers.setdefault(offer.site, []).append(offer)
    # Every caller read: an unsized call then outweighs the defaults (with callers left
    # unread, one of them may call it as the defaults do: they stay).
    every_caller_read = found.bound is None and len(found.paths) <= MAX_CALLERS
    for site, offered in offers.items():
        sized = [offer for offer in offered if offer.size > 0]
        if not sized and (site not in explored or not every_caller_read):
            continue
        # the largest Flatten first, of equal ones the widest Dense (the costliest call)
        ranked = sorted(sized or offered[:1], key=lambda offer: (-offer.size, -offer.units))
        chosen = ranked[0]
        note = f"{'sized' if sized else 'called'} by {chosen.call}"
        others = [offer.call for offer in ranked[1:]]
        if others:
            note += f"; also called by {', '.join(others[:2])}"
            note += f" and {len(others) - 2} more" if len(others) > 2 else ""
        for flatten in unsized[site]:
            flatten.layer.origin["reported_in"] = note
        chosen.flatten.layer.origin["imported"] = (note,)
        graph.nodes.extend(chosen.nodes)
    return sizing


@dataclass
class _Offer:
    """The layers one caller makes for one Flatten of the builder, at the builder's lines."""

    site: Site
    size: int  # the flattened width
    nodes: list[Node]
    flatten: Node
    call: str  # `run_train.py:56: comma2(90, 320)`
    units: int = 0  # the Dense's width, when known: breaks a tie between equal sizes


def _unsized_sites(graph: Graph) -> dict[Site, list[Node]]:
    """The Flattens callers may size: those the file leaves unsized, and those only code
    nobody in the file calls made, run with its defaults (a builder the project's other
    files call with their own values: `build_vgg_model(nb_fc=[512, 512])`)."""
    from kerasfix.graph.inference import infer

    found: dict[Site, list[Node]] = {}
    for _, sub in graph.walk():
        for node in sub.nodes:
            span = node.layer.span
            if node.layer.class_name != "Flatten" or span is None or span.cell is not None:
                continue
            if node.inputs:
                found.setdefault((span.line, span.column), []).append(node)
    if not found:  # most files: no shapes to read, and inference is the costly part
        return {}
    infer(graph)
    return {
        site: nodes
        for site, nodes in found.items()
        if any(not node.input_sized for node in nodes)
        or all(node.layer.origin.get("explored") for node in nodes)
    }


def _owner(tree: ast.Module, line: int) -> str | None:
    """The top-level function or class whose body holds `line` (None: top-level code,
    which callers run on import and cannot size)."""
    for stmt in tree.body:
        definition = isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if definition and stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
            return stmt.name  # type: ignore[union-attr]
    return None


def _analysed(path: Path, analyse: Analyse, names: frozenset[str]) -> _Caller:
    """The caller's program, once per process for its bytes and those of what it read, and
    for the builders it is read for: code nobody calls is explored only where it names one
    of them (exploration_focus.py)."""
    from kerasfix.frontends.base import InputError

    text, starts = _caller_code(path)
    digest = project_files.content_digest(text.encode()) if text is not None else ""
    known = _MEMO.get((path, names))
    fresh = known is not None and known.digest == digest
    if fresh and project_files.files_unchanged(known.depends_on):  # type: ignore[union-attr]
        return known  # type: ignore[return-value]
    program: Program | None = None
    depends_on: dict[str, str] = {}
    if text is not None:
        try:
            with alone(), focused_on(names | _aliases(text, names)):
                program = analyse(text, str(path))
            depends_on.update(program.depends_on)
        except (InputError, RecursionError, MemoryError):
            program = None
        raw_digest = project_files.file_digest(path)
        if raw_digest:
            depends_on[str(path)] = raw_digest
    caller = _Caller(digest, depends_on, program, starts)
    _MEMO[(path, names)] = caller
    return caller


def _aliases(text: str, names: frozenset[str]) -> frozenset[str]:
    """What the caller imports the builders as (`from nets.large import layers as L`)."""
    found = set()
    for line in text.splitlines():
        if " import " not in line or " as " not in line:
            continue
        for name in names:
            if match := re.search(rf"\b{re.escape(name)}\s+as\s+(\w+)", line):
                found.add(match.group(1))
    return frozenset(found)


def _caller_code(path: Path) -> tuple[str | None, list[tuple[int, int]]]:
    """The code a caller runs: a script's text, or a notebook's code as IPython runs it with
    the line each cell starts at (caller_files.notebook_code)."""
    if path.suffix == ".ipynb":
        return caller_files.notebook_code(path)
    module = project_files.read_module(path, path.as_posix())
    return (module.text, []) if isinstance(module, project_files.ModuleFile) else (None, [])


def _offers(
    caller: _Caller, builder: Path, unsized: dict[Site, list[Node]], explored: set[Site]
) -> Iterator[_Offer]:
    """Each Flatten of `builder` the caller sizes (and, at `explored` sites, each it
    reaches without a size: size 0): its size, the layers it takes (copied, at the
    builder's lines) and the note naming the call."""
    from kerasfix.graph.inference import infer

    program = caller.program
    assert program is not None

    infer(program.graph)
    consumers = program.graph.consumers()
    seen: set[Site] = set()
    reached: dict[Site, Node] = {}  # explored sites this caller reaches without a size
    for node in program.graph.nodes:
        written = node.layer.origin.get("written_in")
        if node.layer.class_name != "Flatten" or not node.inputs or written is None:
            continue
        path, span = written
        site = (span.line, span.column)
        if path != str(builder) or site not in unsized or site in seen:
            continue
        if not node.input_sized:
            if site in explored:
                reached.setdefault(site, node)
            continue
        offer = _offer(program, caller, builder, node, site, consumers)
        if offer is not None:
            seen.add(site)
            yield offer
    for site, node in reached.items():
        if site not in seen and (offer := _offer(program, caller, builder, node, site, consumers)):
            yield offer


def _offer(
    program: Program,
    caller: _Caller,
    builder: Path,
    node: Node,
    site: Site,
    consumers: dict[int, list[Node]],
) -> _Offer | None:
    """The layers of one Flatten the caller makes, copied to the builder's lines (size 0
    when the caller leaves it unsized)."""
    component = _component(node, consumers)
    if component is None:
        return None
    shape = node.inputs[0].output_shape
    sized = node.input_sized and shape is not None
    size = math.prod(d for d in shape[1:] if d is not None) if sized and shape else 0
    memo: dict[int, object] = {}
    copied = copy.deepcopy(component, memo)
    _place_at_builder(copied, str(builder))
    call = _call(program, node.layer.span, builder, caller.cell_starts)
    units = _dense_units(node, consumers)
    return _Offer(site, size, copied, memo[id(node)], call, units)  # type: ignore[arg-type]


def _dense_units(flatten: Node, consumers: dict[int, list[Node]]) -> int:
    """The width of the Dense a Flatten feeds (through shape-keeping layers), 0 if unknown:
    of two callers that flatten the same map, the one with the wider Dense costs more."""
    pending = list(consumers.get(id(flatten), []))
    for _ in range(8):
        if not pending:
            break
        current = pending.pop(0)
        units = current.layer.config.get("units")
        if current.layer.class_name == "Dense":
            return units if isinstance(units, int) and not isinstance(units, bool) else 0
        pending.extend(consumers.get(id(current), []))
    return 0


def _component(flatten: Node, consumers: dict[int, list[Node]]) -> list[Node] | None:
    """The Flatten, every layer before it and every layer after it, in graph order; None
    when one of them is a model Keras would not build (the caller's own finding says so)."""
    kept: dict[int, Node] = {}
    pending = [flatten]
    while pending:  # before it
        current = pending.pop()
        if id(current) not in kept:
            kept[id(current)] = current
            pending.extend(current.inputs)
    pending = list(consumers.get(id(flatten), []))
    while pending:  # after it
        current = pending.pop()
        if id(current) not in kept:
            kept[id(current)] = current
            pending.extend(consumers.get(id(current), []))
        if len(kept) > MAX_COMPONENT:
            return None
    nodes = list(kept.values())
    for node in nodes:
        for _, sub in _graphs(node):
            if any(inner.build_error is not None for inner in sub.nodes):
                return None
        if node.build_error is not None:
            return None
    return nodes


def _graphs(node: Node) -> Iterator[tuple[tuple[str, ...], Graph]]:
    if node.layer.inner is not None:
        yield from node.layer.inner.walk()


def _place_at_builder(nodes: list[Node], builder: str) -> None:
    """Each copied layer at the builder's line that wrote it; a layer the caller wrote
    itself has no place in this file."""
    layers = [node.layer for node in nodes]
    for node in nodes:
        for _, sub in _graphs(node):
            layers.extend(inner.layer for inner in sub.nodes)
    for layer in layers:
        origin = layer.origin
        written = origin.pop("written_in", None)
        layer.span = written[1] if written is not None and written[0] == builder else None
        declared = origin.pop("declared_in", None)
        origin.pop("declared_at", None)
        if declared is not None and declared[0] == builder:
            origin["declared_at"] = declared[1]
        # The caller's own notes; its `fit` calls (`feeds`) are checked in its file (KF003).
        for key in ("imported", "reported_in", "world", "feeds"):
            origin.pop(key, None)


def _call(
    program: Program, span: SourceSpan | None, builder: Path, cell_starts: list[tuple[int, int]]
) -> str:
    """`run_train.py:56: comma2(90, 320)` (`notebook.ipynb:cell 3:10: ...`): the caller's
    place and the start of its call."""
    where = project_files.display_path(Path(program.path), builder)
    if span is None:
        return where
    lines = (program.text or "").splitlines()
    text = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
    end = span.end_column - 1 if span.end_line == span.line else len(text)
    call = text[span.column - 1 : end].strip()
    if span.end_line != span.line or len(call) > CALL_SHOWN:
        call = call[:CALL_SHOWN].rstrip() + "..."
    line = span.line
    for start, cell in reversed(cell_starts):
        if start <= span.line:
            where, line = f"{where}:cell {cell}", span.line - start + 1
            break
    return f"{where}:{line}: {call}" if call else f"{where}:{line}"
