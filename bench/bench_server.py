"""Bench: how long `kerasfix server` takes to re-check a ~1,000-line Keras file after an edit.

Two figures, medians of --runs:
  * analyse: the re-check itself, in process (parse, interpret, infer, rules, layer lines);
  * round trip: a real LSP client (pygls, over stdio) sends didChange with the debounce set
    to 0 and waits for publishDiagnostics: the re-check plus JSON-RPC both ways;
  * IPython hook: what `%load_ext kerasfix` does after a cell, for a session holding the
    same code as one cell per model (the whole history is re-checked each time).

Usage: .venv/bin/python bench/bench_server.py [--runs 20] [--models 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BLOCK = '''

def build_{i}(classes: int = 10) -> keras.Model:
    """Model {i}: a small CNN with a Flatten head."""
    inputs = keras.Input(shape=(64, 64, 3))
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D({width}, 3, padding="same", activation="relu")(x)
    x = layers.Dropout(0.25)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="model_{i}")


model_{i} = build_{i}()
'''


def source(models: int) -> str:
    header = '"""Generated for the server bench."""\n\nimport keras\nfrom keras import layers\n'
    return header + "".join(BLOCK.format(i=i, width=64 + i) for i in range(models))


def bench_analyse(text: str, runs: int) -> tuple[float, float, int]:
    """(median wall seconds, median CPU seconds, findings): CPU time is what a loaded
    machine cannot inflate by making the process wait."""
    from kerasfix.server.analysis import Buffer, analyse
    from kerasfix.settings import Settings

    times, cpu, findings = [], [], 0
    for run in range(runs):
        edited = text + f"\n# edit {run}\n"
        start, start_cpu = time.perf_counter(), time.process_time()
        result = analyse(Buffer("bench.py", "source", (edited,)), Settings())
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        findings = len(result.findings)
    return statistics.median(times), statistics.median(cpu), findings


def bench_ipython_hook(models: int, runs: int) -> float:
    from types import SimpleNamespace

    from kerasfix.ipython import CellChecker

    header = "import keras\nfrom keras import layers\n"
    cells = [header] + [BLOCK.format(i=i, width=64 + i) for i in range(models)]
    shell = SimpleNamespace(history_manager=SimpleNamespace(input_hist_raw=["", *cells]))
    checker = CellChecker(shell)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        checker.findings(checker.history())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def bench_round_trip(text: str, runs: int, directory: Path) -> float:
    from lsprotocol import types

    from tests.server.lsp_client import Client

    path = directory / "bench.py"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client = Client()
    await client.start(directory)
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": 0}
        )
    )
    client.initialized(types.InitializedParams())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )
    await client.wait_for(uri, lambda d: len(d) > 0)
    times = []
    for run in range(runs):
        client.diagnostics.pop(uri, None)
        edited = text + f"\n# edit {run}\n"
        start = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=run + 2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
            )
        )
        await client.wait_for(uri, lambda d: len(d) > 0)
        times.append(time.perf_counter() - start)
    await client.close()
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--models", type=int, default=50, help="20 lines each")
    args = parser.parse_args()
    text = source(args.models)
    lines = text.count("\n") + 1
    analyse_s, analyse_cpu, findings = bench_analyse(text, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        round_trip_s = asyncio.run(bench_round_trip(text, args.runs, Path(tmp)))
    hook_s = bench_ipython_hook(args.models, args.runs)
    print(f"file: {lines} lines, {args.models} models, {findings} findings")
    print(
        f"analyse (in process), median of {args.runs}: {analyse_s * 1000:.1f} ms wall, "
        f"{analyse_cpu * 1000:.1f} ms CPU"
    )
    print(
        f"didChange -> publishDiagnostics over stdio, median of {args.runs}: "
        f"{round_trip_s * 1000:.1f} ms"
    )
    print(
        f"IPython post-run check of a {args.models + 1}-cell session, median of {args.runs}: "
        f"{hook_s * 1000:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
