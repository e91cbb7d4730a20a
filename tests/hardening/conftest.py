"""Shared pieces of the hardening suite: the invariant every reader must keep, budgets, models.

The invariant: reading any input ends with findings or one `FileError` line that is not an
"internal error" (an internal error is a bug we have not handled, even though the runner
turned it into one line), within a bounded time. Budgets are fixed and derandomized so CI
runs the same cases every time; `KERASFIX_FUZZ_SCALE=10` multiplies them for a deeper run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from kerasfix.file_check import check_file
from kerasfix.results import FileOutcome
from kerasfix.settings import Settings
from tests.saved_model.conftest import builder, small_models  # noqa: F401  (shared fixtures)

ROOT = Path(__file__).resolve().parents[2]
SOURCE_FIXTURES = sorted((ROOT / "fixtures" / "source").glob("*.py"))
NOTEBOOK_FIXTURES = sorted((ROOT / "fixtures" / "notebooks").glob("*.ipynb"))
CORPUS = Path(__file__).resolve().parent / "corpus"
SCALE = max(1, int(os.environ.get("KERASFIX_FUZZ_SCALE", "1") or 1))
SECONDS_PER_FILE = 10.0  # generous for slow CI; real inputs take milliseconds
SETTINGS = Settings()


def budget(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings for a fuzz test: fixed seed, no database, `examples` x SCALE cases.
    Fuzz tests are marked slow: the whole suite runs them, the quick loop does not."""
    fuzz_settings = settings(
        max_examples=examples * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
            HealthCheck.large_base_example,
        ],
    )

    def apply(test: Callable[..., None]) -> Callable[..., None]:
        return pytest.mark.slow(fuzz_settings(test))

    return apply


def assert_handled(path: Path, kind: str) -> FileOutcome:
    """Read `path` in-process; fail on internal errors, multi-line errors or a slow read."""
    start = time.monotonic()
    outcome = check_file(path, kind, SETTINGS)
    elapsed = time.monotonic() - start
    assert elapsed < SECONDS_PER_FILE, f"{path.name} took {elapsed:.1f}s"
    if outcome.error is not None:
        message = str(outcome.error)
        assert "\n" not in message and "\r" not in message, message
        assert "internal error" not in message, message
    return outcome


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory the fuzz tests overwrite files in (hypothesis reruns a test many times)."""
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="session")
def base_models(small_models: Path) -> Path:  # noqa: F811  (the fixture, by name)
    """Real Keras models saved as .keras and .h5: the fuzzers' bases (tests/hardening/
    models.BASE_MODELS) are among the fixture models every suite run saves once."""
    return small_models
