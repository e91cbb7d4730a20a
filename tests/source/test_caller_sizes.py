"""Issue 25 (heldout6 misses): a builder whose Flatten its own file cannot size, sized by the
project's files that import and call it (`comma2(90, 320)` in run_train.py), reported at the
builder's own Flatten line with exact counts and the call named; lint, the result cache,
`--fix` and the editor server alike.

Every project is real files in tmp_path. Counts: Conv2D(8, 3) valid on SxSx1 gives
(S-2)x(S-2)x8, Dense(10) after Flatten has (S-2)^2*8*10 + 10 parameters (Keras builds the
same, test_counts_match_keras).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kerasfix.cli import main
from kerasfix.frontends.source import project_files
from kerasfix.runner import lint_paths
from kerasfix.server.analysis import Buffer, analyse
from kerasfix.settings import Settings
from tests.source.test_project_imports import _cli_json, _write, mark_cached

BUILDER = (
    "from keras import layers, models\n"
    "\n"
    "\n"
    "def build(size):\n"
    "    return models.Sequential([\n"
    "        layers.Input((size, size, 1)),\n"
    "        layers.Conv2D(8, 3),\n"
    "        layers.Flatten(),\n"  # line 8
    "        layers.Dense(10),\n"
    "    ])\n"
)
FLATTEN_LINE = 8


def _findings(path: Path) -> list[tuple[str, int, object, int | None, str]]:
    result = lint_paths([path], Settings())
    assert not result.errors, result.errors
    return [
        (f.rule, f.line, f.data.shape, f.data.params_flatten, f.message) for f in result.findings
    ]


def _flatten_params(size: int) -> int:
    return (size - 2) ** 2 * 8 * 10 + 10


def test_a_caller_sizes_the_builders_flatten_at_its_own_line(tmp_path: Path) -> None:
    _write(tmp_path, {"model.py": BUILDER, "train.py": "from model import build\nm = build(20)\n"})
    ((rule, line, shape, params, message),) = _findings(tmp_path / "model.py")
    assert (rule, line, shape, params) == ("KF001", FLATTEN_LINE, (18, 18, 8), _flatten_params(20))
    assert "sized by train.py:2: build(20)" in message
    # The caller keeps its own finding, at its call.
    ((rule, line, shape, _, _),) = _findings(tmp_path / "train.py")
    assert (rule, line, shape) == ("KF001", 2, (18, 18, 8))


def test_no_caller_or_a_caller_that_cannot_size_it_keeps_kf002(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "model.py": BUILDER,
            "unrelated.py": "import build\nsize = 20\n",  # names the builder, imports no model
            "train.py": "import sys\nfrom model import build\nm = build(int(sys.argv[1]))\n",
        },
    )
    ((rule, line, _, _, message),) = _findings(tmp_path / "model.py")
    assert (rule, line) == ("KF002", FLATTEN_LINE)
    assert "sized by" not in message


def test_callers_with_different_sizes_report_the_largest_and_name_the_others(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            "model.py": BUILDER,
            "a_small.py": "from model import build\nm = build(12)\n",
            "b_large.py": "import model\n\nm = model.build(40)\n",
        },
    )
    ((rule, line, shape, params, message),) = _findings(tmp_path / "model.py")
    assert (rule, line, shape, params) == ("KF001", FLATTEN_LINE, (38, 38, 8), _flatten_params(40))
    assert "sized by b_large.py:3: model.build(40); also called by a_small.py:2: build(12)" in (
        message
    )


def test_more_callers_than_the_bound_are_said(tmp_path: Path) -> None:
    callers = {f"c{i}.py": f"from model import build\nm = build({12 + i})\n" for i in range(9)}
    _write(tmp_path, {"model.py": BUILDER, **callers})
    result = lint_paths([tmp_path / "model.py"], Settings())
    (finding,) = result.findings
    # c0.py ... c7.py are read (build(12) ... build(19)): the largest is 19, not c8's 20.
    assert finding.data.shape == (17, 17, 8)
    assert any("not all read: 9 project files import this file" in n for n in result.notes)


def test_a_notebook_caller_is_named_by_its_cell(tmp_path: Path) -> None:
    # ECG-AF-Detection's "Inf time.ipynb" calls tools.create_model() in a cell.
    cells = ["import os\nfrom model import build\n", "%matplotlib inline\nm = build(20)\n"]
    notebook = {
        "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    _write(tmp_path, {"model.py": BUILDER, "explore.ipynb": json.dumps(notebook)})
    ((rule, line, shape, params, message),) = _findings(tmp_path / "model.py")
    assert (rule, line, shape, params) == ("KF001", FLATTEN_LINE, (18, 18, 8), _flatten_params(20))
    assert "sized by explore.ipynb:cell 2:2: build(20)" in message


def test_only_a_notebooks_code_is_searched_for_callers(tmp_path: Path) -> None:
    """Outputs (a plot as base64, a log) are not searched, nor kept: a project of notebooks
    with image outputs held 338 MB of their "words" at once before."""
    from kerasfix.frontends.source import caller_files

    blob = "iVBORw0KGgoAAAANSUhEUgAA" * 40_000  # ~1 MB of what an image output holds
    cells = [
        {"cell_type": "code", "source": "from model import build\nm = build(20)\n",
         "metadata": {}, "execution_count": 1,
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"image/png": blob, "text/plain": "build model"}}]},
        {"cell_type": "markdown", "source": "model build notes", "metadata": {}},
    ]  # fmt: skip
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    _write(tmp_path, {"model.py": BUILDER, "explore.ipynb": json.dumps(notebook)})
    words = caller_files.file_words(str(tmp_path / "explore.ipynb"))
    assert {b"model", b"build", b"m"} <= words and b"notes" not in words
    assert not any(word.startswith(b"iVBOR") for word in words)
    ((rule, _line, _shape, params, message),) = _findings(tmp_path / "model.py")
    assert (rule, params) == ("KF001", _flatten_params(20))
    assert "sized by explore.ipynb:cell 1:2: build(20)" in message


def test_a_subclassed_model_built_by_its_caller(tmp_path: Path) -> None:
    # cyberspacelee/DL AlexNet: the class defines the layers, predict.py calls build().
    net = (
        "from keras import Model, Sequential, layers\n\n\n"
        "class Net(Model):\n"
        "    def __init__(self, classes=10):\n"
        "        super().__init__()\n"
        "        self.features = Sequential([layers.Conv2D(8, 3)])\n"
        "        self.flatten = layers.Flatten()\n"  # line 8
        "        self.head = Sequential([layers.Dense(classes)])\n\n"
        "    def call(self, x):\n"
        "        return self.head(self.flatten(self.features(x)))\n"
    )
    caller = "from net import Net\n\nmodel = Net(classes=10)\nmodel.build((4, 24, 24, 1))\n"
    _write(tmp_path, {"net.py": net, "predict.py": caller})
    ((rule, line, shape, params, message),) = _findings(tmp_path / "net.py")
    assert (rule, line, shape, params) == ("KF001", 8, (22, 22, 8), _flatten_params(24))
    assert "sized by predict.py:3: Net(classes=10)" in message


def test_a_search_grid_over_itertools_product_sizes_the_builder(tmp_path: Path) -> None:
    # yanshuolee/ECG-AF-Detection: the builder looped over itertools.product of module lists.
    caller = (
        "import itertools\nimport model as tools\n\n"
        "sizes = [16]\nrates = [0.1]\n"
        "for size, rate in itertools.product(sizes, rates):\n"
        "    m = tools.build(size)\n"
    )
    _write(tmp_path, {"model.py": BUILDER, "grid.py": caller})
    ((rule, _, shape, params, message),) = _findings(tmp_path / "model.py")
    assert (rule, shape, params) == ("KF001", (14, 14, 8), _flatten_params(16))
    assert "sized by grid.py:7: tools.build(size)" in message


def test_cache_rechecks_the_builder_when_a_caller_changes_or_appears(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], result_cache: Path
) -> None:
    _write(
        tmp_path,
        {"model.py": BUILDER, "train.py": "from model import build\nm = build(20)\n"},
    )
    builder = tmp_path / "model.py"
    assert _cli_json(builder, capsys)[0]["shape"] == [18, 18, 8]
    mark_cached(result_cache)
    (tmp_path / "notes.py").write_text("X = 1\n", encoding="utf-8")  # names neither
    assert _cli_json(builder, capsys)[0]["message"] == "served from the cache"
    (tmp_path / "train.py").write_text("from model import build\nm = build(30)\n", "utf-8")
    assert _cli_json(builder, capsys)[0]["shape"] == [28, 28, 8]  # a changed caller
    mark_cached(result_cache)
    assert _cli_json(builder, capsys)[0]["message"] == "served from the cache"
    (tmp_path / "big.py").write_text("from model import build\nm = build(50)\n", "utf-8")
    assert _cli_json(builder, capsys)[0]["shape"] == [48, 48, 8]  # a new caller


def test_fix_and_the_editor_server_see_the_callers_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, {"model.py": BUILDER, "train.py": "from model import build\nm = build(20)\n"})
    builder = tmp_path / "model.py"
    analysis = analyse(Buffer(builder.as_posix(), "source", (BUILDER,)), Settings())
    (finding,) = analysis.findings
    assert (finding.rule, finding.line, finding.data.shape) == ("KF001", 8, (18, 18, 8))
    assert str((tmp_path / "train.py").resolve()) in analysis.depends_on
    assert project_files.files_unchanged(analysis.depends_on)
    (tmp_path / "train.py").write_text("from model import build\nm = build(21)\n", "utf-8")
    assert not project_files.files_unchanged(analysis.depends_on)  # the server re-checks
    # An unsaved buffer that differs from the file the callers import keeps its own KF002:
    # the callers' layers would be the saved file's (Dense(10), not the buffer's Dense(20)).
    unsaved = BUILDER.replace("Dense(10)", "Dense(20)")
    (finding,) = analyse(Buffer(builder.as_posix(), "source", (unsaved,)), Settings()).findings
    assert (finding.rule, finding.line) == ("KF002", 8)
    main(["lint", "--no-cache", "--fix", str(builder)])
    capsys.readouterr()
    fixed = builder.read_text(encoding="utf-8")
    assert "layers.GlobalAveragePooling2D()," in fixed and "Flatten" not in fixed


@pytest.mark.keras
def test_counts_match_keras() -> None:
    from tests.keras_on_demand import keras

    for size in (16, 20, 24, 40):
        dense = keras.layers.Dense(10)
        keras.Sequential(
            [keras.Input((size, size, 1)), keras.layers.Conv2D(8, 3), keras.layers.Flatten(), dense]
        )
        assert dense.count_params() == _flatten_params(size)


def test_a_caller_of_the_package_that_reexports_the_builder(tmp_path: Path) -> None:
    """`from cnn.conv import LeNet` where `cnn/conv/__init__.py` does `from .lenet import
    LeNet` (Aalawani686/Company-Logo-CNN-Classification): the caller names the package, not
    the builder's module, and still sizes it."""
    builder = (
        "from keras import layers, models\n"
        "class LeNet:\n"
        "    @staticmethod\n"
        "    def build(size):\n"
        "        return models.Sequential([layers.Input((size, size, 1)), layers.Conv2D(8, 3),\n"
        "            layers.Flatten(), layers.Dense(10)])\n"
    )
    _write(
        tmp_path,
        {
            "cnn/__init__.py": "",
            "cnn/conv/__init__.py": "from .lenet import LeNet\n",
            "cnn/conv/lenet.py": builder,
            "train.py": "from cnn.conv import LeNet\nm = LeNet.build(size=20)\n",
        },
    )
    ((rule, _, shape, params, message),) = _findings(tmp_path / "cnn/conv/lenet.py")
    assert (rule, shape, params) == ("KF001", (18, 18, 8), _flatten_params(20))
    assert "sized by train.py:2: LeNet.build(size=20)" in message


LAYER_LIST = (
    "from keras import layers\n"
    "\n"
    "\n"
    "def layers_for(input_shape):\n"
    "    return [\n"
    "        layers.ZeroPadding2D(3, input_shape=input_shape, data_format='channels_first'),\n"
    "        layers.Conv2D(48, (7, 7), data_format='channels_first'),\n"
    "        layers.Flatten(),\n"  # line 8
    "        layers.Dense(512),\n"
    "    ]\n"
)


def test_an_uncalled_builder_of_a_layer_list_is_stacked_as_a_sequential(tmp_path: Path) -> None:
    """The Go book's `networks/small.py`: `layers(input_shape)` returns the layers its
    callers add to a Sequential one by one. Alone, the size is its parameter (KF002); a
    caller in the project sizes it (padding 3 and a 7x7 kernel keep 19x19: 48*19*19*512 +
    512 = 8,872,448)."""
    _write(tmp_path, {"small.py": LAYER_LIST})
    ((rule, line, _, params, message),) = _findings(tmp_path / "small.py")
    assert (rule, line, params) == ("KF002", FLATTEN_LINE, None)
    assert "'input_shape' is a parameter of layers_for()" in message
    caller = (
        "from keras.models import Sequential\n"
        "import small\n"
        "model = Sequential()\n"
        "for layer in small.layers_for((11, 19, 19)):\n"
        "    model.add(layer)\n"
    )
    _write(tmp_path, {"train.py": caller})
    ((rule, line, shape, params, _),) = _findings(tmp_path / "small.py")
    assert (rule, line, shape, params) == ("KF001", FLATTEN_LINE, (48, 19, 19), 8_872_448)


def test_a_returned_list_without_a_flatten_builds_nothing(tmp_path: Path) -> None:
    text = LAYER_LIST.replace("        layers.Flatten(),\n", "")
    _write(tmp_path, {"small.py": text})
    assert _findings(tmp_path / "small.py") == []


def test_a_callers_data_checks_stay_in_the_callers_file(tmp_path: Path) -> None:
    """The caller's `fit` on data the model cannot take is the caller's KF003, at its own
    line; the builder's file, sized by that call, reports only its Flatten (it showed the
    caller's `fit` at the caller's line number in the builder's file)."""
    caller = (
        "import numpy as np\n"
        "from model import build\n"
        "m = build(20)\n"
        "m.fit(np.zeros((10, 30, 30, 1)), np.zeros((10, 10)))\n"
    )
    _write(tmp_path, {"model.py": BUILDER, "train.py": caller})

    def places(path: Path) -> list[tuple[str, int]]:
        return [(f.rule, f.line) for f in lint_paths([path], Settings()).findings]

    assert places(tmp_path / "model.py") == [("KF001", FLATTEN_LINE)]
    assert places(tmp_path / "train.py") == [("KF001", 3), ("KF003", 4)]


def test_a_call_in_code_nobody_calls_still_sizes_through_an_alias(tmp_path: Path) -> None:
    """Callers are read only for their calls of the builder: code of theirs nobody calls is
    explored where it names the builder, or what they import it as (exploration_focus.py),
    so a training script's other functions cost nothing (the Go book's networks/large.py
    took 3.1 s for its 8 callers, 0.4 s so)."""
    caller = (
        "import numpy as np\n"
        "from model import build as make_net\n"
        "def unrelated():\n"
        "    return [np.zeros((i, i)) for i in range(100)]\n"
        "def main():\n"
        "    net = make_net(24)\n"
        "    net.fit(np.zeros((1, 24, 24, 1)))\n"
    )
    _write(tmp_path, {"model.py": BUILDER, "train.py": caller})
    ((rule, _, shape, params, message),) = _findings(tmp_path / "model.py")
    assert (rule, shape, params) == ("KF001", (22, 22, 8), _flatten_params(24))
    assert "sized by train.py:6: make_net(24)" in message


def test_exploration_focus_keeps_code_naming_a_builder() -> None:
    import ast

    from kerasfix.frontends.source.exploration_focus import focused_on, worth_exploring

    tree = ast.parse("def a():\n    return nets.build(3)\ndef b():\n    return 1\n")
    first, second = tree.body
    assert worth_exploring(first) and worth_exploring(second)  # no focus: everything
    with focused_on(frozenset({"build"})):
        assert worth_exploring(first)
        assert not worth_exploring(second)
