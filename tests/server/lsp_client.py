"""A real LSP client (pygls's) driving `kerasfix server` over stdio, for the tests.

The server runs as `python -X importtime -m kerasfix server`, so the test can read every
module the server process imported from its stderr (drained as it comes, so the pipe
never fills up).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TIMEOUT = 30.0


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("kerasfix-tests", "1")
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.publishes: dict[str, int] = {}
        self.registrations: list[types.Registration] = []
        self.messages: list[str] = []
        self.stderr = bytearray()
        self._changed = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = params.diagnostics
            self.publishes[params.uri] = self.publishes.get(params.uri, 0) + 1
            self._changed.set()

        @self.feature(types.CLIENT_REGISTER_CAPABILITY)
        def on_register(params: types.RegistrationParams) -> None:
            self.registrations.extend(params.registrations)

        @self.feature(types.WINDOW_SHOW_MESSAGE)
        def on_message(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)

    async def start(self, cwd: Path) -> None:
        await self.start_io(
            sys.executable, "-X", "importtime", "-m", "kerasfix", "server", cwd=str(cwd)
        )
        self._drain = asyncio.ensure_future(self._read_stderr())

    async def _read_stderr(self) -> None:
        assert self._server is not None and self._server.stderr is not None
        while chunk := await self._server.stderr.read(65536):
            self.stderr.extend(chunk)

    async def open(
        self, root: Path, notebook: bool = False, debounce_ms: int = 50, watch: bool = False
    ) -> types.InitializeResult:
        capabilities = types.ClientCapabilities(
            text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(),
                code_action=types.CodeActionClientCapabilities(),
                hover=types.HoverClientCapabilities(),
                inlay_hint=types.InlayHintClientCapabilities(),
            ),
            notebook_document=types.NotebookDocumentClientCapabilities(
                synchronization=types.NotebookDocumentSyncClientCapabilities()
            )
            if notebook
            else None,
            workspace=types.WorkspaceClientCapabilities(
                did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                    dynamic_registration=True
                )
            )
            if watch
            else None,
        )
        result = await self.initialize_async(
            types.InitializeParams(
                capabilities=capabilities,
                root_uri=root.as_uri(),
                initialization_options={"debounceMs": debounce_ms},
            )
        )
        self.initialized(types.InitializedParams())
        return result

    async def wait_for(
        self, uri: str, accept: Callable[[list[types.Diagnostic]], bool]
    ) -> list[types.Diagnostic]:
        """The diagnostics of `uri` once `accept` holds for them (fails after TIMEOUT)."""

        async def loop() -> list[types.Diagnostic]:
            while True:
                if uri in self.diagnostics and accept(self.diagnostics[uri]):
                    return self.diagnostics[uri]
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(loop(), TIMEOUT)

    async def close(self) -> int:
        await self.shutdown_async(None)
        self.exit(None)
        assert self._server is not None
        code = await asyncio.wait_for(self._server.wait(), TIMEOUT)
        await self._drain
        await self.stop()
        return code

    def imported(self) -> set[str]:
        """Top-level names of every module the server process imported."""
        names = set()
        for line in self.stderr.decode("utf-8", "replace").splitlines():
            if line.startswith("import time:") and "|" in line:
                names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
        return names


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII text, so characters equal UTF-16 units), last first."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        return min(offsets[position.line] + position.character, len(text))

    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)
