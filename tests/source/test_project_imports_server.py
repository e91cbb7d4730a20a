"""Issue 25 section 4 in the editor: `kerasfix server` reads the imported size from disk for
an unsaved buffer, and saving the imported file re-checks the open file that imports it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="needs the server extra: pip install -e '.[server]'")

from lsprotocol import types

from tests.server.lsp_client import Client, run

TRAIN = (
    "from keras import layers, models\nfrom config import SIZE\n"
    "m = models.Sequential([layers.Input((SIZE, SIZE, 1)), layers.Conv2D(8, 3), "
    "layers.Flatten(), layers.Dense(10)])\n"
)


def test_saving_an_imported_file_rechecks_its_open_importer(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    config = tmp_path / "config.py"
    config.write_text("SIZE = 20\n", encoding="utf-8")
    train = tmp_path / "train.py"
    train.write_text("", encoding="utf-8")  # on disk, but the buffer is not saved
    uri = train.as_uri()

    async def session() -> None:
        client = Client()
        await client.start(tmp_path)
        await client.open(tmp_path)
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=TRAIN
                )
            )
        )
        (first,) = await client.wait_for(uri, lambda d: len(d) == 1)
        assert "18x18x8" in first.message and "SIZE = 20 (config.py:1)" in first.message
        config.write_text("SIZE = 30\n", encoding="utf-8")
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=config.as_uri())
            )
        )
        (second,) = await client.wait_for(uri, lambda d: len(d) == 1 and "28x28x8" in d[0].message)
        assert "SIZE = 30 (config.py:1)" in second.message
        assert await client.close() == 0

    run(session())
