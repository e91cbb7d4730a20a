"""The server's per-buffer analysis and LSP conversions, without a client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="needs the server extra: pip install -e '.[server]'")

from lsprotocol import types

from kerasfix.config import Resolver
from kerasfix.server import convert
from kerasfix.server.analysis import Buffer, analyse
from kerasfix.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = (ROOT / "fixtures" / "source" / "sequential_list.py").read_text(encoding="utf-8")


def test_unsaved_text_is_checked_as_it_stands() -> None:
    result = analyse(Buffer("model.py", "source", (SCRIPT,)), Settings())
    assert [f.rule for f in result.findings] == ["KF001"]
    edited = SCRIPT.replace("L.Flatten()", "L.GlobalAveragePooling2D()")
    assert analyse(Buffer("model.py", "source", (edited,)), Settings()).findings == []


def test_a_syntax_error_mid_edit_gives_a_reason_and_no_findings() -> None:
    broken = SCRIPT.replace("L.Dense(128,", "L.Dense(128,,")
    result = analyse(Buffer("model.py", "source", (broken,)), Settings())
    assert result.findings == [] and result.layers == []
    assert result.error is not None and "syntax error" in result.error


def test_skip_file_noqa_and_configuration_apply_as_in_lint(tmp_path: Path) -> None:
    skipped = "# kerasfix: skip-file\n" + SCRIPT
    assert analyse(Buffer("m.py", "source", (skipped,)), Settings()).findings == []
    noqa = SCRIPT.replace("L.Flatten(),", "L.Flatten(),  # noqa: KF001")
    assert analyse(Buffer("m.py", "source", (noqa,)), Settings()).findings == []
    (tmp_path / "pyproject.toml").write_text(
        '[tool.kerasfix]\nper-file-ignores = {"legacy_*.py" = ["KF001"]}\n', encoding="utf-8"
    )
    legacy = str(tmp_path / "legacy_model.py")
    settings = Resolver().settings_for(Path(legacy))
    assert analyse(Buffer(legacy, "source", (SCRIPT,)), settings).findings == []
    other = str(tmp_path / "model.py")
    assert len(analyse(Buffer(other, "source", (SCRIPT,)), settings).findings) == 1


def test_layer_lines_exist_without_any_flatten() -> None:
    text = (
        "import keras\nfrom keras import layers\n"
        "model = keras.Sequential([\n"
        "    keras.Input((32,)),\n"
        "    layers.Dense(16),\n"
        "])\n"
    )
    result = analyse(Buffer("m.py", "source", (text,)), Settings())
    labels = {layer.span.line: layer.label for layer in result.layers}
    assert labels[5] == "(None, 16) · 528 params"  # 32*16 + 16


def test_an_unknown_size_is_shown_as_unknown_with_the_reason() -> None:
    text = (
        "import keras\nfrom keras import layers\n"
        "def build(size):\n"
        "    return keras.Sequential([\n"
        "        keras.Input((size, size, 3)),\n"
        "        layers.Conv2D(4, 3),\n"
        "    ])\n"
    )
    result = analyse(Buffer("m.py", "source", (text,)), Settings())
    (conv,) = [layer for layer in result.layers if layer.class_name == "Conv2D"]
    assert conv.label == "(None, H-2, W-2, 4) · 112 params"  # 3*3*3*4 + 4; sizes by name
    hint = convert.inlay_hint(conv, convert.lines_of(text))
    assert hint is not None and "size" in str(hint.tooltip)


def test_an_unknown_input_size_is_shown_by_the_names_the_formula_uses() -> None:
    """No input shape: the sizes are the formula's names (as KF002 states them), not None."""
    seed = (
        "import keras\nfrom keras import layers\n"
        "model = keras.Sequential()\n"
        "model.add(layers.ConvLSTM2D(filters=256, kernel_size=(3, 3)))\n"
        "model.add(layers.Flatten())\n"
        "model.add(layers.Dense(256))\n"
    )
    result = analyse(Buffer("m.py", "source", (seed,)), Settings())
    labels = {layer.class_name: layer.label for layer in result.layers}
    assert labels["ConvLSTM2D"] == "(None, H-2, W-2, 256) · ? params"
    assert labels["Dense"].startswith("(None, 256) · ")


def test_positions_count_utf16_units_after_non_ascii_text() -> None:
    text = 'x = "é😀"; y = layers.Flatten()'
    start = text.index("layers")
    from kerasfix.graph.model import SourceSpan

    span = SourceSpan(1, start + 1, 1, len(text) + 1)
    utf16 = convert.span_range(span, [text])
    assert utf16.start.character == start + 1  # the emoji is two UTF-16 units
    utf8 = convert.span_range(span, [text], convert.UTF8)
    assert utf8.start.character == len(text[:start].encode("utf-8"))
    assert convert.span_range(span, [text], convert.UTF32).start.character == start


def test_text_edits_rebuild_the_new_text() -> None:
    before = "a\nb\nc"
    after = "a\nB\nc\nd\n"
    edits = convert.text_edits(before, after)
    assert all(isinstance(e, types.TextEdit) for e in edits)
    from tests.server.lsp_client import apply_edits

    assert apply_edits(before, edits) == after


def test_kerasfix_lint_does_not_import_the_server_libraries() -> None:
    probe = (
        "import sys\nfrom kerasfix.cli import main\n"
        f"main(['lint', '--exit-zero', {str(ROOT / 'fixtures' / 'source')!r}])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pygls', 'lsprotocol'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "KF001" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"
