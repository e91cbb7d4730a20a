"""The result cache and the process pool must never change what `kerasfix lint` reports."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kerasfix import cache as cache_module
from kerasfix import parallel
from kerasfix.cli import main
from kerasfix.results import LintResult
from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

FLAGGED = (
    "from tensorflow import keras\n"
    "model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(8, 3),\n"
    "    keras.layers.Flatten(), keras.layers.Dense(64)])\n"
)


def _summary(result: LintResult) -> tuple[object, ...]:
    return (
        [(f.path, f.rule, f.line, f.column, f.message) for f in result.findings],
        [str(e) for e in result.errors],
        [str(s) for s in result.skipped],
        result.files,
        result.files_checked,
        result.notes,
    )


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "source", work / "source")
    shutil.copytree(FIXTURES / "notebooks", work / "notebooks")
    (work / "broken.py").write_text("Flatten(\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return work


def test_parallel_equals_serial(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    serial = lint_paths([tree], Settings(), jobs=1)
    forked = lint_paths([tree], Settings(), jobs=2)
    assert serial.findings
    assert _summary(forked) == _summary(serial)


def test_cache_hit_equals_fresh(tree: Path, tmp_path: Path) -> None:
    fresh = lint_paths([tree], Settings())
    cold = lint_paths([tree], Settings(), cache_dir=tmp_path / "c")
    warm = lint_paths([tree], Settings(), cache_dir=tmp_path / "c")
    assert _summary(cold) == _summary(fresh) == _summary(warm)
    assert list((tmp_path / "c").glob("*/results.json"))


def test_cache_content_change_invalidates(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text(FLAGGED, encoding="utf-8")
    first = lint_paths([target], Settings(), cache_dir=tmp_path / "c")
    assert len(first.findings) == 1
    target.write_text(FLAGGED.replace("Flatten()", "GlobalAveragePooling2D()"), encoding="utf-8")
    assert lint_paths([target], Settings(), cache_dir=tmp_path / "c").findings == []


def test_cache_settings_change_invalidates(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text(FLAGGED, encoding="utf-8")
    assert lint_paths([target], Settings(), cache_dir=tmp_path / "c").findings
    quiet = Settings(ignore=("KF001",))
    assert lint_paths([target], quiet, cache_dir=tmp_path / "c").findings == []


def test_cache_version_change_invalidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "m.py"
    target.write_text(FLAGGED, encoding="utf-8")
    lint_paths([target], Settings(), cache_dir=tmp_path / "c")
    old = cache_module.code_fingerprint()
    monkeypatch.setattr(cache_module, "__version__", "999.0")
    assert cache_module.code_fingerprint() != old
    lint_paths([target], Settings(), cache_dir=tmp_path / "c")
    assert len(list((tmp_path / "c").glob("*/results.json"))) == 2


def test_a_regenerated_data_table_invalidates_the_cache() -> None:
    """application_taps.json sizes findings as much as the code does."""
    table = Path(cache_module.__file__).parent / "layers" / "application_taps.json"
    before = table.stat()
    old = cache_module.code_fingerprint()
    try:
        os.utime(table, ns=(before.st_atime_ns, before.st_mtime_ns + 10**12))
        assert cache_module.code_fingerprint() != old
    finally:
        os.utime(table, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cache_module.code_fingerprint() == old


def test_cache_never_trusts_a_stale_entry(tmp_path: Path) -> None:
    """A hit needs the same digest: a poisoned entry for other bytes is ignored."""
    target = tmp_path / "m.py"
    target.write_text(FLAGGED, encoding="utf-8")
    store = cache_module.ResultCache(tmp_path / "c", fingerprint="x")
    key = cache_module.settings_key(Settings(), target.as_posix())
    assert store.get(target.as_posix(), key, "not-the-digest") is None


def test_cli_no_cache_and_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "m.py"
    target.write_text(FLAGGED, encoding="utf-8")
    assert main(["lint", "--no-cache", "m.py"]) == 1
    assert not (tmp_path / ".kerasfix_cache").exists()
    monkeypatch.setenv("KERASFIX_NO_CACHE", "1")
    assert main(["lint", "m.py"]) == 1
    assert not (tmp_path / ".kerasfix_cache").exists()
    monkeypatch.delenv("KERASFIX_NO_CACHE")
    first = capsys.readouterr().out
    assert main(["lint", "m.py"]) == 1
    assert (tmp_path / ".kerasfix_cache" / ".gitignore").is_file()
    assert main(["lint", "m.py"]) == 1
    out = capsys.readouterr().out
    assert out == first * 2 or out.count("KF001") == 2


def test_cli_output_identical_cached_and_parallel(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    outputs = []
    for args, jobs in (
        (["--no-cache"], "1"),
        (["--no-cache"], "2"),
        ([], "2"),
        ([], "1"),
    ):
        monkeypatch.setenv("KERASFIX_JOBS", jobs)
        code = main(["lint", "--output-format", "json", *args, str(tree)])
        outputs.append((code, capsys.readouterr()))
    assert all(item == outputs[0] for item in outputs)


def test_cache_lives_in_the_project_root_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As Ruff's `.ruff_cache`: beside the nearest config file / `.git`, whatever the cwd."""
    monkeypatch.delenv("KERASFIX_CACHE_DIR", raising=False)
    monkeypatch.delenv("KERASFIX_NO_CACHE", raising=False)
    project = tmp_path / "project"
    (project / "src" / "deep").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    (project / "src" / "deep" / "m.py").write_text(FLAGGED, encoding="utf-8")
    monkeypatch.chdir(project / "src" / "deep")
    assert main(["lint", "m.py"]) == 1
    assert (project / ".kerasfix_cache" / ".gitignore").is_file()
    assert not (project / "src" / "deep" / ".kerasfix_cache").exists()
    # A checkout without any config file: the directory holding `.git`.
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg").mkdir()
    (repo / "pkg" / "m.py").write_text(FLAGGED, encoding="utf-8")
    monkeypatch.chdir(repo / "pkg")
    assert main(["lint", "m.py"]) == 1
    assert (repo / ".kerasfix_cache").is_dir() and not (repo / "pkg" / ".kerasfix_cache").exists()
    capsys.readouterr()
