"""Numbered scripts run in order in one session (aishwarya-netha/Autism-Detection's
`5.load_model.py` defines `base_model`, `7.model.py` puts a Flatten head on it without
defining or importing it): a numbered script's free names come from the scripts numbered
before it in its folder (numbered_scripts.py), read statically, never imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kerasfix.frontends.source.numbered_scripts import free_names, numbered_before
from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.source.test_project_imports import _cli_json, mark_cached

LOAD = (
    "from tensorflow.keras.applications.vgg16 import VGG16\n"
    "base_model = VGG16(input_shape=(224, 224, 3), include_top=False, weights='imagenet')\n"
)
HEAD = (
    "from keras.layers import Dense, Flatten\n"
    "x = Flatten()(base_model.output)\n"
    "x = Dense(512, activation='relu')(x)\n"
)


def _project(root: Path, files: dict[str, str]) -> None:
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


def _messages(path: Path) -> list[tuple[str, str]]:
    result = lint_paths([path], Settings())
    assert not result.errors, result.errors
    return [(f.rule, f.message) for f in result.findings]


def test_a_free_name_comes_from_the_script_numbered_before(tmp_path: Path) -> None:
    # VGG16 at 224: 7x7x512 -> Dense(512), 12,845,568 (Keras 3).
    _project(tmp_path, {"5.load_model.py": LOAD, "6.layers.py": "n = 1\n", "7.model.py": HEAD})
    ((rule, message),) = _messages(tmp_path / "7.model.py")
    assert rule == "KF001"
    assert "7x7x512 feeds Dense(512): 12,845,568 parameters" in message
    assert "(from other files: base_model (5.load_model.py:2))" in message


def test_the_nearest_earlier_script_wins_and_later_ones_are_not_read(tmp_path: Path) -> None:
    small = LOAD.replace("(224, 224, 3)", "(96, 96, 3)")
    _project(
        tmp_path,
        {"1.old.py": small, "5.load.py": LOAD, "8.later.py": small, "7.model.py": HEAD},
    )
    ((_, message),) = _messages(tmp_path / "7.model.py")
    assert "7x7x512" in message
    assert numbered_before(tmp_path / "7.model.py") == [
        tmp_path / "1.old.py",
        tmp_path / "5.load.py",
    ]


def test_only_numbered_scripts_and_only_free_names(tmp_path: Path) -> None:
    _project(tmp_path, {"5.load_model.py": LOAD, "model.py": HEAD})
    assert _messages(tmp_path / "model.py") == []  # not numbered: nothing runs before it
    defined_here = "base_model = None\n" + HEAD
    _project(tmp_path, {"7.model.py": defined_here})
    assert "base_model" not in free_names(ast.parse(defined_here))
    assert _messages(tmp_path / "7.model.py") == []


def test_a_changed_earlier_script_rechecks_the_later_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], result_cache: Path
) -> None:
    _project(tmp_path, {"5.load_model.py": LOAD, "7.model.py": HEAD})
    model = tmp_path / "7.model.py"
    (first,) = _cli_json(model, capsys)
    assert "7x7x512" in first["message"]
    mark_cached(result_cache)
    assert _cli_json(model, capsys)[0]["message"] == "served from the cache"
    bigger = LOAD.replace("(224, 224, 3)", "(320, 320, 3)")
    (tmp_path / "5.load_model.py").write_text(bigger, encoding="utf-8")
    (changed,) = _cli_json(model, capsys)
    assert "10x10x512" in changed["message"]
