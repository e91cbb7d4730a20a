"""`kerasfix server` end to end: pygls's LanguageClient drives the real server over stdio."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="needs the server extra: pip install -e '.[server]'")

from lsprotocol import types

from tests.server.lsp_client import Client, apply_edits, run

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "fixtures" / "source" / "sequential_list.py"
HEAVY = {"tensorflow", "keras", "jax", "torch"}


def _fixed_by_cli(path: Path, tmp_path: Path) -> str:
    """What `kerasfix lint --fix` makes of the same file (the quick fix must match it)."""
    copy = tmp_path / "cli" / path.name
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", "--fix", "--isolated", str(copy)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    return copy.read_text(encoding="utf-8")


def _whole(text: str) -> types.Range:
    last = text.split("\n")
    return types.Range(
        start=types.Position(line=0, character=0),
        end=types.Position(line=len(last) - 1, character=len(last[-1])),
    )


async def _actions_at(
    client: Client, uri: str, diagnostic: types.Diagnostic
) -> list[types.CodeAction]:
    """The code actions the server offers on one diagnostic's range."""
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    return [a for a in actions or [] if isinstance(a, types.CodeAction)]


def test_script_session_diagnostics_fix_hover_hints_change_and_no_keras(tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    path = work / "model.py"
    text = SCRIPT.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    expected_fix = _fixed_by_cli(SCRIPT, tmp_path)
    assert "GlobalAveragePooling2D" in expected_fix

    async def session() -> None:
        client = Client()
        await client.start(work)
        result = await client.open(work)
        capabilities = result.capabilities
        assert capabilities.inlay_hint_provider is not None
        assert capabilities.hover_provider

        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        (diagnostic,) = await client.wait_for(uri, lambda d: len(d) == 1)
        assert diagnostic.code == "KF001"
        assert diagnostic.source == "kerasfix"
        assert diagnostic.severity == types.DiagnosticSeverity.Warning
        assert "1,179,776" in diagnostic.message
        # The range is exactly `L.Flatten()` on line 12 (0-based 11), columns 8..19.
        flatten_line = text.split("\n")[11]
        start = flatten_line.index("L.Flatten()")
        assert diagnostic.range == types.Range(
            start=types.Position(line=11, character=start),
            end=types.Position(line=11, character=start + len("L.Flatten()")),
        )
        assert diagnostic.code_description is not None
        page = Path(diagnostic.code_description.href.removeprefix("file://"))
        assert page.name == "KF001.md" and page.is_file()

        # Quick fix: the same text `kerasfix lint --fix` writes.
        actions = await _actions_at(client, uri, diagnostic)
        quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
        assert len(quick) == 1, [(a.title, a.kind) for a in actions]
        assert quick[0].title == "kerasfix: replace Flatten with GlobalAveragePooling2D"
        assert quick[0].edit is not None and quick[0].edit.changes is not None
        fixed = apply_edits(text, quick[0].edit.changes[uri])
        assert fixed == expected_fix

        # source.fixAll (asked for by its parent kind, as editors do on save).
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=_whole(text),
                context=types.CodeActionContext(diagnostics=[], only=["source.fixAll"]),
            )
        )
        assert [a.kind for a in actions] == ["source.fixAll.kerasfix"]
        assert apply_edits(text, actions[0].edit.changes[uri]) == expected_fix

        # Hover on the Flatten call: the parameter arithmetic.
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=11, character=start + 3),
            )
        )
        assert hover is not None
        value = hover.contents.value
        assert "| Flatten → Dense(128) | 1,179,776 |" in value
        assert "| GlobalAveragePooling2D → Dense(128) | 8,320 |" in value
        assert "| saved | 1,171,456 (-99.3%) |" in value
        nothing = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=0, character=1),
            )
        )
        assert nothing is None

        # Inlay hints: a static model.summary() at the end of each layer line.
        hints = await client.text_document_inlay_hint_async(
            types.InlayHintParams(
                text_document=types.TextDocumentIdentifier(uri=uri), range=_whole(text)
            )
        )
        by_line = {hint.position.line: hint for hint in hints}
        lines = text.split("\n")
        # Conv2D(32, 3) on 28x28x1: 3*3*1*32 + 32 weights; Conv2D(64, 3): 3*3*32*64 + 64.
        assert by_line[7].label == "# (None, 26, 26, 32) · 320 params"
        assert by_line[7].position.character == len(lines[7])
        assert by_line[8].label == "# (None, 24, 24, 64) · 18,496 params"
        assert by_line[11].label == "# (None, 9216) · 0 params"
        assert by_line[12].label == "# (None, 128) · 1,179,776 params"
        assert by_line[14].label == "# (None, 10) · 1,290 params"

        # An edit that applies the fix clears the diagnostic (after the debounce).
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
                    for edit in reversed(quick[0].edit.changes[uri])
                ],
            )
        )
        assert len(await client.wait_for(uri, lambda d: len(d) == 0)) == 0
        hints = await client.text_document_inlay_hint_async(
            types.InlayHintParams(
                text_document=types.TextDocumentIdentifier(uri=uri), range=_whole(fixed)
            )
        )
        labels = {hint.position.line: hint.label for hint in hints}
        assert labels[11] == "# (None, 64) · 0 params"
        assert labels[12] == "# (None, 128) · 8,320 params"

        assert await client.close() == 0
        heavy = client.imported() & HEAVY
        assert "lsprotocol" in client.imported()  # the import log was really read
        assert heavy == set(), f"the server imported {sorted(heavy)}"

    run(session())


def test_notebook_cells_are_checked_in_the_context_of_earlier_cells(tmp_path: Path) -> None:
    notebook_uri = (tmp_path / "nb.ipynb").as_uri()
    cells = [
        "from keras import layers, Sequential\nimport keras",
        "# Notes",
        "%matplotlib inline\nmodel = Sequential([\n    keras.Input((16, 16, 3)),\n"
        '    layers.Conv2D(8, 3, padding="same"),\n'
        "    layers.Flatten(),\n    layers.Dense(32),\n])",
    ]
    kinds = [
        types.NotebookCellKind.Code,
        types.NotebookCellKind.Markup,
        types.NotebookCellKind.Code,
    ]
    cell_uris = [f"vscode-notebook-cell:{tmp_path}/nb.ipynb#cell{i}" for i in range(3)]

    async def session() -> None:
        client = Client()
        await client.start(tmp_path)
        result = await client.open(tmp_path, notebook=True)
        assert result.capabilities.notebook_document_sync is not None
        client.notebook_document_did_open(
            types.DidOpenNotebookDocumentParams(
                notebook_document=types.NotebookDocument(
                    uri=notebook_uri,
                    notebook_type="jupyter-notebook",
                    version=1,
                    cells=[
                        types.NotebookCell(kind=k, document=u)
                        for k, u in zip(kinds, cell_uris, strict=True)
                    ],
                ),
                cell_text_documents=[
                    types.TextDocumentItem(
                        uri=u, language_id="markdown" if i == 1 else "python", version=1, text=t
                    )
                    for i, (u, t) in enumerate(zip(cell_uris, cells, strict=True))
                ],
            )
        )
        (diagnostic,) = await client.wait_for(cell_uris[2], lambda d: len(d) == 1)
        assert diagnostic.code == "KF001"
        assert diagnostic.range.start == types.Position(line=4, character=4)
        # 16*16*8*32 + 32 against 8*32 + 32.
        assert "16x16x8" in diagnostic.message and "65,568" in diagnostic.message
        assert len(client.diagnostics[cell_uris[0]]) == 0

        hints = await client.text_document_inlay_hint_async(
            types.InlayHintParams(
                text_document=types.TextDocumentIdentifier(uri=cell_uris[2]),
                range=_whole(cells[2]),
            )
        )
        labels = {h.position.line: h.label for h in hints}
        assert labels[3] == "# (None, 16, 16, 8) · 224 params"  # 3*3*3*8 + 8
        assert labels[5] == "# (None, 32) · 65,568 params"

        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=cell_uris[2]),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        (action,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
        assert action.edit is not None and action.edit.changes is not None
        fixed = apply_edits(cells[2], action.edit.changes[cell_uris[2]])
        assert "layers.GlobalAveragePooling2D()," in fixed and "Flatten" not in fixed
        assert fixed.startswith("%matplotlib inline\n")  # the magic line is kept

        # Typing into the cell: the fix as a cell content change clears the diagnostic.
        client.notebook_document_did_change(
            types.DidChangeNotebookDocumentParams(
                notebook_document=types.VersionedNotebookDocumentIdentifier(
                    uri=notebook_uri, version=2
                ),
                change=types.NotebookDocumentChangeEvent(
                    cells=types.NotebookDocumentCellChanges(
                        text_content=[
                            types.NotebookDocumentCellContentChanges(
                                document=types.VersionedTextDocumentIdentifier(
                                    uri=cell_uris[2], version=2
                                ),
                                changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
                            )
                        ]
                    )
                ),
            )
        )
        assert len(await client.wait_for(cell_uris[2], lambda d: len(d) == 0)) == 0
        assert await client.close() == 0

    run(session())


def test_configuration_is_reread_when_it_changes(tmp_path: Path) -> None:
    tmp_path = tmp_path / "my project"  # a space: every URI is percent-encoded
    tmp_path.mkdir()
    path = tmp_path / "model.py"
    text = SCRIPT.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    config = tmp_path / "kerasfix.toml"
    uri = path.as_uri()

    async def session() -> None:
        client = Client()
        await client.start(tmp_path)
        await client.open(tmp_path, watch=True)
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        await client.wait_for(uri, lambda d: len(d) == 1)
        # The server asked this client (which can watch files) to watch the config files.
        (registration,) = client.registrations
        assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        globs = [w["globPattern"] for w in registration.register_options["watchers"]]
        assert sorted(globs) == ["**/kerasfix.toml", "**/pyproject.toml"]

        def changed() -> None:
            client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams(
                    changes=[
                        types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)
                    ]
                )
            )

        config.write_text('ignore = ["KF001"]\n', encoding="utf-8")
        changed()
        assert len(await client.wait_for(uri, lambda d: len(d) == 0)) == 0

        # A threshold above this Dense: the finding comes back as `info`.
        config.write_text("[kf001]\nwarning-params = 2_000_000\n", encoding="utf-8")
        changed()
        (diagnostic,) = await client.wait_for(uri, lambda d: len(d) == 1)
        assert diagnostic.severity == types.DiagnosticSeverity.Information

        # Saving the configuration file in the editor re-reads it too.
        config.write_text('ignore = ["KF"]\n', encoding="utf-8")
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=config.as_uri())
            )
        )
        assert len(await client.wait_for(uri, lambda d: len(d) == 0)) == 0

        # A broken file: one message, and the defaults apply.
        config.write_text("selct = 1\n", encoding="utf-8")
        changed()
        (diagnostic,) = await client.wait_for(
            uri, lambda d: len(d) == 1 and d[0].severity == types.DiagnosticSeverity.Warning
        )
        assert await client.close() == 0
        assert any("unknown key 'selct'" in m for m in client.messages)

    run(session())


def test_edits_in_quick_succession_are_checked_once(tmp_path: Path) -> None:
    path = tmp_path / "my model.py"  # a space: the URI is percent-encoded
    text = SCRIPT.read_text(encoding="utf-8")
    uri = path.as_uri()

    async def session() -> None:
        client = Client()
        await client.start(tmp_path)
        await client.open(tmp_path, debounce_ms=1500)
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        await client.wait_for(uri, lambda d: len(d) == 1)  # open is checked at once
        assert client.publishes[uri] == 1
        # Five edits typed in a burst: the last one removes the Flatten.
        versions = [text + f"\n# typing {n}\n" for n in range(4)]
        versions.append(text.replace("L.Flatten()", "L.GlobalAveragePooling2D()"))
        for number, version in enumerate(versions, start=2):
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=number),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=version)],
                )
            )
        assert len(await client.wait_for(uri, lambda d: len(d) == 0)) == 0
        # Saving re-checks at once, without waiting for the debounce.
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        await client.wait_for(uri, lambda d: client.publishes[uri] == 3)
        assert await client.close() == 0
        assert client.publishes[uri] == 3  # open, one for the burst, save

    run(session())


def test_each_finding_of_a_file_with_two_gets_its_own_quick_fix(tmp_path: Path) -> None:
    """Issue 23 point 2: a file with two findings offers a quick fix per finding (not only
    "fix all"), each replacing its own Flatten and leaving the other finding as it was."""
    from kerasfix.runner import lint_paths

    work = tmp_path / "project"
    work.mkdir()
    files = ["functional.py", "backbones.py"]
    for name in files:
        shutil.copyfile(ROOT / "fixtures" / "source" / name, work / name)

    async def session() -> None:
        client = Client()
        await client.start(work)
        await client.open(work)
        for name in files:
            path = work / name
            text = path.read_text(encoding="utf-8")
            uri = path.as_uri()
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    text_document=types.TextDocumentItem(
                        uri=uri, language_id="python", version=1, text=text
                    )
                )
            )
            diagnostics = await client.wait_for(uri, lambda d: len(d) == 2)
            for diagnostic, other in (diagnostics, diagnostics[::-1]):
                actions = await _actions_at(client, uri, diagnostic)
                quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
                assert [a.title for a in quick] == [
                    "kerasfix: replace Flatten with GlobalAveragePooling2D"
                ], (name, [(a.title, a.kind) for a in actions])
                assert quick[0].edit is not None and quick[0].edit.changes is not None
                fixed = apply_edits(text, quick[0].edit.changes[uri])
                check = tmp_path / "check" / name
                check.parent.mkdir(exist_ok=True)
                check.write_text(fixed, encoding="utf-8")
                (left,) = lint_paths([check]).findings  # the other finding, and only it
                assert left.message == other.message
                before, after = text.splitlines(), fixed.splitlines()
                shift = len(after) - len(before)  # an import line added above
                line = diagnostic.range.start.line
                assert "GlobalAveragePooling2D" in after[line + shift]
                assert after[other.range.start.line + shift] == before[other.range.start.line]
        assert await client.close() == 0

    run(session())
