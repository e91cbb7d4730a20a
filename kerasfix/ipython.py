"""`%load_ext kerasfix`: check each cell as it runs, statically, in IPython and Jupyter.

After every cell, the session's input history goes through the notebook frontend (cells in
order, magics blanked, names carried from earlier cells) and the rules; findings not shown
before appear under the cell (HTML in Jupyter, text in a terminal). Nothing is shown for a
clean cell. Keras is never imported here: a cell costs a static analysis of the text only.

`%kerasfix` checks the whole session history; `%kerasfix NAME` checks the live model bound
to NAME with `kerasfix.check` (its config, never a forward pass).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kerasfix.findings import Finding

_CHECKERS: dict[int, CellChecker] = {}


class CellChecker:
    """The post-run hook and the magic of one IPython shell."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.shown: set[tuple[Any, ...]] = set()
        # Code IPython ran without keeping it in the history: `ipython -c CODE`, and each
        # cell of `ipython script.ipy` (run silently, so only `post_execute` sees it).
        self.unstored: list[str] = []
        self.checked: int | None = None  # id of the last ExecutionResult checked

    def history(self) -> list[str]:
        """Every cell run so far: index i holds execution count i + 1 (In[i + 1]), then the
        code run outside the history, in the order it ran."""
        raw = list(getattr(self.shell.history_manager, "input_hist_raw", []) or [])
        return [cell if isinstance(cell, str) else "" for cell in raw[1:]] + self.unstored

    def findings(self, cells: list[str]) -> list[Finding]:
        from kerasfix.engine import lint_program
        from kerasfix.frontends.base import InputError
        from kerasfix.frontends.notebook import program_from_cells

        try:
            program = program_from_cells(cells, "In")
            return lint_program(program, self.settings())
        except (InputError, RecursionError):
            return []

    def settings(self) -> Any:
        """The configuration (`pyproject.toml`/`kerasfix.toml`) governing the working
        directory, as for a notebook saved there; the defaults if it cannot be read."""
        from kerasfix.config import ConfigError, Resolver
        from kerasfix.settings import Settings

        try:
            return Resolver().settings_for(Path.cwd() / "session.ipynb")
        except ConfigError:
            return Settings()

    def post_run_cell(self, result: Any) -> None:
        """Show the findings this cell brought (in it, or in a function it called)."""
        self.check_cell(result)

    def post_execute(self) -> None:
        """A cell run silently (`ipython script.ipy`) triggers no post_run_cell: check it
        here, from the result IPython keeps of the last execution."""
        result = getattr(self.shell, "last_execution_result", None)
        if result is not None and getattr(getattr(result, "info", None), "silent", False):
            self.check_cell(result)

    def check_cell(self, result: Any) -> None:
        if result is None or id(result) == self.checked:
            return
        self.checked = id(result)
        info = getattr(result, "info", None)
        raw = getattr(info, "raw_cell", None)
        if isinstance(raw, str) and not getattr(info, "store_history", True):
            self.unstored.append(raw)
        cells = self.history()
        if not cells:
            return
        new = [f for f in self.findings(cells) if _key(f) not in self.shown]
        self.shown.update(_key(f) for f in new)
        if new:
            show(new)

    def magic(self, line: str) -> None:
        name = line.strip()
        if not name:
            found = self.findings(self.history())
            self.shown.update(_key(f) for f in found)
            show(found, clean_message="kerasfix: no findings in this session.")
            return
        self.check_object(name)

    def check_object(self, name: str) -> None:
        from kerasfix.api import check
        from kerasfix.frontends.base import InputError

        namespace = self.shell.user_ns
        if not name.isidentifier() or name not in namespace:
            print(f"kerasfix: error: no variable named {name!r} in this session")
            return
        try:
            found = check(namespace[name])
        except (TypeError, InputError) as exc:
            print(f"kerasfix: error: {exc}")
            return
        for finding in found:
            finding.path = name
        show(list(found), clean_message=f"kerasfix: no findings in {name}.", graph=found.graph)


def show(findings: list[Finding], clean_message: str | None = None, graph: Any = None) -> None:
    """Display findings as `kerasfix.api.Findings` renders them (HTML table, or text)."""
    from IPython.display import display

    from kerasfix.api import Findings

    if not findings:
        if clean_message:
            print(clean_message)
        return
    for finding in findings:
        if finding.span is not None and not finding.layer_path:
            finding.path = f"In [{finding.span.cell}] line {finding.span.line}"
    report = Findings(findings, graph)
    display({"text/plain": str(report), "text/html": report._repr_html_()}, raw=True)


def _key(finding: Finding) -> tuple[Any, ...]:
    span = finding.span
    where = (span.cell, span.line, span.column) if span else finding.layer_path
    return (finding.rule, where, finding.data.report().get("params_flatten"))


def load_ipython_extension(shell: Any) -> None:
    """`%load_ext kerasfix`: register the post-run hook and the `%kerasfix` magic."""
    if id(shell) in _CHECKERS:
        return
    checker = CellChecker(shell)
    _CHECKERS[id(shell)] = checker
    shell.events.register("post_run_cell", checker.post_run_cell)
    shell.events.register("post_execute", checker.post_execute)
    shell.register_magic_function(checker.magic, magic_kind="line", magic_name="kerasfix")


def unload_ipython_extension(shell: Any) -> None:
    checker = _CHECKERS.pop(id(shell), None)
    if checker is not None:
        shell.events.unregister("post_run_cell", checker.post_run_cell)
        shell.events.unregister("post_execute", checker.post_execute)
