"""The pre-commit hooks, run by the real `pre-commit run` in a temporary git repository,
and README's pre-commit config and git-URL install, as written, against a clone of this one.

The hook tests' config pins a fresh commit of this working tree (a copy), not whatever HEAD
happens to be, the way a user's config pins a commit. pre-commit clones it, builds a
virtualenv and pip-installs kerasfix into it (which needs the package index) once per
repository and commit, so every hook test of the module shares that environment, as a user's
commits do (`try-repo` would build a new one per call from a new temporary clone).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_readme_commands import (
    README,
    SHA,
    code_blocks,
    readme_git_install_lines,
    require_commit,
    run_as_a_new_user,
    section,
    setup_commands,
)

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

# One worker runs the module, so pre-commit builds its hook environments (module fixtures) once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("precommit")]


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


def run_hook(project: Path, hook: str, files: list[str], env) -> tuple[int, str]:
    """`pre-commit run HOOK --files FILES` in `project`, whose config names both hooks."""
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", hook, "--files", *files],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    return run.returncode, run.stdout + run.stderr


def hook_config(hook_repo: Path) -> str:
    """Both hooks of `.pre-commit-hooks.yaml`, pinned to the hook repository's commit."""
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"repos:\n  - repo: {hook_repo}\n    rev: {sha}\n"
        "    hooks:\n      - id: kerasfix\n      - id: kerasfix-models\n"
    )


@pytest.fixture
def project(tmp_path: Path, hook_repo: Path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / ".pre-commit-config.yaml").write_text(hook_config(hook_repo))
    (tmp_path / "bad.py").write_text(BLOWUP)
    (tmp_path / "good.py").write_text(CLEAN)
    git(tmp_path, "add", ".pre-commit-config.yaml", "bad.py", "good.py")
    return tmp_path


def test_hook_fails_on_a_blowup_and_passes_on_clean_code(project, env) -> None:
    code, output = run_hook(project, "kerasfix", ["bad.py"], env)
    assert code == 1, output
    assert "bad.py:8:9: KF001 [warning] Flatten over 26x26x32 feeds Dense(128)" in output
    code, output = run_hook(project, "kerasfix", ["good.py"], env)
    assert code == 0, output
    assert "Passed" in output


def test_hook_reads_notebooks(project, env) -> None:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": BLOWUP}  # fmt: skip
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}
    (project / "nb.ipynb").write_text(json.dumps(notebook))
    git(project, "add", "nb.ipynb")
    code, output = run_hook(project, "kerasfix", ["nb.ipynb"], env)
    assert code == 1, output
    assert "nb.ipynb:cell 1:8:9: KF001" in output


@pytest.mark.keras
def test_model_hook_passes_on_a_clean_model_file(project, env) -> None:
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
    code, output = run_hook(project, "kerasfix-models", ["clean.keras"], env)
    assert code == 0, output
    # The hook selects model files by name only.
    code, output = run_hook(project, "kerasfix-models", ["notes.txt"], env)
    assert code == 0 and "no files to check" in output, output


@pytest.fixture(scope="module")
def kerasfix_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `git clone` of this repository: the history README's pinned commit must be in."""
    clone = tmp_path_factory.mktemp("clone") / "kerasfix"
    git(REPO.parent, "clone", "-q", str(REPO), str(clone))
    return clone


def readme_sha() -> str:
    (sha,) = set(SHA.findall(README.read_text(encoding="utf-8")))
    return sha


def readme_precommit_config(repo_url: str) -> str:
    """README's .pre-commit-config.yaml, with only the `repo:` URL replaced."""
    (block,) = code_blocks(section("pre-commit"), "yaml")
    config, count = re.subn(
        r"^(\s+- repo: ).*$", lambda m: m.group(1) + repo_url, block, flags=re.M
    )
    assert count == 1, block
    return config


@pytest.fixture
def readme_project(tmp_path: Path, kerasfix_clone: Path, env: dict[str, str]) -> Path:
    """A git project with README's pre-commit config (repo: the clone) and a blow-up."""
    require_commit(kerasfix_clone, readme_sha())
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / ".pre-commit-config.yaml").write_text(readme_precommit_config(str(kerasfix_clone)))
    (project / "bad.py").write_text(BLOWUP)
    git(project, "add", ".pre-commit-config.yaml", "bad.py")
    return project


def test_readme_precommit_config_runs_from_its_pinned_commit(readme_project, env) -> None:
    """README's config as written (`rev:` its commit SHA), `repo:` a clone of this repository:
    the real `pre-commit run` installs kerasfix from that commit and fails on the blow-up."""
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=readme_project, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "bad.py:8:9: KF001 [warning] Flatten over 26x26x32 feeds Dense(128)" in output
    assert "kerasfix (model files)" in output  # both hooks of README's config ran


def test_readme_autoupdate_freeze_pins_the_newest_commit(readme_project, kerasfix_clone, env):
    """`pre-commit autoupdate --freeze`, as README says: with no tags, `rev:` becomes the SHA
    of the newest commit of the default branch."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=kerasfix_clone, capture_output=True, text=True, check=True
    ).stdout.strip()
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "autoupdate", "--freeze"],
        cwd=readme_project, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    config = (readme_project / ".pre-commit-config.yaml").read_text()
    assert re.findall(r"^\s+rev: (.*)$", config, re.M) == [head]


def test_readme_git_install_form_builds_from_its_commit(tmp_path: Path, kerasfix_clone) -> None:
    """README's git-URL install line as written, `<repository URL>` the `file://` URL of a
    clone, after README's own environment steps (a new venv, pip upgraded first)."""
    require_commit(kerasfix_clone, readme_sha())
    (line, *_) = readme_git_install_lines()
    line = line.replace("<repository URL>", kerasfix_clone.as_uri())
    script = "\n".join(
        [*(shlex.join(words) for words in setup_commands()), line,
         "pip --version", "python -c 'import kerasfix; print(kerasfix.__file__)'"]
    )  # fmt: skip
    run = run_as_a_new_user(script, tmp_path, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert str(tmp_path / ".venv") in run.stdout
    direct_url = subprocess.run(
        [str(tmp_path / ".venv" / "bin" / "python"), "-c",
         "from importlib.metadata import distribution as d; "
         "print(d('kerasfix').read_text('direct_url.json'))"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert json.loads(direct_url)["vcs_info"]["commit_id"] == readme_sha()
