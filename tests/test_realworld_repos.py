"""bench/realworld/run.py `repos`: the corpus's repositories in the order to fetch them (a
session's fetch brings at most 500; the corpus has more)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from tests.scripts import load_script

run = load_script("bench/realworld/run.py", "realworld_run")


def _listed(mirrors: Path, missing: bool) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run.list_repos(mirrors, missing)
    return out.getvalue().split()


def test_sweep_first_then_newest_split_first_each_once(tmp_path: Path) -> None:
    listed = _listed(tmp_path, missing=False)
    assert len(listed) == len(set(listed))
    sweep = [e["repo"] for e in run.read_listing(run.SOURCES)]
    assert listed[: len(set(sweep))] == list(dict.fromkeys(sweep))
    newest = max(run.HELDOUT_SOURCES, key=lambda s: int(s.removeprefix("heldout") or 1))
    first_of_newest = run.read_listing(run.HELDOUT_SOURCES[newest])[0]["repo"]
    if first_of_newest not in sweep:
        assert listed[len(set(sweep))] == first_of_newest


def test_missing_leaves_out_repositories_with_a_snapshot(tmp_path: Path) -> None:
    everything = _listed(tmp_path, missing=False)
    (tmp_path / everything[0].replace("/", "+") / "repo" / "objects").mkdir(parents=True)
    (tmp_path / everything[0].replace("/", "+") / "repo" / "HEAD").write_text("ref\n")
    assert _listed(tmp_path, missing=True) == everything[1:]
