"""Replay every input that once failed (tests/hardening/corpus) in-process and via the CLI."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kerasfix.frontends import kind_of
from tests.hardening.conftest import CORPUS, NOTEBOOK_FIXTURES, SOURCE_FIXTURES, assert_handled
from tests.hardening.test_fuzz_source import TOKENS, mutate

CASES = sorted(CORPUS.glob("*.in"))


def materialise(case: Path, directory: Path) -> Path:
    """The corpus file under its real suffix (`x.py.in` -> `x.py`)."""
    target = directory / case.name.removesuffix(".in")
    if case.is_dir():
        shutil.copytree(case, target)
    else:
        shutil.copyfile(case, target)
    return target


def test_corpus_is_not_empty() -> None:
    assert CASES


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_replay_in_process(tmp_path: Path, case: Path) -> None:
    path = materialise(case, tmp_path)
    kind = kind_of(path)
    assert kind is not None, f"{case.name}: name it <name>.<py|ipynb|keras|h5>.in"
    assert_handled(path, kind)


def test_replay_through_the_cli(tmp_path: Path) -> None:
    for case in CASES:
        materialise(case, tmp_path)
    run_cli_over(tmp_path, len(CASES))


def run_cli_over(directory: Path, count: int) -> None:
    """`kerasfix lint DIR`: exit 0/1/2, no traceback, stderr only one-line errors/warnings."""
    proc = subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", "--isolated", "--no-respect-gitignore", "."],
        cwd=directory,
        env={**os.environ, "KERASFIX_TIMEOUT": "30"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    for line in proc.stderr.splitlines():
        assert line.startswith(("error: ", "warning: ")), line
        assert "internal error" not in line, line
    checked = re.search(r"(\d+) files? checked", proc.stdout + proc.stderr)
    assert checked is not None and int(checked.group(1)) == count, proc.stdout[-500:]


def test_cli_sample_of_mutated_inputs(tmp_path: Path) -> None:
    """A fixed sample of fuzzed sources and notebooks through the real CLI in one run."""
    rng = random.Random(8)
    texts = [p.read_bytes() for p in SOURCE_FIXTURES]
    notebook = NOTEBOOK_FIXTURES[0].read_bytes()
    ops = ["delete", "duplicate", "swap", "insert", "truncate", "byte", "indent"]
    for i in range(60):
        plan = []
        for _ in range(rng.randint(1, 6)):
            op = rng.choice(ops)
            b: object = rng.choice(TOKENS) if op in ("insert",) else rng.randint(0, 255)
            if op == "indent":
                b = b"  "
            plan.append((op, rng.randint(0, 2000), b))
        (tmp_path / f"m{i}.py").write_bytes(mutate(rng.choice(texts), plan))
        (tmp_path / f"n{i}.ipynb").write_bytes(mutate(notebook, plan))
    run_cli_over(tmp_path, 120)
