"""The pre-commit hooks, run by the real `pre-commit try-repo` in a temporary git repository.

`try-repo` clones a commit of the hook repository, so the hooks are tried against a fresh
commit of this working tree (a copy), not against whatever HEAD happens to be. pre-commit
then builds a virtualenv and pip-installs kerasfix into it, which needs the package index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BLOWUP = """\
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Flatten(),
        layers.Dense(128),
    ]
)
"""
CLEAN = BLOWUP.replace("layers.Flatten()", "layers.GlobalAveragePooling2D()")

pytestmark = pytest.mark.slow


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }  # fmt: skip


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A fresh clone-like copy of the working tree, committed, as a fresh clone would see it."""
    copy = tmp_path_factory.mktemp("hook-repo") / "kerasfix"
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout.splitlines()  # fmt: skip
    for name in tracked:
        source = REPO / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    subprocess.run(["git", "commit", "-q", "-m", "snapshot"], cwd=copy, check=True, env=env)
    return copy


def try_repo(project: Path, hook_repo: Path, hook: str, files: list[str], env) -> tuple[int, str]:
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--files", *files],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    return run.returncode, run.stdout + run.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / "bad.py").write_text(BLOWUP)
    (tmp_path / "good.py").write_text(CLEAN)
    git(tmp_path, "add", "bad.py", "good.py")
    return tmp_path


def test_hook_fails_on_a_blowup_and_passes_on_clean_code(project, hook_repo, env) -> None:
    code, output = try_repo(project, hook_repo, "kerasfix", ["bad.py"], env)
    assert code == 1, output
    assert "bad.py:8:9: KF001 [warning] Flatten over 26x26x32 feeds Dense(128)" in output
    code, output = try_repo(project, hook_repo, "kerasfix", ["good.py"], env)
    assert code == 0, output
    assert "Passed" in output


def test_hook_reads_notebooks(project, hook_repo, env) -> None:
    import json

    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": BLOWUP}  # fmt: skip
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}
    (project / "nb.ipynb").write_text(json.dumps(notebook))
    git(project, "add", "nb.ipynb")
    code, output = try_repo(project, hook_repo, "kerasfix", ["nb.ipynb"], env)
    assert code == 1, output
    assert "nb.ipynb:cell 1:8:9: KF001" in output


@pytest.mark.keras
def test_model_hook_passes_on_a_clean_model_file(project, hook_repo, env) -> None:
    keras = pytest.importorskip("keras")
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(8, 3),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(4),
        ]
    )
    model.save(project / "clean.keras")
    (project / "notes.txt").write_text("not a model\n")
    git(project, "add", "clean.keras", "notes.txt")
    code, output = try_repo(project, hook_repo, "kerasfix-models", ["clean.keras"], env)
    assert code == 0, output
    # The hook selects model files by name only.
    code, output = try_repo(project, hook_repo, "kerasfix-models", ["notes.txt"], env)
    assert code == 0 and "no files to check" in output, output


def test_readme_git_install_form_builds_from_a_tag(tmp_path: Path) -> None:
    """`pip install "kerasfix @ git+URL@vX.Y.Z"` as README shows, against a tagged copy."""
    from kerasfix import __version__

    source = tmp_path / "kerasfix"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__",
                                                                "*.egg-info", "build"))  # fmt: skip
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "release")
    git(source, "tag", f"v{__version__}")
    requirement = f"kerasfix @ git+file://{source}@v{__version__}"
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), requirement],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    assert [p.name for p in wheels.glob("*.whl")] == [f"kerasfix-{__version__}-py3-none-any.whl"]
