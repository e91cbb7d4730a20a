"""One file's layer graph from its alternative worlds (paths.py): each world's graph side by
side, so a Flatten site is checked in every world that reaches it.

The rules de-duplicate findings by place, so a site with the same numbers in every world is
one finding, without a condition; a site whose numbers differ between worlds, or that only
some worlds reach, carries the condition of the world it came from (`origin["world"]`, which
the message names: "when name == 'cnn'").
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kerasfix.frontends.source.exploration_focus import code_names
from kerasfix.frontends.source.paths import Paths, explore
from kerasfix.frontends.source.saved_features import loaded_features
from kerasfix.graph.inference import infer
from kerasfix.graph.model import Graph, Layer, Unknown

if TYPE_CHECKING:
    from kerasfix.frontends.source.interpreter import Interpreter


@dataclass
class Analysis:
    graph: Graph
    models: list[Layer]
    exhausted: bool
    notes: list[str] = field(default_factory=list)


def analyse_code(
    modules: list[tuple[ast.Module, list[str], int | None]],
    keras_names: bool,
    keras1_code: Callable[[], bool],
) -> Analysis:
    """A file's (or a notebook's cells', in order) modules: tree, lines, cell number."""
    from kerasfix.frontends.source.interpreter import Interpreter

    saved_features = functools.cache(lambda: loaded_features(tree for tree, _, _ in modules))

    def run_once(paths: Paths) -> Interpreter:
        interpreter = Interpreter()
        interpreter.paths = paths
        interpreter.saved_features = saved_features
        interpreter.keras1_code = keras1_code
        if keras_names:
            interpreter.assume_keras_names()
        for tree, lines, cell in modules:
            interpreter.run_module(tree, lines, cell=cell)
        interpreter.finish()
        return interpreter

    return analyse(run_once)


def analyse(run_once: Callable[[Paths], Interpreter]) -> Analysis:
    """Run the file (`run_once` runs a fresh interpreter over it with the given choices and
    returns it finished) once per world, and put the worlds' graphs together."""
    explored = explore(run_once, _worth_worlds)  # type: ignore[arg-type]
    runs: list[Interpreter] = explored.runs  # type: ignore[assignment]
    notes = []
    if explored.bound is not None:
        notes.append(
            "branches on conditions the file does not decide are analysed together, not "
            f"one alternative at a time: that would pass the bound of {explored.bound}"
        )
    exhausted = any(run.exhausted for run in runs)
    if len(runs) == 1:
        return Analysis(runs[0].graph, runs[0].models, exhausted, notes)
    _label_world_dependent(runs)
    graph = Graph(name=None, class_name="Program")
    graph.nodes = [node for run in runs for node in run.graph.nodes]
    models: dict[Any, Layer] = {}
    for run in runs:
        for model in run.models:
            models.setdefault(_place(model) or id(model), model)
    return Analysis(graph, list(models.values()), exhausted, notes)


def _worth_worlds(run: Interpreter) -> bool:  # type: ignore[misc]
    """Whether worlds could tell more than the merged first run: it left a Flatten unsized
    or a model unbuildable, or a merged `return` cut short code that could build a model."""
    return _cut_code_could_build(run) or _leaves_sites_unsized(run)


def _cut_code_could_build(run: Interpreter) -> bool:  # type: ignore[misc]
    """Whether a function a merged branch's `return` cut short names (as a name or an
    attribute, not in a comment or a string) a word some rule needs: the prefilter's
    `Flatten`, `Model`, ... A function that does not builds no model itself; builders it
    would have called are explored as code nobody calls. Worlds cost a run of the whole file
    each (a training script's `main` full of `if FLAGS.x`, returning early in library
    helpers, took 1.4 s for no finding)."""
    words = _rule_words()
    for function in run.paths.cut_in:
        node = getattr(function, "node", None)
        if words is None or node is None or not words.isdisjoint(code_names(node)):
            return True
    return False


@functools.cache
def _rule_words() -> frozenset[str] | None:
    """The rules' prefilter words; None when some rule has no prefilter."""
    from kerasfix.rule_registry import prefilter_tokens

    tokens = prefilter_tokens()
    return None if tokens is None else frozenset(tokens)


def _leaves_sites_unsized(run: Interpreter) -> bool:  # type: ignore[misc]
    """Whether a Flatten of the merged run has a shape it does not know, or a model Keras
    could not build (what a merge of exclusive branches gives): worlds could tell more. The
    conditions whose merged branches gave a value that sizes such a site differently
    (`input_shape = [1, 28, 28]` or `[28, 28, 1]`) become worth a world per branch."""
    infer(run.graph)
    unsized = [
        node
        for node in run.graph.nodes
        if node.layer.class_name in ("Flatten", "TimeDistributed")
        and node.inputs
        and not node.input_sized
    ]
    if unsized and run.paths.value_joins:
        run.paths.fork_value_joins(_unknowns_upstream(unsized))
    return bool(unsized)


def _unknowns_upstream(nodes: list[Any]) -> list[Unknown]:
    """The unknown config values of these nodes' layers and of every layer feeding them."""
    found: list[Unknown] = []
    seen: set[int] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.extend(_unknowns_in(node.layer.config))
        stack.extend(node.inputs)
    return found


def _unknowns_in(value: Any, depth: int = 0) -> list[Unknown]:
    if isinstance(value, Unknown):
        return [value]
    if depth > 4:
        return []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [found for item in value for found in _unknowns_in(item, depth + 1)]
    return []


def _place(layer: Layer) -> tuple[int, int, int | None] | None:
    span = layer.span
    return (span.line, span.column, span.cell) if span is not None else None


def _label_world_dependent(runs: list[Interpreter]) -> None:
    """Name the condition under which each layer call comes out as it does: the choices
    shared by every world where a call at that place comes out that way (none when every
    world has it, `flag` when only `flag` changes it)."""
    per_world: list[dict[Any, set[str]]] = []
    layers: list[tuple[int, Any, str, Layer]] = []
    for index, run in enumerate(runs):
        infer(run.graph)
        consumers = run.graph.consumers()
        found: dict[Any, set[str]] = {}
        seen: set[int] = set()
        for node in run.graph.nodes:
            place = _place(node.layer)
            if place is None:
                continue
            # What a finding there states: the shapes in and out, and what reads the output.
            inputs = tuple(parent.output_shape for parent in node.inputs)
            readers = tuple(
                (reader.layer.class_name, reader.output_shape)
                for reader in consumers.get(id(node), [])
            )
            signature = repr((inputs, node.output_shape, readers))
            found.setdefault(place, set()).add(signature)
            if id(node.layer) not in seen:  # a shared layer: its first call speaks for it
                seen.add(id(node.layer))
                layers.append((index, place, signature, node.layer))
        per_world.append(found)
    choices = [{(made.key, chosen) for made, chosen, _ in run.paths.taken} for run in runs]
    for index, place, signature, layer in layers:
        alike = [i for i, world in enumerate(per_world) if signature in world.get(place, ())]
        if len(alike) == len(runs):
            continue
        shared = set.intersection(*(choices[i] for i in alike))
        frames, before = runs[index].made_in.get(layer) or ({0}, 0)
        label = runs[index].paths.label(shared, frames, before)
        if label:
            layer.origin["world"] = label
