"""Issue 25 section 4: the project's other files (`from config import IMG_SIZE`, `from .blocks
import conv_block`, `from constants import *`), read statically with the same interpreter,
never imported; the result cache, `--fix` and the editor server see what they define.

Every project is real files in tmp_path; counts are Keras's (Conv2D 3x3 valid, Dense(10)).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kerasfix.cli import main
from kerasfix.frontends.source import project_files
from kerasfix.limits import MAX_IMPORT_DEPTH
from kerasfix.runner import lint_paths
from kerasfix.server.analysis import Buffer, analyse
from kerasfix.settings import Settings

HEAD = "layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(10)])\n"


def _write(root: Path, files: dict[str, str], marker: bool = True) -> None:
    """The project's files; `marker`: with a pyproject.toml marking `root` as its root."""
    if marker:
        (root / "pyproject.toml").write_text("", encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _findings(path: Path) -> list[tuple[str, object, str]]:
    result = lint_paths([path], Settings())
    assert not result.errors, result.errors
    return [(f.rule, f.data.shape, f.message) for f in result.findings]


def _model(size_expr: str) -> str:
    return f"m = models.Sequential([layers.Input(({size_expr}, {size_expr}, 1)), " + HEAD


def test_constants_by_name_alias_and_module(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "config.py": "IMG_SIZE = 32\nSHAPE = (IMG_SIZE, IMG_SIZE, 3)\n",
            "train.py": (
                "from keras import layers, models\nimport config\n"
                "from config import IMG_SIZE as S\n"
                "a = models.Sequential([layers.Input(config.SHAPE), " + HEAD + _model("S")
            ),
        },
    )
    found = _findings(tmp_path / "train.py")
    assert [(rule, shape) for rule, shape, _ in found] == [
        ("KF001", (30, 30, 8)),
        ("KF001", (30, 30, 8)),
    ]
    assert "SHAPE = (32, 32, 3) (config.py:2)" in found[0][2]
    assert "IMG_SIZE = 32 (config.py:1)" in found[1][2]


def test_star_import_brings_constants_and_keras_names(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "constants.py": "from keras.layers import *\nSIZE = 28\n_PRIVATE = 5\n",
            "train.py": (
                "from keras import models\nfrom constants import *\n"
                "m = models.Sequential([Input((SIZE, SIZE, 1)), Conv2D(8, 3), Flatten(), "
                "Dense(10)])\n"
            ),
        },
    )
    ((rule, shape, message),) = _findings(tmp_path / "train.py")
    assert (rule, shape) == ("KF001", (26, 26, 8))
    assert "SIZE = 28 (constants.py:2)" in message


def test_relative_imports_in_a_package_and_a_builder_from_a_sibling(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": "SIZE = 40\n",
            "app/nets/__init__.py": "",
            "app/nets/blocks.py": (
                "from keras import layers\nfrom ..settings import SIZE\n\n\n"
                "def conv_block(x, filters):\n"
                "    x = layers.Conv2D(filters, 3)(x)\n"
                "    return layers.MaxPooling2D()(x)\n"
            ),
            "app/nets/model.py": (
                "from keras import layers, models\nfrom .blocks import conv_block, SIZE\n\n"
                "inputs = layers.Input((SIZE, SIZE, 3))\n"
                "x = conv_block(inputs, 16)\n"
                "x = layers.Flatten()(x)\n"
                "m = models.Model(inputs, layers.Dense(10)(x))\n"
            ),
        },
    )
    ((rule, shape, message),) = _findings(tmp_path / "app/nets/model.py")
    assert (rule, shape) == ("KF001", (19, 19, 16))
    assert "conv_block() (app/nets/blocks.py:5)" in message or "blocks.py:5" in message
    # The builder's layers are placed at the line of this file that called it.
    program = project_program(tmp_path / "app/nets/model.py")
    lines = {node.layer.class_name: node.layer.span.line for node in program.graph.nodes[1:3]}
    assert lines == {"Conv2D": 5, "MaxPooling2D": 5}


def project_program(path: Path):  # type: ignore[no-untyped-def]
    from kerasfix.frontends.source import read_source

    return read_source(path)


def test_a_cycle_gets_what_ran_before_it(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "a.py": "SIZE = 24\nfrom b import FILTERS\n",
            "b.py": "from a import SIZE\nFILTERS = SIZE // 3\n",
            "train.py": (
                "from keras import layers, models\nfrom a import SIZE, FILTERS\n"
                "m = models.Sequential([layers.Input((SIZE, SIZE, 1)), "
                "layers.Conv2D(FILTERS, 3), layers.Flatten(), layers.Dense(10)])\n"
            ),
        },
    )
    ((rule, shape, _),) = _findings(tmp_path / "train.py")
    assert (rule, shape) == ("KF001", (22, 22, 8))


def test_missing_modules_and_bounds_stay_kf002_with_a_reason(tmp_path: Path) -> None:
    chain = {f"m{i}.py": f"from m{i + 1} import SIZE\n" for i in range(MAX_IMPORT_DEPTH + 1)}
    chain[f"m{MAX_IMPORT_DEPTH + 1}.py"] = "SIZE = 20\n"
    _write(
        tmp_path,
        {
            **chain,
            "pkg/__init__.py": "",
            "pkg/train.py": (
                "from keras import layers, models\nfrom .missing import A\n"
                "from config import B\nfrom m0 import SIZE\n"
                + _model("A")
                + _model("B")
                + _model("SIZE")
            ),
        },
    )
    found = _findings(tmp_path / "pkg/train.py")
    assert [rule for rule, _, _ in found] == ["KF002", "KF002", "KF002"]
    assert "'.missing' is not a file of this project" in found[0][2]
    assert "'config.B' is defined outside this file" in found[1][2]  # a library's?
    assert f"nested deeper than {MAX_IMPORT_DEPTH} files" in found[2][2]


def test_a_module_is_parsed_once_per_process(tmp_path: Path) -> None:
    _write(tmp_path, {"config.py": "SIZE = 20\n"})
    path = (tmp_path / "config.py").resolve()
    first = project_files.read_module(path, "config.py")
    assert project_files.read_module(path, "config.py") is first
    (tmp_path / "config.py").write_text("SIZE = 21  # changed\n", encoding="utf-8")
    assert project_files.read_module(path, "config.py") is not first


def _cli_json(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict]:
    main(["lint", "--output-format", "json", *extra, str(path)])
    return json.loads(capsys.readouterr().out)


def mark_cached(cache: Path) -> None:
    """Stamp every stored result, to tell a result served from the cache from a new check."""
    (results,) = cache.glob("*/results.json")
    entries = json.loads(results.read_text(encoding="utf-8"))
    for entry in entries.values():
        for finding in entry["findings"]:
            finding["message"] = "served from the cache"
    results.write_text(json.dumps(entries), encoding="utf-8")


def test_cache_rechecks_importers_of_a_changed_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], result_cache: Path
) -> None:
    train_text = "from keras import layers, models\nfrom config import SIZE\n" + _model("SIZE")
    _write(tmp_path, {"config.py": "SIZE = 20\n", "other.py": "X = 1\n", "train.py": train_text})
    train = tmp_path / "train.py"
    (first,) = _cli_json(train, capsys)
    assert "18x18x8" in first["message"]
    mark_cached(result_cache)
    (tmp_path / "other.py").write_text("X = 2\n", encoding="utf-8")  # not imported by train
    assert _cli_json(train, capsys)[0]["message"] == "served from the cache"
    (tmp_path / "config.py").write_text("SIZE = 30\n", encoding="utf-8")
    (changed,) = _cli_json(train, capsys)
    assert "28x28x8" in changed["message"]


def test_fix_and_the_editor_server_see_the_imported_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train_text = "from keras import layers, models\nfrom config import SIZE\n" + _model("SIZE")
    _write(tmp_path, {"config.py": "SIZE = 20\n", "train.py": train_text})
    train = tmp_path / "train.py"
    # An unsaved buffer of the importing file; the imported file is read from disk.
    unsaved = train_text.replace("Dense(10)", "Dense(20)")
    analysis = analyse(Buffer(train.as_posix(), "source", (unsaved,)), Settings())
    ((finding),) = analysis.findings
    assert finding.data.shape == (18, 18, 8) and finding.data.dense_units == 20
    assert set(analysis.depends_on) == {str((tmp_path / "config.py").resolve())}
    (tmp_path / "config.py").write_text("SIZE = 21\n", encoding="utf-8")
    assert not project_files.files_unchanged(analysis.depends_on)  # the server re-checks
    main(["lint", "--no-cache", "--fix", str(train)])
    capsys.readouterr()
    assert "GlobalAveragePooling2D()" in train.read_text(encoding="utf-8")


@pytest.mark.usefixtures("result_cache")
def test_src_setting_adds_module_folders_and_keys_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(
        tmp_path,
        {
            "libs/shared_sizes.py": "SIZE = 20\n",
            "scripts/train.py": (
                "from keras import layers, models\nfrom shared_sizes import SIZE\n" + _model("SIZE")
            ),
        },
    )
    train = tmp_path / "scripts/train.py"
    (tmp_path / "pyproject.toml").write_text("[tool.kerasfix]\n", encoding="utf-8")
    assert [f["rule"] for f in _cli_json(train, capsys)] == ["KF002"]  # libs/ not searched
    (tmp_path / "pyproject.toml").write_text('[tool.kerasfix]\nsrc = ["libs"]\n', encoding="utf-8")
    ((finding),) = _cli_json(train, capsys)  # a changed `src` is a new cache key
    assert finding["rule"] == "KF001" and finding["shape"] == [18, 18, 8]


def test_a_model_another_file_builds_on_import_is_that_files_finding(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "model.py": (
                "from keras import layers, models\n\n\ndef build(size):\n"
                "    return models.Sequential([layers.Input((size, size, 1)), "
                + HEAD
                + "\n\nmodel = build(20)\nmodel.summary()\n"
            ),
            "train.py": "from model import build, model\nmine = build(30)\nmodel.fit(None)\n",
        },
    )
    ((rule, shape, message),) = _findings(tmp_path / "train.py")  # not model.py's own model
    assert (rule, shape) == ("KF001", (28, 28, 8))
    assert "build() (model.py:4)" in message
    ((rule, shape, _),) = _findings(tmp_path / "model.py")
    assert (rule, shape) == ("KF001", (18, 18, 8))


def test_an_imported_file_that_runs_long_is_cut_with_its_reason(tmp_path: Path) -> None:
    slow = "".join(f"a{i} = {i}\n" for i in range(20_001)) + "SIZE = 20\n"
    _write(
        tmp_path,
        {
            "slow.py": slow,
            "train.py": "from keras import layers, models\nfrom slow import SIZE\n"
            + _model("SIZE"),
        },
    )
    ((rule, _, message),) = _findings(tmp_path / "train.py")
    assert rule == "KF002"
    assert "slow.py takes more than 20,000 steps to run to its end" in message


def test_a_notebook_reads_the_project_modules_it_imports(tmp_path: Path) -> None:
    cells = [
        "from keras import layers, models\nfrom config import SIZE",
        _model("SIZE"),
    ]
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": cell, "outputs": []} for cell in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    _write(tmp_path, {"config.py": "SIZE = 20\n", "explore.ipynb": json.dumps(notebook)})
    ((rule, shape, message),) = _findings(tmp_path / "explore.ipynb")
    assert (rule, shape) == ("KF001", (18, 18, 8))
    assert "SIZE = 20 (config.py:1)" in message


def test_a_name_recomputed_in_a_loop_keeps_a_bounded_note(tmp_path: Path) -> None:
    # Seen on the sweep (Emoji_v3a.ipynb): notes joined anew at each pass of a loop doubled
    # in length every pass, past the memory limit.
    loop = "total = SIZE\nfor i in range(60):\n    total = total + SIZE + STEP\n"
    _write(
        tmp_path,
        {
            "config.py": "SIZE = 20\nSTEP = 2\n",
            "train.py": "from keras import layers, models\nfrom config import SIZE, STEP\n"
            + loop
            + _model("SIZE")
            + _model("total // 60"),
        },
    )
    (_, (rule, shape, message)) = _findings(tmp_path / "train.py")
    assert (rule, shape) == ("KF001", (20, 20, 8))  # (20 + 60 * 22) // 60 = 22
    assert message.count("config.py:1") == 1 and message.count("config.py:2") == 1


def test_a_builder_site_its_own_file_reports_alike_is_not_said_twice(tmp_path: Path) -> None:
    # raghakot/keras-vis: a notebook calls model.py's build_model(), whose sizes are its own.
    builder = (
        "from keras import layers, models\n\n\ndef build(size=20):\n"
        "    return models.Sequential([layers.Input((size, size, 1)), "
        + HEAD
        + "\n\nif __name__ == '__main__':\n    build().summary()\n"
    )
    _write(
        tmp_path,
        {
            "model.py": builder,
            "same.py": "from model import build\nm = build()\n",
            "other.py": "from model import build\nm = build(30)\n",
        },
    )
    assert _findings(tmp_path / "same.py") == []
    ((rule, shape, _),) = _findings(tmp_path / "other.py")
    assert (rule, shape) == ("KF001", (28, 28, 8))
    ((rule, shape, _),) = _findings(tmp_path / "model.py")
    assert (rule, shape) == ("KF001", (18, 18, 8))


def test_without_a_root_marker_the_working_folder_is_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout copied without `.git` (or linted with no pyproject.toml): as in Ruff, the
    working folder is the project root when the file lies inside it, so a package-absolute
    import (`from EEG.config import *` in EEG/TRAIN/train.py) is found from there."""
    files = {
        "EEG/__init__.py": "",
        "EEG/config.py": "IMG = 32\n",
        "EEG/TRAIN/train.py": (
            "from EEG.config import *\nfrom keras import layers, models\n" + _model("IMG")
        ),
    }
    _write(tmp_path, files, marker=False)  # no pyproject.toml, no .git
    train = tmp_path / "EEG" / "TRAIN" / "train.py"
    monkeypatch.chdir(tmp_path / "EEG" / "TRAIN")  # the root is not found from in here
    assert [rule for rule, _, _ in _findings(train)] == ["KF002"]
    monkeypatch.chdir(tmp_path)
    ((rule, shape, message),) = _findings(train)
    assert (rule, shape) == ("KF001", (30, 30, 8)) and "IMG = 32 (EEG/config.py:1)" in message
