"""Fixtures of the source-analysis tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def result_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The result cache on (the suite turns it off), in a fresh folder."""
    monkeypatch.delenv("KERASFIX_NO_CACHE", raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("KERASFIX_CACHE_DIR", str(cache))
    return cache
