"""Check many files across processes, with results in the same order as serial checking.

The analysis is pure Python and CPU-bound, so threads would not help; a process pool pays
~10-30 ms to start and a pickle per result, which only pays off above a few hundred files
(measured in bench/: 770 keras/src files, see the README bench table). Below
`MIN_FILES`, or with one CPU, files are checked in this process.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kerasfix.file_check import check_file
from kerasfix.results import FileOutcome

if TYPE_CHECKING:
    from kerasfix.settings import Settings

MIN_FILES = 200  # fewer files: start-up of the pool costs more than it saves

Item = tuple[Path, str, "Settings"]


def default_jobs() -> int:
    """`KERASFIX_JOBS` if set (1 = serial), else the CPUs this process may use."""
    value = os.environ.get("KERASFIX_JOBS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_files(items: list[Item], jobs: int = 1) -> list[FileOutcome]:
    """`check_file` on each item, in order; across `jobs` processes for large inputs."""
    if jobs <= 1 or len(items) < MIN_FILES:
        return [check_file(path, kind, settings) for path, kind, settings in items]
    # Import the analysis before forking so every worker inherits it instead of importing.
    import multiprocessing  # only when a pool is really started: it costs start-up time
    from concurrent.futures import ProcessPoolExecutor

    import kerasfix.frontends.notebook
    import kerasfix.frontends.source.interpreter  # noqa: F401

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    workers = min(jobs, len(items))
    chunk = max(1, len(items) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_check_portable, items, chunksize=chunk))


def _check_portable(item: Item) -> FileOutcome:
    """check_file, trimmed to what crosses a process boundary cheaply."""
    path, kind, settings = item
    outcome = check_file(path, kind, settings)
    return portable(outcome)


def portable(outcome: FileOutcome) -> FileOutcome:
    """Source text is only read by reporters for flagged files (they fall back to disk)."""
    source = outcome.source if outcome.findings else None
    return replace(outcome, source=source)
