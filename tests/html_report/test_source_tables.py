"""`kerasfix inspect` on source files and notebooks: one table per model the file builds."""

from __future__ import annotations

import json
import re
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kerasfix.inspection.tables import layer_table, read_every_model

ROOT = Path(__file__).resolve().parents[2]
NESTED = ROOT / "fixtures" / "source" / "nested.py"
FUNCTIONAL = ROOT / "fixtures" / "source" / "functional.py"
NOTEBOOK = ROOT / "fixtures" / "notebooks" / "function_across_cells.ipynb"


def inspect_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kerasfix", "inspect", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def inspect_json(path: Path) -> dict[str, Any]:
    result = inspect_cli(str(path), "--output-format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_model_of_a_file_in_creation_order() -> None:
    tables = layer_table(read_every_model(NESTED, "source"))
    assert [(t.name, t.facts["line"]) for t in tables] == [
        ("trunk", "6"),
        ("functional_1", "19"),  # Keras's name: building `trunk` at line 16 took "functional"
        ("classifier", "21"),
        ("sequential", "22"),
    ]
    trunk, functional, classifier, full = tables
    # Conv2D(32, 3) on 3 channels: 3*3*3*32 + 32; Conv2D(64, 3) on 32: 3*3*32*64 + 64.
    assert trunk.total_params == 896 + 18_496
    # The fixture's `# expect:` comment: Dense(256) on 16*16*64 = 4,194,560; pooled 16,640.
    assert functional.total_params == 19_392 + 4_194_560 + 2_570
    assert functional.params_after_swaps == 19_392 + 16_640 + 2_570
    assert classifier.total_params == 524_320
    # `trunk` was first called inside `functional`; in `full` it still counts its weights.
    assert full.total_params == 19_392 + 524_320
    assert full.params_after_swaps == 19_392 + 2_080


def test_rows_carry_spans_markers_and_after_counts() -> None:
    (_, functional, _, full) = layer_table(read_every_model(NESTED, "source"))
    flatten = next(r for r in functional.rows if r.class_name == "Flatten")
    dense = next(r for r in functional.rows if r.markers == ["KF001 (Dense)"])
    assert (flatten.markers, flatten.span and flatten.span.line) == (["KF001"], 17)
    assert (dense.params, dense.params_after, dense.span and dense.span.line) == (
        4_194_560,
        16_640,
        18,
    )
    # A nested model holding the swap site shrinks with it.
    classifier_row = next(r for r in full.rows if r.path == ("classifier",))
    assert (classifier_row.params, classifier_row.params_after) == (524_320, 2_080)
    # As Keras lists a Sequential's layers: without its InputLayer.
    assert [r.depth for r in full.rows if r.path[0] == "classifier"] == [0, 1, 1]


def test_notebook_tables_name_the_cell() -> None:
    (table,) = layer_table(read_every_model(NOTEBOOK, "notebook"))
    assert table.facts == {"cell": "1", "line": "6"}
    # Conv2D(8, 3) on 1 channel at 16x16 -> 14x14x8, Dense(1): 1568 + 1.
    assert [(r.class_name, r.output_shape, r.params) for r in table.rows] == [
        ("Conv2D", (None, 14, 14, 8), 80),
        ("Flatten", (None, 1568), 0),
        ("Dense", (None, 1), 1_569),
    ]
    assert table.rows[-1].span is not None and table.rows[-1].span.cell == 1


def test_cli_json_matches_the_tables_and_text_lists_them(tmp_path: Path) -> None:
    data = inspect_json(NESTED)
    assert data["kind"] == "source"
    assert [m["total_params"] for m in data["models"]] == [19_392, 4_216_522, 524_320, 543_712]
    layers = data["models"][1]["layers"]
    rows = [(r["layer"], r["params"], r["params_after_swaps"], r["line"]) for r in layers]
    assert rows[-3:] == [
        ("flatten", 0, 0, 17),
        ("dense", 4_194_560, 16_640, 18),
        ("dense_1", 2_570, 2_570, 19),
    ]
    text = inspect_cli(str(NESTED)).stdout
    assert text.count('Model: "') == 4
    assert "After 1 KF001 swap to global pooling: 38,602 params (-99.1%)" in text
    assert f"{NESTED.as_posix()}:17:8: KF001 Flatten over 16x16x64" in text


def test_a_file_without_flatten_is_still_tabled(tmp_path: Path) -> None:
    source = tmp_path / "gap.py"
    source.write_text(
        "import keras\n"
        "m = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3),\n"
        "                      keras.layers.GlobalAveragePooling2D()], name='gap')\n"
    )
    (model,) = inspect_json(source)["models"]
    assert (model["model"], model["total_params"], model["swaps"]) == ("gap", 112, 0)


def test_layer_calls_outside_a_model_and_files_without_models(tmp_path: Path) -> None:
    calls = tmp_path / "calls.py"
    calls.write_text(
        "from keras import layers\n"
        "x = layers.Flatten()(layers.Input((4, 4, 8)))\n"
        "y = layers.Dense(3)(x)\n"
    )
    (table,) = inspect_json(calls)["models"]
    assert table["model"] == "(layer calls outside any model)"
    assert table["total_params"] == 4 * 4 * 8 * 3 + 3
    empty = tmp_path / "empty.py"
    empty.write_text("print(1)\n")
    assert inspect_json(empty)["models"] == []
    assert "no Keras model built in this file" in inspect_cli(str(empty)).stdout


def test_bad_source_is_lints_error_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n")
    page = tmp_path / "page.html"
    result = inspect_cli(str(broken), "--html", str(page))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {broken.as_posix()}:1:5: syntax error: invalid syntax (skipped line 1; the rest"
        " of the file was analysed)"
    ]
    assert "no Keras model built in this file" in result.stdout


def test_a_syntax_error_below_the_model_is_analysed_around_as_lint_does(tmp_path: Path) -> None:
    """Issue 23 point 6: the same recovery as lint (frontends/source/recovery.py), the same
    table as for the fixed file, and lint's error line (exit 2, as lint)."""
    good = NESTED.read_text()
    fixed = tmp_path / "fixed.py"
    fixed.write_text(good + "model.fit(X, Y, epochs=5)\n")
    broken = tmp_path / "broken.py"
    broken.write_text(good + "model.fit(X, Y epochs=5)\n")
    line = good.count("\n") + 1
    result = inspect_cli(str(broken), "--output-format", "json")
    assert result.returncode == 2
    lint = subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", str(broken)], capture_output=True, text=True
    )
    (error,) = result.stderr.splitlines()
    assert error == lint.stderr.strip() and f"broken.py:{line}:" in error, lint.stderr
    assert "skipped line" in error
    tables, expected = json.loads(result.stdout), inspect_json(fixed)
    assert [m["layers"] for m in tables["models"]] == [m["layers"] for m in expected["models"]]
    assert len(tables["models"]) == 4


def test_html_over_the_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "model.py"
    source.write_bytes(NESTED.read_bytes())
    result = inspect_cli(str(source), "--html", str(source))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "overwrite the input" in result.stderr
    assert source.read_bytes() == NESTED.read_bytes()


@pytest.mark.keras
@pytest.mark.parametrize("fixture", [NESTED, FUNCTIONAL], ids=lambda p: p.name)
def test_tables_equal_what_keras_builds_from_the_same_file(fixture: Path) -> None:
    """Run the fixture with real Keras: every model's name, layers (named as Keras names
    them, InputLayer rows where Keras lists them), shapes and counts must match."""
    keras = pytest.importorskip("keras")
    keras.backend.clear_session()  # a fresh session: Keras numbers automatic names from 0
    namespace = runpy.run_path(str(fixture))
    built = [v for v in namespace.values() if isinstance(v, keras.Model)]
    tables = inspect_json(fixture)["models"]
    assert len(tables) == len(built)
    for table, model in zip(tables, built, strict=True):
        assert table["model"] == model.name
        assert table["total_params"] == model.count_params(), table["model"]
        ours = [
            (row["layer"], row["class_name"], tuple(row["output_shape"]), row["params"])
            for row in table["layers"]
            if row["depth"] == 0
        ]
        theirs = [
            (layer.name, type(layer).__name__, tuple(layer.output.shape), layer.count_params())
            for layer in model.layers
        ]
        assert ours == theirs, table["model"]


def test_text_tables_give_each_layer_its_source_line(tmp_path: Path) -> None:
    """Issue 23 point 14: Keras's names, the `name=` given, no InputLayer a Sequential does
    not list, and the line that creates each layer (the Input's own line)."""
    source = tmp_path / "lines.py"
    source.write_text(
        "import keras\n"
        "from keras import layers\n"
        "inp = keras.Input((8, 8, 1))\n"
        "x = layers.Conv2D(2, 3)(inp)\n"
        "x = layers.Conv2D(2, 3, name='second')(x)\n"
        "x = layers.Conv2D(2, 3)(x)\n"
        "model = keras.Model(inp, layers.Dense(3)(layers.Flatten()(x)))\n"
        "seq = keras.Sequential([layers.Conv2D(4, 3, input_shape=(8, 8, 1)),\n"
        "                        layers.GlobalAveragePooling2D()])\n"
    )
    text = inspect_cli(str(source)).stdout
    row = re.compile(r"^(\S+) (\(\w+\)) +\(.*?\) +[\d,]+ +(\d+)(  <-- .*)?$", re.M)
    assert [match[:3] for match in row.findall(text)] == [
        ("input_layer", "(InputLayer)", "3"),
        ("conv2d", "(Conv2D)", "4"),
        ("second", "(Conv2D)", "5"),
        ("conv2d_1", "(Conv2D)", "6"),
        ("flatten", "(Flatten)", "7"),
        ("dense", "(Dense)", "7"),
        ("conv2d_2", "(Conv2D)", "8"),
        ("global_average_pooling2d", "(GlobalAveragePooling2D)", "9"),
    ]
    assert 'Model: "functional"' in text and 'Model: "sequential"' in text
    assert text.count("Param #  Line") == 2


def test_layer_names_known_only_at_run_time(tmp_path: Path) -> None:
    """`name=prefix + "fc"` in an uncalled function: the class name stands in (found by
    running inspect --html over keras/src/applications/efficientnet.py)."""
    source = tmp_path / "names.py"
    source.write_text(
        "import keras\n"
        "def head(x, prefix):\n"
        "    y = keras.layers.Flatten(name=prefix + 'flat')(x)\n"
        "    return keras.layers.Dense(4, name=prefix + 'fc')(y)\n"
    )
    page = tmp_path / "page.html"
    result = inspect_cli(str(source), "--html", str(page), "--output-format", "json")
    assert result.returncode == 0, result.stderr
    (table,) = json.loads(result.stdout)["models"]
    # No row for the parameter `x` the code never wrote as an Input.
    assert [row["layer"] for row in table["layers"]] == ["Flatten", "Dense"]
    assert table["layers"][1]["params"] is None  # its input size is not known statically
    assert 'data-layer="Dense"' in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("path, kind", [(NESTED, "source"), (FUNCTIONAL, "source")])
def test_the_editor_hints_and_the_table_show_the_same_layer_alike(path: Path, kind: str) -> None:
    """The server's per-line hints and `inspect`'s rows come from one walk: a layer written
    on a line has the same class, output shape and shape text in both."""
    from kerasfix.engine import lint_graph
    from kerasfix.frontends.source.layer_lines import layer_lines
    from kerasfix.inspection.layer_view import format_shape

    program = read_every_model(path, kind)
    tables = layer_table(program, lint_graph(program.graph, path=program.path))
    rows = {(row.span, row.class_name): row for table in tables for row in table.rows}
    lines = layer_lines(program.graph)
    assert len(lines) >= 4
    for line in lines:
        row = rows[(line.span, line.class_name)]
        assert row.output_shape == line.output_shape
        if line.symbolic_shape is None:
            assert line.label.startswith(f"{format_shape(row.output_shape)} · ")
