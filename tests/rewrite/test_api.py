"""`kerasfix.rewrite(...)` from Python: the return value has the kind of the input (issue 11)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import kerasfix
from kerasfix.model_rewrite.api import RewriteResult
from tests.rewrite.conftest import constant_cnn

pytestmark = pytest.mark.keras


def test_a_path_gives_the_written_path(keras, tmp_path: Path) -> None:
    src = tmp_path / "m.keras"
    constant_cnn(keras).save(src)
    result = kerasfix.rewrite(src, tmp_path / "slim.keras", verify=False)
    assert isinstance(result, RewriteResult)
    path, report = result
    assert path == tmp_path / "slim.keras" and path.is_file()
    assert report.params_after < report.params_before
    default, _ = kerasfix.rewrite(str(src), verify=False)
    assert default == tmp_path / "m.gap.keras" and default.is_file()
    dry, _ = kerasfix.rewrite(src, tmp_path / "never.keras", dry_run=True)
    assert dry is None and not (tmp_path / "never.keras").exists()


def test_a_live_model_gives_a_new_model_and_stays_untouched(keras, tmp_path: Path) -> None:
    live = constant_cnn(keras)
    before = live.count_params()
    model, report = kerasfix.rewrite(live, verify=False)
    assert isinstance(model, keras.Model)
    assert model.count_params() == report.params_after < before == live.count_params()
    kept = tmp_path / "kept.keras"
    model, _ = kerasfix.rewrite(live, kept, verify=False)
    assert isinstance(model, keras.Model) and kept.is_file()
    assert kerasfix.rewrite(live, dry_run=True).output is None
    assert os.listdir(tmp_path) == ["kept.keras"]
