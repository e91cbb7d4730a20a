"""Alternative worlds: branches on a condition the file does not decide, analysed one by one.

`if name == "cnn": <build a CNN> elif name == "mlp": <build an MLP>` inside a builder is
two exclusive models, not one model holding both layer stacks (which Keras could not
build). The evaluator runs such an `if` (or `match`) as a merge the first time it meets
it, noting whether its branches build anything; if one does, the file is run again once
per combination of branch choices (a *world*), each a plain, exact run where that `if`
takes one branch. Worlds are enumerated one path at a time (a choice not made yet takes
its first branch and queues the others), so `if/elif/else` costs three runs, not four.

Bounded: at most MAX_WORLDS worlds and MAX_RUNS runs per file, and no new run once the
runs so far took WORLD_STEPS evaluation steps; `explore` says which bound stopped it.
Conditions inside a loop the file does not decide stay merged: forcing every iteration
down one branch could be a world no run reaches.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from kerasfix.frontends.source.identity_map import IdentityMap
from kerasfix.limits import MAX_RUNS, MAX_WORLDS, WORLD_STEPS


@dataclass(frozen=True)
class Decision:
    """One undecided condition: `key` is the same for the same condition text, so two
    `if name == "cnn":` in one file take the same branch in a world."""

    key: str
    line: int
    labels: tuple[str, ...]  # what each branch assumes, as code (`name == 'cnn'`)
    node: int  # id() of the statement: one met twice in a run is no fork (see `reach`)


@dataclass
class Paths:
    """One run's branch choices: those forced (`choices`), those it made, and the
    alternatives it leaves for later runs."""

    forkable: set[str] = field(default_factory=set)
    choices: dict[str, int] = field(default_factory=dict)
    # Branches some run has taken or will take: a choice not made yet queues only the others
    # (each branch is covered once; independent builders do not multiply their worlds).
    covered: set[tuple[str, int]] = field(default_factory=set)
    taken: list[tuple[Decision, int, int]] = field(default_factory=list)  # ..., frame
    alternatives: list[dict[str, int]] = field(default_factory=list)
    discovered: set[str] = field(default_factory=set)
    repeated: set[str] = field(default_factory=set)
    # Functions where a merged branch returned (`return`), so the branches and statements
    # after it never ran (None: no function known); worlds.py asks whether that code could
    # build anything.
    cut_in: list[object] = field(default_factory=list)
    # Values the merged branches assigned differently (`input_shape = [1, 28, 28]` or
    # `[28, 28, 1]`): the unknown made by joining them -> its condition's key. A site left
    # unsized by one of them is worth a world per branch (worlds.py), as a build is.
    value_joins: IdentityMap[object, str] = field(default_factory=IdentityMap)
    _met: set[int] = field(default_factory=set)

    def reach(self, decision: Decision) -> None:
        """Note that the run met this undecided condition. A statement met twice (a block
        builder called in a loop: `if p is None:` is true for the first cell only) is
        never forced: one choice for every call could be a world no run reaches."""
        if decision.node in self._met:
            self.repeated.add(decision.key)
        self._met.add(decision.node)

    def new_call(self) -> None:
        """A call kerasfix makes itself (code nobody calls, run with unknown arguments): its
        conditions are met afresh, a choice for them holds for this call as for any other."""
        self._met.clear()

    def choose(self, decision: Decision, inside_undecided: bool, frame: int) -> int | None:
        """The branch this world takes, or None to merge the branches (the condition
        builds nothing, or sits inside an undecided loop). `frame` names the function
        running it, which `label` uses to tell which choices a layer depends on."""
        if inside_undecided or decision.key not in self.forkable:
            return None
        for made, index, _ in self.taken:
            if made.key == decision.key:
                return index
        index = self.choices.get(decision.key)
        if index is None:
            index = 0
            so_far = {made.key: chosen for made, chosen, _ in self.taken}
            for other in range(1, len(decision.labels)):
                if (decision.key, other) not in self.covered:
                    self.covered.add((decision.key, other))
                    self.alternatives.append({**so_far, decision.key: other})
        self.covered.add((decision.key, index))
        self.taken.append((decision, index, frame))
        return index

    def note_builds(self, decision: Decision, inside_undecided: bool) -> None:
        """A merged condition whose branches build layers: worth a world per branch."""
        if not inside_undecided and decision.key not in self.forkable:
            self.discovered.add(decision.key)

    def note_value_join(self, decision: Decision, unknown: object, inside_undecided: bool) -> None:
        """A merged condition whose branches gave a name different values."""
        if not inside_undecided:
            self.value_joins[unknown] = decision.key

    def fork_value_joins(self, unknowns: list[object]) -> None:
        """Worth a world per branch: the conditions whose joins made these unknowns."""
        for unknown in unknowns:
            key = self.value_joins.get(unknown)
            if key is not None:
                self.discovered.add(key)

    def label(self, only: set[tuple[str, int]], frames: set[int], before: int) -> str:
        """What this world assumed, as one condition: of the choices in `only`, those made
        in one of `frames` (the functions running where a layer was made), else those made
        before it (the `before` first)."""
        chosen = [(m, i, f) for m, i, f in self.taken[:before] if (m.key, i) in only]
        local = [(m, i, f) for m, i, f in chosen if f in frames]
        parts = [made.labels[index] for made, index, _ in (local or chosen)]
        fixed = {part.split(" == ", 1)[0] for part in parts if " == " in part}
        # `name != 'cnn' and name == 'mlp'` says no more than `name == 'mlp'`.
        kept = [p for p in parts if " != " not in p or p.split(" != ", 1)[0] not in fixed]
        return " and ".join(dict.fromkeys(kept))


def if_decision(stmt: ast.If | ast.IfExp) -> Decision:
    text = _short(ast.unparse(stmt.test))
    return Decision(f"if {text}", stmt.lineno, (text, _negation(stmt.test, text)), id(stmt))


def match_decision(stmt: ast.Match) -> Decision:
    """A `match` on an unknown subject: one branch per case, plus "no case" when no case
    is a wildcard."""
    subject = _short(ast.unparse(stmt.subject))
    labels = [_case_label(subject, case.pattern) for case in stmt.cases]
    if not any(_is_wildcard(case.pattern) and case.guard is None for case in stmt.cases):
        labels.append(f"{subject} matches no case (line {stmt.lineno})")
    return Decision(f"match {subject}", stmt.lineno, tuple(labels), id(stmt))


def _case_label(subject: str, pattern: ast.pattern) -> str:
    if isinstance(pattern, ast.MatchValue):
        return f"{subject} == {_short(ast.unparse(pattern.value))}"
    if _is_wildcard(pattern):
        return f"{subject} matches no case above (line {pattern.lineno})"
    return f"{subject} matches {_short(ast.unparse(pattern))}"


def _is_wildcard(pattern: ast.pattern) -> bool:
    return isinstance(pattern, ast.MatchAs) and pattern.pattern is None


def _negation(test: ast.expr, text: str) -> str:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _short(ast.unparse(test.operand))
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        flipped = {ast.Eq: "!=", ast.NotEq: "==", ast.In: "not in", ast.NotIn: "in"}
        op = flipped.get(type(test.ops[0]))
        if op is not None:
            left, right = ast.unparse(test.left), ast.unparse(test.comparators[0])
            return _short(f"{left} {op} {right}")
    return f"not ({text})" if " " in text else f"not {text}"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


class Run(Protocol):
    steps: int
    paths: Paths


@dataclass
class Explored:
    """The runs kept (one per world; one run when nothing branched) and, when a bound
    stopped the exploration, which one."""

    runs: list[Run]
    bound: str | None = None


def explore(run: Callable[[Paths], Run], worth: Callable[[Run], bool]) -> Explored:
    """Run the file once per world (see the module docstring), if the first run, where
    every undecided branch is merged, left something worlds could tell (`worth`: a site it
    could not size, code a merged `return` cut short that could build a model). When a
    bound stops the exploration, that first run is what is kept: never fewer sites than
    without worlds."""
    first = run(Paths())
    worth_it = worth(first)  # may fork the conditions of values that left a site unsized
    banned = set(first.paths.repeated)
    forkable = first.paths.discovered - banned
    if not forkable or not worth_it:
        return Explored([first])
    queue: list[dict[str, int]] = [{}]
    kept: list[Run] = []
    covered: set[tuple[str, int]] = set()
    runs, steps = 1, first.steps
    while queue:
        bound = _bound(len(kept), runs, steps)
        if bound is not None:
            return Explored([first], bound)
        choices = queue.pop(0)
        result = run(Paths(set(forkable), choices, covered))
        runs += 1
        steps += result.steps
        if result.paths.repeated & forkable:  # forced, then met again: start over without it
            banned |= result.paths.repeated
            forkable -= banned
            if not forkable:
                return Explored([first])
            queue, kept = [{}], []
            covered.clear()
            continue
        new = result.paths.discovered - banned - forkable
        if new:  # it merged branches that build: run this world again with them forked
            forkable |= new
            queue.insert(0, choices)
            continue
        kept.append(result)
        queue.extend(result.paths.alternatives)
    return Explored(kept)


def _bound(worlds: int, runs: int, steps: int) -> str | None:
    """Which bound stops a further run, if any."""
    if worlds >= MAX_WORLDS:
        return f"{MAX_WORLDS} alternative worlds"
    if runs >= MAX_RUNS:
        return f"{MAX_RUNS} runs of the file"
    if steps + steps // runs > WORLD_STEPS:
        return f"{WORLD_STEPS:,} evaluation steps over all runs"
    return None
