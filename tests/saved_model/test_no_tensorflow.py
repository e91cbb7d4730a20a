"""Reading a model must never import TensorFlow or Keras (pre-commit and CI environments)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.saved_model.handmade import keras3_cnn, write_h5, write_keras

SCRIPT = """
import sys
from kerasfix.cli import main
codes = [main(["lint", p]) for p in sys.argv[1:]] + [main(["inspect", p]) for p in sys.argv[1:]]
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras"))
print("CODES", codes, "LEAKED", leaked)
"""


def run_isolated(paths: list[Path]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *map(str, paths)], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_handmade_models_lint_without_tensorflow(tmp_path: Path) -> None:
    paths = [write_keras(tmp_path / "m.keras", keras3_cnn())]
    paths.append(write_h5(tmp_path / "m.h5", keras3_cnn()))
    out = run_isolated(paths)
    assert "CODES [1, 1, 0, 0] LEAKED []" in out
    assert "KF001 [warning] layer 'flatten' (in 'functional_1') over 30x30x16" in out


@pytest.mark.keras
def test_real_models_lint_without_tensorflow(small_models: Path, legacy_models: Path) -> None:
    paths = [small_models / "nested.keras", small_models / "lambda_head.h5"]
    paths += [legacy_models / "tfk2_savedmodel"]
    out = run_isolated(paths)
    assert "CODES [1, 1, 1, 0, 0, 0] LEAKED []" in out


def test_import_kerasfix_stays_light() -> None:
    code = (
        "import sys, kerasfix; kerasfix.check; print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('h5py', 'keras', 'tensorflow', 'numpy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
