"""`kerasfix server`: the Language Server (LSP 3.17 over stdio, built on pygls).

Every buffer goes through `analysis.analyse` (the lint pipeline) and every fix through
`kerasfix.fixers.apply.fix_text` (the `--fix` pipeline); this module only keeps editor
state: open buffers, debounced re-checks, configuration, and the LSP plumbing.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from kerasfix.findings import Finding
from kerasfix.fixers.policy import FixOptions, has_fix, needs_unsafe_flag, replacement
from kerasfix.server import convert
from kerasfix.server.analysis import Analysis, Buffer, analyse
from kerasfix.settings import Settings
from kerasfix.version import __version__

CONFIG_NAMES = ("pyproject.toml", "kerasfix.toml")
DEFAULT_DEBOUNCE_MS = 150


@dataclass(frozen=True)
class Target:
    """The buffer a request is about: `key` is the document or notebook URI, and `uris[i]`
    the URI holding unit i (the script itself, or cell i + 1 of a notebook)."""

    key: str
    buffer: Buffer
    uris: tuple[str | None, ...]

    def unit_of(self, uri: str) -> int:
        return self.uris.index(uri)


class KerasfixServer(LanguageServer):
    def __init__(self) -> None:
        cells = [types.NotebookCellLanguage(language="python")]
        super().__init__(
            "kerasfix",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[
                    types.NotebookDocumentFilterWithCells(cells=cells, notebook="*")
                ],
                save=True,
            ),
        )
        self.fix_options = FixOptions()
        self.debounce = int(os.environ.get("KERASFIX_LSP_DEBOUNCE_MS", DEFAULT_DEBOUNCE_MS)) / 1000
        self._resolver: Any = None
        self._reported_config_errors: set[str] = set()
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._cache: dict[str, tuple[Buffer, Analysis]] = {}
        self._published: dict[str, set[str]] = {}
        self._open: dict[str, None] = {}  # keys as the client spells them, in opening order

    # -- configuration ------------------------------------------------------------------

    def configure(self, options: Any) -> None:
        """initializationOptions: `pooling` ("avg"/"max"), `unsafeFixes`, `debounceMs`."""
        if not isinstance(options, dict):
            return
        pooling = options.get("pooling", "avg")
        self.fix_options = FixOptions(
            pooling=pooling if pooling in ("avg", "max") else "avg",
            unsafe_fixes=bool(options.get("unsafeFixes", False)),
        )
        if isinstance(options.get("debounceMs"), int) and options["debounceMs"] >= 0:
            self.debounce = options["debounceMs"] / 1000

    def settings_for(self, path: str) -> Settings:
        """The nearest `pyproject.toml`/`kerasfix.toml`, read by the same loader as the CLI."""
        from kerasfix.config import ConfigError, Resolver

        if self._resolver is None:
            self._resolver = Resolver()
        try:
            return self._resolver.settings_for(Path(path))
        except ConfigError as exc:
            message = f"kerasfix: {exc} (using the default settings)"
            if message not in self._reported_config_errors:
                self._reported_config_errors.add(message)
                self.window_show_message(
                    types.ShowMessageParams(type=types.MessageType.Error, message=message)
                )
            return Settings()

    def reload_configuration(self) -> None:
        """A configuration file changed: forget every setting and re-check what is open."""
        self._resolver = None
        self._reported_config_errors.clear()
        self._cache.clear()
        for key in self.open_keys():
            self.publish(key)

    # -- buffers ------------------------------------------------------------------------

    def opened(self, key: str) -> None:
        self._open[key] = None
        self.publish(key)

    def refresh_importers(self) -> None:
        """Re-check each open buffer whose analysis read a project file that changed on
        disk (`from config import IMG_SIZE` after config.py is saved)."""
        for key in self.open_keys():
            cached = self._cache.get(key)
            if cached is not None and not _still_current(cached[1]):
                self.publish(key)

    def open_keys(self) -> Iterator[str]:
        yield from list(self._open)

    def target(self, uri: str) -> Target | None:
        """The script or notebook that `uri` (a document or a notebook cell) belongs to."""
        workspace = self.workspace
        notebook = workspace.get_notebook_document(cell_uri=uri)
        if notebook is None:
            notebook = workspace.get_notebook_document(notebook_uri=uri)
        if notebook is not None:
            texts, uris = [], []
            for cell in notebook.cells:
                code = cell.kind == types.NotebookCellKind.Code
                texts.append(workspace.get_text_document(cell.document).source if code else "")
                uris.append(cell.document if code else None)
            path = _path_of(notebook.uri, ".ipynb")
            return Target(notebook.uri, Buffer(path, "notebook", tuple(texts)), tuple(uris))
        if unquote(uri) not in workspace.text_documents:  # pygls keys documents unquoted
            return None
        document = workspace.get_text_document(uri)
        path = _path_of(uri, ".py")
        if Path(path).suffix.lower() not in (".py", ".pyi") and document.language_id != "python":
            return None
        return Target(uri, Buffer(path, "source", (document.source,)), (uri,))

    def analysis(self, target: Target) -> Analysis:
        """The buffer's analysis, recomputed only when its text changed."""
        cached = self._cache.get(target.key)
        if cached is not None and cached[0] == target.buffer and _still_current(cached[1]):
            return cached[1]
        result = analyse(target.buffer, self.settings_for(target.buffer.path))
        self._cache[target.key] = (target.buffer, result)
        return result

    def publish(self, key: str) -> None:
        """Check a buffer now and send its diagnostics (an empty list clears old ones)."""
        target = self.target(key)
        if target is None:
            return
        result = self.analysis(target)
        encoding = self.encoding
        by_uri: dict[str, list[types.Diagnostic]] = {u: [] for u in target.uris if u}
        for finding in result.findings:
            unit = _unit(finding)
            if finding.span is None or not 0 <= unit < len(target.uris):
                continue
            uri = target.uris[unit]
            if uri is not None:
                lines = convert.lines_of(target.buffer.texts[unit])
                by_uri[uri].append(convert.diagnostic(finding, lines, encoding))
        for uri in self._published.get(target.key, set()) - set(by_uri):
            by_uri[uri] = []  # a cell that was deleted or turned into markdown
        self._published[target.key] = set(by_uri)
        for uri, diagnostics in by_uri.items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
            )

    def schedule(self, key: str) -> None:
        """Re-check after the user pauses typing: each edit restarts the wait."""
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        self._pending[key] = asyncio.ensure_future(self._publish_later(key))

    async def _publish_later(self, key: str) -> None:
        await asyncio.sleep(self.debounce)
        self._pending.pop(key, None)
        self.publish(key)

    def forget(self, key: str) -> None:
        self._open.pop(key, None)
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        self._cache.pop(key, None)
        for uri in self._published.pop(key, set()):
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or convert.UTF16)

    # -- requests -----------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        target = self.target(params.text_document.uri)
        if target is None or params.text_document.uri not in target.uris:
            return []
        unit = target.unit_of(params.text_document.uri)
        lines = convert.lines_of(target.buffer.texts[unit])
        result = self.analysis(target)
        actions: list[types.CodeAction] = []
        wanted = params.context.only
        if _wants(wanted, types.CodeActionKind.QuickFix):
            for finding in result.findings:
                if _unit(finding) != unit or not has_fix(finding) or finding.span is None:
                    continue
                where = convert.span_range(finding.span, lines, self.encoding)
                if not convert.overlaps(where, params.range):
                    continue
                action = self._fix_action(target, result.findings, [finding], unsafe=True)
                if action is not None:
                    actions.append(action)
        if _wants(wanted, convert.FIX_ALL_KIND) and any(has_fix(f) for f in result.findings):
            unsafe = self.fix_options.unsafe_fixes
            action = self._fix_action(target, result.findings, None, unsafe=unsafe)
            if action is not None:
                actions.append(action)
        return actions

    def _fix_action(
        self, target: Target, findings: list[Finding], only: list[Finding] | None, *, unsafe: bool
    ) -> types.CodeAction | None:
        """The `--fix` rewrite as a workspace edit (None if it fixes nothing): of `only` (a
        quick fix of one finding; the buffer's other findings stay), or of all (fix all)."""
        from kerasfix.fixers.apply import fix_text

        buffer = target.buffer
        options = FixOptions(pooling=self.fix_options.pooling, unsafe_fixes=unsafe)
        fixed = fix_text(
            buffer.path,
            buffer.kind,
            buffer.texts,
            findings,
            options,
            self.settings_for(buffer.path),
            only,
        )
        if not fixed.changed or not fixed.fixed:
            return None
        changes: dict[str, list[types.TextEdit]] = {}
        for index, (old, new) in enumerate(zip(buffer.texts, fixed.texts, strict=True)):
            uri = target.uris[index]
            if old != new and uri is not None:
                changes[uri] = convert.text_edits(old, new, self.encoding)
        if only is not None:
            (finding,) = only
            name = replacement(finding, self.fix_options.pooling)
            unsafe_note = " (unsafe: size unknown)" if needs_unsafe_flag(finding) else ""
            return types.CodeAction(
                title=f"kerasfix: replace Flatten with {name}{unsafe_note}",
                kind=types.CodeActionKind.QuickFix,
                is_preferred=not needs_unsafe_flag(finding),
                edit=types.WorkspaceEdit(changes=changes),
            )
        return types.CodeAction(
            title=f"kerasfix: fix all ({len(fixed.fixed)} Flatten → global pooling)",
            kind=convert.FIX_ALL_KIND,
            edit=types.WorkspaceEdit(changes=changes),
        )

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        target = self.target(params.text_document.uri)
        if target is None or params.text_document.uri not in target.uris:
            return None
        unit = target.unit_of(params.text_document.uri)
        lines = convert.lines_of(target.buffer.texts[unit])
        for finding in self.analysis(target).findings:
            if _unit(finding) != unit or finding.span is None:
                continue
            where = convert.span_range(finding.span, lines, self.encoding)
            if convert.contains(where, params.position):
                content = types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=convert.hover_markdown(finding)
                )
                return types.Hover(contents=content, range=where)
        return None

    def inlay_hints(self, params: types.InlayHintParams) -> list[types.InlayHint]:
        target = self.target(params.text_document.uri)
        if target is None or params.text_document.uri not in target.uris:
            return []
        unit = target.unit_of(params.text_document.uri)
        lines = convert.lines_of(target.buffer.texts[unit])
        first, last = params.range.start.line, params.range.end.line
        hints = []
        for layer in self.analysis(target).layers:
            if (layer.span.cell or 1) - 1 != unit or not first <= layer.span.end_line - 1 <= last:
                continue
            hint = convert.inlay_hint(layer, lines, self.encoding)
            if hint is not None:
                hints.append(hint)
        return hints


def _unit(finding: Finding) -> int:
    return (finding.span.cell or 1) - 1 if finding.span else 0


def _wants(only: list[str] | None, kind: str) -> bool:
    """Whether a request limited to `only` kinds asks for `kind` (kinds are hierarchical)."""
    return not only or any(kind == o or kind.startswith(o + ".") for o in only)


def _path_of(uri: str, suffix: str) -> str:
    """The file a URI names; an unsaved buffer gets a name in the working directory."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return path or f"untitled{suffix}"


def _is_config(uri: str) -> bool:
    return uri.rsplit("/", 1)[-1] in CONFIG_NAMES


def create_server() -> KerasfixServer:
    """A server with every feature registered (not started)."""
    server = KerasfixServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: KerasfixServer, params: types.InitializeParams) -> None:
        ls.configure(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: KerasfixServer, params: types.InitializedParams) -> None:
        watched = ls.client_capabilities.workspace
        changes = watched.did_change_watched_files if watched else None
        if changes is None or not changes.dynamic_registration:
            return  # the client cannot watch for us: saves of the files still reload
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
        registration = types.Registration(
            id="kerasfix-config-watch",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KerasfixServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KerasfixServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KerasfixServer, params: types.DidSaveTextDocumentParams) -> None:
        if _is_config(params.text_document.uri):
            ls.reload_configuration()
        else:
            ls.publish(params.text_document.uri)
            ls.refresh_importers()  # open files that import the saved one

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KerasfixServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_open(ls: KerasfixServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.opened(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_change(ls: KerasfixServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_save(ls: KerasfixServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.publish(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_close(ls: KerasfixServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.forget(params.notebook_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: KerasfixServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(_is_config(change.uri) for change in params.changes):
            ls.reload_configuration()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, convert.FIX_ALL_KIND]
        ),
    )
    def code_action(ls: KerasfixServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: KerasfixServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    def inlay_hint(ls: KerasfixServer, params: types.InlayHintParams) -> list[types.InlayHint]:
        return ls.inlay_hints(params)

    return server


def main() -> None:
    create_server().start_io()


def _still_current(analysis: Analysis) -> bool:
    """A stored analysis holds while the project files it imported are unchanged on disk."""
    if not analysis.depends_on:
        return True
    from kerasfix.frontends.source.project_files import files_unchanged

    return files_unchanged(analysis.depends_on)
