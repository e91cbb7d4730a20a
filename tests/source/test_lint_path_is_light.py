"""The lint path never imports a heavy framework: a pre-commit hook must start in a blink."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("tensorflow", "keras", "jax", "torch", "libcst")

PROBE = """
import sys
from kerasfix.cli import main
code = main(["lint", "--exit-zero", {paths}])
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy}))
print("HEAVY:" + ",".join(heavy))
"""


def test_import_cli_and_lint_sources_and_notebooks_import_no_framework() -> None:
    paths = ", ".join(repr(str(ROOT / p)) for p in ("fixtures/source", "fixtures/notebooks"))
    script = PROBE.format(paths=paths, heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "KF001" in result.stdout  # the lint really ran
    assert result.stdout.strip().splitlines()[-1] == "HEAVY:"
