"""Imports of the project's other files (`from config import IMG_SIZE`, `from .blocks import
conv_block`, `from constants import *`): the file is read and run by the same abstract
interpreter, never imported, so its constants and builders mean what they mean there.

Bounded: imports nested deeper than MAX_IMPORT_DEPTH files, more than MAX_MODULES project
files for one analysis, or a file over MAX_MODULE_BYTES (kerasfix.limits) are not followed, and
the name's reason says which bound it met. A cycle gets the half-run module, as Python
gives it. Every file read is recorded with its digest (`ProjectRun.files_read`), so the
result cache re-checks a file when one of them changes.

Layers that code from another file makes are placed at the line of this file that ran that
code (the call of the builder, or the import), and a finding whose sizes come from another
file names that file and line (`origin["imported"]`, read by checks/imported_note.py).
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import dataclasses
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasfix.frontends.source import project_files
from kerasfix.frontends.source.builder_sites import Analyse
from kerasfix.frontends.source.identity_map import IdentityMap
from kerasfix.frontends.source.magics import RUN_MAGIC_CALL
from kerasfix.frontends.source.numbered_scripts import (
    free_names,
    numbered_before,
    script_number,
    top_level_names,
)
from kerasfix.frontends.source.project_files import ModuleFile, NotRead
from kerasfix.frontends.source.scopes import MISSING, Break, Continue, Return, Scope
from kerasfix.frontends.source.value_ops import is_plain
from kerasfix.frontends.source.values import (
    AttributeBag,
    ClassValue,
    FunctionValue,
    ListValue,
    Unknown,
)
from kerasfix.graph.model import SourceSpan
from kerasfix.limits import MAX_IMPORT_DEPTH, MAX_MODULE_STEPS, MAX_MODULES

if TYPE_CHECKING:
    from kerasfix.frontends.source.evaluator import Evaluator

    _Base = Evaluator
else:
    _Base = object

NOTES_KEPT = 4  # imported values a name computed from them remembers (messages show 3)
# The names an expression reads and an assignment writes, per parse-tree node: loops,
# functions and each world's run of a file execute the same statements many times.
_READ_NAMES: weakref.WeakKeyDictionary[ast.AST, tuple[str, ...]] = weakref.WeakKeyDictionary()
_WRITTEN_NAMES: weakref.WeakKeyDictionary[ast.AST, tuple[str, ...]] = weakref.WeakKeyDictionary()


class _ModuleTooLong(Exception):
    """An imported file's top level ran past MAX_MODULE_STEPS: it stops there."""


@dataclass
class ProjectRun:
    """One analysis of one file: where it is, and every project file it read."""

    importer: Path
    analyse: Analyse  # a file analysed alone (builder_sites.py): the frontend's entry
    files_read: dict[str, str] = field(default_factory=dict)  # absolute path -> digest
    folders: dict[Path, tuple[Path, ...]] = field(default_factory=dict)  # search_folders memo
    # saved_features.saved_elsewhere per loaded file name: (saver file, line) or None
    saved_elsewhere: dict[str, Any] = field(default_factory=dict)


_CURRENT: contextvars.ContextVar[ProjectRun | None] = contextvars.ContextVar(
    "kerasfix_project_run", default=None
)


@contextlib.contextmanager
def project_run(display_path: str, analyse: Analyse) -> Iterator[ProjectRun | None]:
    """Follow project imports while analysing the file at `display_path` (when it is a file
    on disk: an editor buffer is analysed as its file would be, imports read from disk);
    `analyse` (program_from_text) analyses an imported builder's file alone."""
    path = Path(display_path)
    try:
        on_disk = path.is_file()
    except (OSError, ValueError):
        on_disk = False
    if not on_disk:
        yield None
        return
    run = ProjectRun(path.resolve(), analyse)
    token = _CURRENT.set(run)
    try:
        yield run
    finally:
        _CURRENT.reset(token)


def imports_code_with(text: str, display_path: str, needed: Callable[[str], bool]) -> bool:
    """Whether a project file `text` imports (directly or through others, as deep as the
    analysis follows) has text `needed` accepts: a file without the word "Flatten" can
    still call a builder that makes one (lint's shortcut must not skip it)."""
    path = Path(display_path)
    try:
        if not path.is_file():
            return False
    except (OSError, ValueError):
        return False
    memo: dict[Path, tuple[Path, ...]] = {}
    seen: set[Path] = set()
    level = [(path.resolve(), text)]
    for _ in range(MAX_IMPORT_DEPTH):
        following = []
        for importer, code in level:
            for found in project_files.imported_files(importer, code, memo):
                if found in seen or len(seen) >= MAX_MODULES:
                    continue
                seen.add(found)
                module = project_files.read_module(found, found.as_posix())
                if isinstance(module, ModuleFile):
                    if needed(module.text):
                        return True
                    following.append((found, module.text))
        level = following
    return False


@dataclass
class _Module:
    """A project module run for this analysis: its globals and where it came from."""

    file: ModuleFile
    scope: Scope
    running: bool = True
    stopped: bool = False  # its top level took more than MAX_MODULE_STEPS


class ProjectImports(_Base):
    """Interpreter mixin: project imports bound to what the imported files define."""

    def __init__(self) -> None:
        super().__init__()
        self.project = _CURRENT.get()
        self._modules: dict[Path, _Module] = {}
        self._foreign: dict[int, ModuleFile] = {}  # id(lines) -> the file they belong to
        self._import_chain: list[Path] = []
        self._entry: list[SourceSpan] = []  # this file's place that runs another file's code
        self._active_notes: list[tuple[str, ...]] = []
        # Local name -> the notes of the imported values it holds ("IMG_SIZE = 64 (config.py:1)").
        self.imported_notes: dict[str, tuple[str, ...]] = {}
        self._span_notes: IdentityMap[SourceSpan, tuple[str, ...]] = IdentityMap()
        self._outside: set[int] = set()  # layers other files' top levels build (by id)
        self._step_cap: int | None = None  # where the imported top level running stops
        # span given -> (the file, its own span) of layers another file's code makes.
        self._written_at: IdentityMap[SourceSpan, tuple[ModuleFile, SourceSpan]] = IdentityMap()
        # id(expression) -> the names it reads (the trees outlive the analysis: ids hold).

    # ----------------------------------------------------------------- the import hook

    def import_project(self, stmt: ast.Import | ast.ImportFrom, scope: Scope) -> bool:
        """Bind the names of `stmt` that come from project files; False when it imports
        no project module (the evaluator then binds library references as before)."""
        if self.project is None:
            return False
        importer = self._current_file()
        if isinstance(stmt, ast.Import):
            return self._import_modules(stmt, scope, importer)
        found = self._resolve(importer, stmt.module or "", stmt.level)
        if found is None:
            if stmt.level:  # a relative import is always the project's: say it is missing
                missing = f"'{'.' * stmt.level}{stmt.module or ''}' is not a file of this project"
                for alias in stmt.names:
                    if alias.name != "*":
                        scope.vars[alias.asname or alias.name] = Unknown(missing)
                return True
            return False
        folder, parts = found
        module = self._module(folder, parts, stmt)
        for alias in stmt.names:
            if alias.name == "*":
                self._star(module, scope)
                continue
            local = alias.asname or alias.name
            scope.vars[local] = self._member(module, folder, [*parts, alias.name], alias.name, stmt)
            self._note(local, module, alias.name)
        return True

    def _import_modules(self, stmt: ast.Import, scope: Scope, importer: Path) -> bool:
        handled = False
        for alias in stmt.names:
            found = self._resolve(importer, alias.name, 0)
            if found is None:
                continue
            handled = True
            folder, parts = found
            if alias.asname:
                module = self._module(folder, parts, stmt)
                scope.vars[alias.asname] = self._module_value(module)
                self._note_module(alias.asname, module)
                continue
            # `import pkg.mod` binds `pkg`, with `mod` as its attribute.
            top = self._module_value(self._module(folder, parts[:1], stmt))
            current = top
            for depth in range(2, len(parts) + 1):
                inner = self._module_value(self._module(folder, parts[:depth], stmt))
                if isinstance(current, AttributeBag):
                    current.attrs[parts[depth - 1]] = inner
                current = inner
            scope.vars[parts[0]] = top
            self._note_module(alias.name, self._modules.get(_path(folder, parts)) or Unknown())
        if handled:
            for alias in stmt.names:  # library modules in the same statement stay references
                if self._resolve(importer, alias.name, 0) is None:
                    self._bind_library(alias, scope)
        return handled

    @staticmethod
    def _bind_library(alias: ast.alias, scope: Scope) -> None:
        from kerasfix.frontends.source.values import Ref

        if alias.asname:
            scope.vars[alias.asname] = Ref(alias.name)
        else:
            top = alias.name.split(".")[0]
            scope.vars[top] = Ref(top)

    # ----------------------------------------------------------------- modules

    def _module(self, folder: Path, parts: list[str], stmt: ast.stmt) -> _Module | Unknown:
        """The module's globals after running it (once per analysis), or why not."""
        path = project_files.module_file(folder, parts)
        dotted = ".".join(parts) or "."
        if path is None:  # a namespace package: its submodules are imported by name
            return Unknown(f"'{dotted}' is a folder of this project without __init__.py")
        return self._module_at(path.resolve(), dotted, stmt)

    def _module_at(self, path: Path, dotted: str, stmt: ast.stmt) -> _Module | Unknown:
        known = self._modules.get(path)
        if known is not None:
            return known  # a cycle gets the half-run module, as in Python
        if len(self._import_chain) >= MAX_IMPORT_DEPTH:
            return Unknown(
                f"'{dotted}' is not read: imports nested deeper than {MAX_IMPORT_DEPTH} files"
            )
        if len(self._modules) >= MAX_MODULES:
            return Unknown(f"'{dotted}' is not read: more than {MAX_MODULES} project files")
        assert self.project is not None
        display = project_files.display_path(path, self.project.importer)
        file = project_files.read_module(path, display)
        if isinstance(file, NotRead):
            return Unknown(file.reason)
        if file.display != display:  # first read from elsewhere (the memo is per process)
            file = dataclasses.replace(file, display=display)
        self.project.files_read[str(file.path)] = file.digest
        scope = Scope(exports=self.globals.exports)
        scope.vars["__name__"] = dotted
        module = _Module(file, scope)
        self._modules[path] = module
        self._run_module(module, stmt)
        return module

    def _run_module(self, module: _Module, stmt: ast.stmt) -> None:
        """Run the imported file's top level (its `if __name__ == "__main__":` block stays
        out, as on import); what it builds there is placed at the import line."""
        self._foreign[id(module.file.lines)] = module.file
        entry = self._entry_span(stmt)
        saved = self.cell, self.lines, self.conditional
        functions = len(self.functions)
        self.cell, self.lines, self.conditional = None, module.file.lines, []
        self._import_chain.append(module.file.path)
        self._entry.append(entry)
        made = self._made_counts()
        outer_cap = self._step_cap
        cap = self.steps + MAX_MODULE_STEPS
        self._step_cap = cap if outer_cap is None else min(cap, outer_cap)
        try:
            self.exec_block(module.file.tree.body, module.scope)
        except (Return, Break, Continue):
            pass  # a stray `return` at top level: keep what ran
        except _ModuleTooLong:
            module.stopped = True
        finally:
            self._step_cap = outer_cap
            self._entry.pop()
            self._import_chain.pop()
            self.cell, self.lines, self.conditional = saved
            module.running = False
            self._outside.update(self._made_since(made))
        # The imported file's own functions are explored when that file is linted, not here.
        imported = self.functions[functions:]
        del self.functions[functions:]
        for function in imported:
            function.called = True

    def _member(
        self, module: _Module | Unknown, folder: Path, parts: list[str], name: str, stmt: ast.stmt
    ) -> Any:
        """`from module import name`: a name it defines, else a submodule, else why not."""
        if isinstance(module, Unknown):
            if project_files.module_file(folder, parts) is not None:
                return self._module_value(self._module(folder, parts, stmt))
            return module
        value = module.scope.lookup(name)
        if value is not MISSING:
            return value
        if project_files.module_file(folder, parts) is not None:
            return self._module_value(self._module(folder, parts, stmt))
        if module.stopped:
            return Unknown(
                f"'{name}' is not read: {module.file.display} takes more than "
                f"{MAX_MODULE_STEPS:,} steps to run to its end"
            )
        if module.running:
            return Unknown(f"'{name}' is imported from {module.file.display} in a circular import")
        return Unknown(f"'{name}' is not defined in {module.file.display}")

    @staticmethod
    def _module_value(module: _Module | Unknown) -> Any:
        if isinstance(module, Unknown):
            return module
        return AttributeBag(
            f"an attribute of {module.file.display} it does not define", module.scope.vars
        )

    def _star(self, module: _Module | Unknown, scope: Scope) -> None:
        if isinstance(module, Unknown):
            return
        public = module.scope.vars.get("__all__")
        names: list[str]
        if isinstance(public, ListValue | tuple | list):
            items = public.items if isinstance(public, ListValue) else list(public)
            names = [item for item in items if isinstance(item, str)]
        else:
            names = [name for name in module.scope.vars if not name.startswith("_")]
        for name in names:
            if name in module.scope.vars:
                scope.vars[name] = module.scope.vars[name]
                self._note(name, module, name)
        # What that module took by `*` from libraries (its Keras names) comes along too.
        for library in module.scope.star_modules:
            if library not in scope.star_modules:
                scope.star_modules.append(library)

    def run_module(self, tree: ast.Module, lines: list[str], cell: int | None = None) -> None:
        if cell is None and self.project is not None and not self._modules:
            self._run_numbered_before(tree)
        super().run_module(tree, lines, cell)  # type: ignore[misc]

    def _run_numbered_before(self, tree: ast.Module) -> None:
        """`7.model.py` reads `base_model` that `5.load_model.py` defines: the scripts
        numbered before this one that bind its free names run first, in order, and give it
        those names (numbered_scripts.py). Each candidate read is a dependency."""
        assert self.project is not None
        importer = self.project.importer
        free = free_names(tree) if script_number(importer) is not None else set()
        if not free or not tree.body:
            return
        for path in numbered_before(importer):
            display = project_files.display_path(path, importer)
            file = project_files.read_module(path, display)
            if isinstance(file, NotRead):
                continue
            self.project.files_read[str(file.path)] = file.digest
            wanted = free & top_level_names(file.tree)
            if not wanted:
                continue
            module = self._module_at(path.resolve(), "__main__", tree.body[0])
            if isinstance(module, Unknown):
                continue
            for name in wanted:
                if name in module.scope.vars:
                    self.globals.vars[name] = module.scope.vars[name]
                    self._note(name, module, name)
                    line = module.file.definitions.get(name)
                    if line is not None:
                        self._note_script_value(name, module, line)

    def _note_script_value(self, name: str, module: _Module, line: int) -> None:
        """A model or tensor another script made (`base_model`) names it on its layer, so
        a finding built on it says where it came from."""
        value = module.scope.vars[name]
        node = getattr(value, "node", None)
        layer = getattr(value, "layer", None) or getattr(node, "layer", None)
        note = (f"{name} ({module.file.place(line)})",)
        if layer is not None and hasattr(layer, "origin"):
            layer.origin.setdefault("imported", note)
        elif name not in self.imported_notes:
            self.imported_notes[name] = note

    def _run_magic(self, target: str, stmt: ast.stmt, scope: Scope) -> None:
        """`%run data_prep.ipynb` / `%run utils.py`: IPython runs the file as `__main__`
        and every name it defines lands in the notebook's namespace."""
        if self.project is None:
            return
        path = self._current_file().parent / target
        if not path.suffix:
            path = path.with_suffix(".py")  # `%run utils` runs utils.py
        try:
            found = path.suffix in (".py", ".ipynb") and path.is_file()
        except (OSError, ValueError):
            found = False
        if not found:
            return
        module = self._module_at(path.resolve(), "__main__", stmt)
        if isinstance(module, Unknown):
            return
        for name, value in module.scope.vars.items():
            if not (name.startswith("__") and name.endswith("__")):
                scope.vars[name] = value
                self._note(name, module, name)
        for library in module.scope.star_modules:
            if library not in scope.star_modules:
                scope.star_modules.append(library)

    # ----------------------------------------------------------------- where and why

    def _resolve(self, importer: Path, module: str, level: int) -> tuple[Path, list[str]] | None:
        assert self.project is not None
        return project_files.resolve(importer, module, level, self.project.folders)

    def _current_file(self) -> Path:
        foreign = self._foreign.get(id(self.lines))
        if foreign is not None:
            return foreign.path
        assert self.project is not None
        return self.project.importer

    def _note(self, local: str, module: _Module | Unknown, name: str) -> None:
        if isinstance(module, Unknown):
            return
        value = module.scope.vars.get(name)
        line = module.file.definitions.get(name)
        if line is None:
            return
        where = module.file.place(line)
        if is_plain(value) or isinstance(value, tuple):
            self.imported_notes[local] = (f"{name} = {value!r} ({where})",)
        elif isinstance(value, FunctionValue | ClassValue):
            self.imported_notes[local] = (f"{name}() ({where})",)

    def _note_module(self, local: str, module: _Module | Unknown) -> None:
        """`import config`: `config.IMG_SIZE` carries its note."""
        if isinstance(module, _Module):
            for name in module.file.definitions:
                self._note(f"{local}.{name}", module, name)

    def _mentioned(self, expr: ast.AST | None) -> tuple[str, ...]:
        """The notes of the imported names (or names computed from them) `expr` reads."""
        if expr is None or not self.imported_notes:
            return ()
        keys = _READ_NAMES.get(expr)
        if keys is None:  # statements in loops, functions and each world's run: read once
            keys = _READ_NAMES[expr] = _names_read(expr)
        found = [note for key in keys for note in self.imported_notes.get(key, ())]
        return tuple(dict.fromkeys(found)) if found else ()

    @staticmethod
    def _assigned_names(stmt: ast.Assign | ast.AnnAssign) -> tuple[str, ...]:
        """The names an assignment writes (`x, y = load()` and `self.size = SIZE` too),
        read once per statement: statements in loops run many times."""
        keys = _WRITTEN_NAMES.get(stmt)
        if keys is None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            found = (
                _dotted(node)
                for target in targets
                for node in ast.walk(target)
                if isinstance(node, ast.Name | ast.Attribute)
            )
            keys = _WRITTEN_NAMES[stmt] = tuple(key for key in found if key)
        return keys

    def _entry_span(self, expr: ast.AST) -> SourceSpan:
        if self._entry:
            return self._entry[-1]
        return super().span(expr)  # type: ignore[misc]

    # ----------------------------------------------------------------- evaluator overrides

    def exec_stmt(self, stmt: ast.stmt, scope: Scope) -> None:
        if self._step_cap is not None and self.steps > self._step_cap:
            self._step_cap = None  # raised once: the module's own handler resets it
            raise _ModuleTooLong
        if (target := _run_magic_target(stmt)) is not None:
            self._run_magic(target, stmt, scope)
            return
        super().exec_stmt(stmt, scope)  # type: ignore[misc]
        if self.imported_notes and isinstance(stmt, ast.Assign | ast.AnnAssign):
            notes = self._mentioned(stmt.value)
            if notes:  # `shape = (IMG_SIZE, IMG_SIZE, 3)`: `shape` carries the note on
                for key in self._assigned_names(stmt):
                    self.imported_notes[key] = notes[:NOTES_KEPT]

    def invoke(
        self, function: FunctionValue, args: list[Any], kwargs: dict[str, Any], expr: ast.AST | None
    ) -> Any:
        notes = self._mentioned(expr)
        foreign = self._foreign.get(id(function.lines))
        entering = foreign is not None and not self._entry and expr is not None
        if entering:
            assert foreign is not None and expr is not None
            self._entry.append(super().span(expr))  # type: ignore[misc]
            line = foreign.definitions.get(function.node.name, function.node.lineno)
            notes = (*notes, f"{function.qualname}() ({foreign.display}:{line})")
        self._active_notes.append(notes)
        try:
            return super().invoke(function, args, kwargs, expr)  # type: ignore[misc]
        finally:
            self._active_notes.pop()
            if entering:
                self._entry.pop()

    def span(self, expr: ast.AST) -> SourceSpan:
        foreign = self._foreign.get(id(self.lines)) if self._foreign else None
        span = self._entry_span(expr) if foreign is not None and self._entry else super().span(expr)  # type: ignore[misc]
        if self.project is None:
            return span
        notes = [note for active in self._active_notes for note in active]
        if foreign is None:
            notes.extend(self._mentioned(expr))
        if notes or (foreign is not None and self._entry):
            span = SourceSpan(span.line, span.column, span.end_line, span.end_column, span.cell)
            self._span_notes[span] = tuple(dict.fromkeys(notes))
        if foreign is not None and self._entry:  # where the layer is written, in that file
            self._written_at[span] = (foreign, super().span(expr))  # type: ignore[misc]
        return span

    def _made_counts(self) -> tuple[int, int, int, int]:
        return (
            len(self.graph.nodes),  # type: ignore[attr-defined]
            len(self.made_layers),  # type: ignore[attr-defined]
            len(self.model_layers),  # type: ignore[attr-defined]
            len(self.sequentials),  # type: ignore[attr-defined]
        )

    def _made_since(self, counts: tuple[int, int, int, int]) -> set[int]:
        """The layers (by id) built since `counts` was taken."""
        nodes, made, models, sequentials = counts
        layers = [node.layer for node in self.graph.nodes[nodes:]]  # type: ignore[attr-defined]
        layers += self.made_layers[made:] + self.model_layers[models:]  # type: ignore[attr-defined]
        layers += [seq.layer for seq in self.sequentials[sequentials:]]  # type: ignore[attr-defined]
        return {id(layer) for layer in layers}

    def _drop_outside(self) -> None:
        """Models another file builds at its top level are that file's findings (its own
        lint reports them), unless this file builds on them: drop the rest."""
        nodes = self.graph.nodes  # type: ignore[attr-defined]
        kept: set[int] = set()
        stack = [node for node in nodes if id(node.layer) not in self._outside]
        while stack:
            node = stack.pop()
            if id(node) not in kept:
                kept.add(id(node))
                stack.extend(node.inputs)
        used = {id(node.layer) for node in nodes if id(node) in kept}
        self.graph.nodes = [node for node in nodes if id(node) in kept]  # type: ignore[attr-defined]
        self.model_layers[:] = [  # type: ignore[attr-defined]
            layer
            for layer in self.model_layers  # type: ignore[attr-defined]
            if id(layer) not in self._outside or id(layer) in used
        ]

    def _mark_reported_elsewhere(self) -> None:
        """A Flatten an imported builder makes, with the sizes that builder's file gives it
        alone, is that file's finding: `origin["reported_in"]` keeps KF001/KF002 from
        saying it again here (builder_sites.py)."""
        from kerasfix.frontends.source.builder_sites import own_sites
        from kerasfix.graph.inference import infer

        flattens = [
            node
            for node in self.graph.nodes  # type: ignore[attr-defined]
            if node.layer.class_name == "Flatten"
            and node.inputs
            and self._written_at.get(node.layer.span) is not None
        ]
        if flattens:  # inference is the costly part: only when there is a Flatten to mark
            infer(self.graph)  # type: ignore[attr-defined]
        for node in flattens:
            found = self._written_at.get(node.layer.span)
            assert found is not None
            file, written = found
            assert self.project is not None
            sites = own_sites(file, self.project.analyse)
            shapes = sites.get((written.line, written.column), set())
            if node.inputs[0].output_shape in shapes:
                node.layer.origin["reported_in"] = file.place(written.line)

    def _note_written_in(self) -> None:
        """`origin["written_in"]` (and `"declared_in"` for an input's `declared_at`): the
        file and span where another file's code writes the layer, so that file's own
        analysis can take the sizes this call gives it (caller_sizes.py)."""
        for _, graph in self.graph.walk():  # type: ignore[attr-defined]
            for node in graph.nodes:
                origin = node.layer.origin
                declared = origin.get("declared_at")
                for key, span in (("written_in", node.layer.span), ("declared_in", declared)):
                    found = self._written_at.get(span)
                    if found is not None:
                        origin[key] = (str(found[0].path), found[1])

    def note_imported_layers(self) -> None:
        """Put each layer's notes on its origin (after the graph is complete), and drop
        what other files build at their top level."""
        if self._outside:
            self._drop_outside()
        if self._written_at:
            self._mark_reported_elsewhere()
            self._note_written_in()
        if not self._span_notes:
            return
        for _, graph in self.graph.walk():
            for node in graph.nodes:
                layer = node.layer
                for span in (layer.span, layer.origin.get("declared_at")):
                    found = self._span_notes.get(span)
                    if found is not None:
                        _add_notes(layer, found)
        for layer in getattr(self, "made_layers", []):
            found = self._span_notes.get(layer.span)
            if found is not None:
                _add_notes(layer, found)


def _add_notes(layer: Any, notes: tuple[str, ...]) -> None:
    """Notes join those the layer has (a numbered script's value is noted when it is
    taken, before its spans are)."""
    had = layer.origin.get("imported") or ()
    layer.origin["imported"] = tuple(dict.fromkeys((*had, *notes)))


def _run_magic_target(stmt: ast.stmt) -> str | None:
    """The file of a `%run` line (magics.py writes it as a call), else None."""
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return None
    call = stmt.value
    if not isinstance(call.func, ast.Name) or call.func.id != RUN_MAGIC_CALL or not call.args:
        return None
    target = call.args[0]
    return (
        target.value if isinstance(target, ast.Constant) and isinstance(target.value, str) else None
    )


def _names_read(expr: ast.AST) -> tuple[str, ...]:
    keys = []
    for node in ast.walk(expr):
        key = node.id if isinstance(node, ast.Name) else None
        if isinstance(node, ast.Attribute):
            key = _dotted(node)
        if key is not None:
            keys.append(key)
    return tuple(dict.fromkeys(keys))


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _path(folder: Path, parts: list[str]) -> Path:
    found = project_files.module_file(folder, parts)
    return found.resolve() if found is not None else folder
