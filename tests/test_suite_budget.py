"""What keeps the suite within README's budget works as the suite relies on it.

The whole suite runs on two pytest-xdist workers with `--dist loadgroup`, and every test
that holds a large model carries `xdist_group("big-models")` so the two workers never hold
large models at once (CONTRIBUTING.md). A pytest or xdist release that stops honouring the
mark would silently double the suite's peak memory: this runs real xdist on a small module.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

GROUPED = """
import pytest

@pytest.mark.xdist_group("big-models")
@pytest.mark.parametrize("n", range(4))
def test_big(n):
    pass

@pytest.mark.parametrize("n", range(4))
def test_small(n):
    pass
"""


def test_xdist_groups_keep_big_model_tests_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-n", "2", "--dist", "loadgroup",
         "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(tmp_path),
         str(tmp_path / "test_grouped.py")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    workers = re.findall(r"\[(gw\d)\].*PASSED \S*test_big\[", run.stdout)
    assert len(workers) == 4, run.stdout
    assert len(set(workers)) == 1, run.stdout


def test_the_suite_runs_on_two_workers_with_groups() -> None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    config = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    addopts = config["tool"]["pytest"]["ini_options"]["addopts"].split()
    assert "-n" in addopts and addopts[addopts.index("-n") + 1] == "2"
    assert "--dist" in addopts and addopts[addopts.index("--dist") + 1] == "loadgroup"
