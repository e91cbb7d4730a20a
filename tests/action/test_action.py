"""The GitHub Action: read `action.yml`, then run its steps with bash as a runner would.

Each `run` step gets the environment GitHub gives a composite step (GITHUB_ACTION_PATH,
GITHUB_OUTPUT, the step's `env` with `${{ inputs.* }}` filled in from the manifest's
defaults or the test's inputs). kerasfix is installed by the action's own install step from
this checkout into a fresh virtual environment; the project's installed dependencies are
made visible to it with a .pth file, so pip needs no index (PIP_NO_INDEX).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "source" / "sequential_list.py"
EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def expand(value: str, inputs: dict[str, str]) -> str:
    expanded = EXPRESSION.sub(lambda m: inputs[m.group(1)], value)
    assert "${{" not in expanded, f"unexpected expression in {value!r}"
    return expanded


def run_step(
    step: dict[str, Any], inputs: dict[str, str], repo: Path, output: Path, trace: bool = False
) -> subprocess.CompletedProcess[str]:
    assert step["shell"] == "bash"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({name: expand(str(v), inputs) for name, v in step.get("env", {}).items()})
    env.update(
        GITHUB_ACTION_PATH=str(ROOT),
        GITHUB_OUTPUT=str(output),
        GITHUB_WORKSPACE=str(repo),
        PIP_NO_INDEX="1",
        PIP_NO_BUILD_ISOLATION="0",  # pip's spelling for --no-build-isolation
    )
    command = expand(step["run"], inputs)
    if trace:
        command = command.replace("bash ", "bash -x ", 1)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def inputs_with(python: Path, **overrides: str) -> dict[str, str]:
    values = {name: spec.get("default", "") for name, spec in manifest()["inputs"].items()}
    values["python"] = str(python)
    values.update({name.replace("_", "-"): value for name, value in overrides.items()})
    return values


def steps() -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in manifest()["runs"]["steps"]}


def new_venv(venv: Path) -> Path:
    """A venv (with the pip `python -m venv` brings) that sees the project's dependencies."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "_project_deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    return python


def kerasfix_location(python: Path, cwd: Path) -> Path:
    return Path(
        subprocess.run(
            [str(python), "-c", "import kerasfix; print(kerasfix.__file__)"],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            check=True,
        ).stdout.strip()
    )


# One worker runs the module, so the action's venv (a module fixture) is built once.
# Slow: installs kerasfix into new environments from the package index (not in the quick loop).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("action")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv into which the action's install step put kerasfix from this checkout."""
    venv = tmp_path_factory.mktemp("action-venv")
    python = new_venv(venv)
    repo = tmp_path_factory.mktemp("repo")
    # The default: the action's own checkout, with no package index (PIP_NO_INDEX in run_step).
    result = run_step(steps()["Install kerasfix"], inputs_with(python), repo, repo / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"::group::pip install {ROOT}" in result.stdout
    # installed into the venv, not borrowed
    assert kerasfix_location(python, repo).is_relative_to(venv)
    return python


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    shutil.copyfile(FIXTURE, tmp_path / "src" / "model.py")
    (tmp_path / "clean.py").write_text("x = 1\n", encoding="utf-8")
    return tmp_path


def test_manifest_is_a_composite_action_with_the_documented_inputs() -> None:
    action = manifest()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "paths",
        "output-format",
        "sarif-file",
        "upload-sarif",
        "fail-level",
        "version",
        "args",
        "python",
    }
    assert action["inputs"]["output-format"]["default"] == "github"
    assert action["inputs"]["fail-level"]["default"] == ""
    upload = steps()["Upload SARIF"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.lint.outputs.exit-code }}"


def test_default_inputs_annotate_the_findings_and_fail(installed: Path, repo: Path) -> None:
    output = repo / "github_output"
    result = run_step(steps()["Lint"], inputs_with(installed), repo, output, trace=True)
    assert result.returncode == 1, result.stderr
    annotation = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotation) == 1
    assert annotation[0].startswith("::warning ")
    assert "file=src/model.py,line=12," in annotation[0]
    assert "KF001" in annotation[0] and "1,179,776" in annotation[0]
    assert output.read_text(encoding="utf-8") == "exit-code=1\n"
    # An empty fail-level is not passed on (kerasfix's own default applies).
    assert "--fail-level" not in result.stderr
    assert "-m kerasfix lint --output-format github ." in result.stderr


def test_sarif_file_paths_and_extra_args(installed: Path, repo: Path) -> None:
    output = repo / "github_output"
    inputs = inputs_with(
        installed, paths="src\nclean.py", sarif_file="kerasfix.sarif", args="--select KF002"
    )
    result = run_step(steps()["Lint"], inputs, repo, output)
    # --select KF002: the KF001 finding is not reported, so the lint passes...
    assert result.returncode == 0, result.stderr
    assert output.read_text(encoding="utf-8") == "exit-code=0\n"
    # ...and the SARIF report, written with the same paths and options, is empty too.
    sarif = json.loads((repo / "kerasfix.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []

    result = run_step(steps()["Lint"], inputs_with(installed, sarif_file="k.sarif"), repo, output)
    assert result.returncode == 1
    sarif = json.loads((repo / "k.sarif").read_text(encoding="utf-8"))
    (finding,) = sarif["runs"][0]["results"]
    assert finding["ruleId"] == "KF001"


def test_a_fail_level_is_passed_through(installed: Path, repo: Path) -> None:
    result = run_step(
        steps()["Lint"], inputs_with(installed, fail_level="error"), repo, repo / "out", trace=True
    )
    assert "-m kerasfix lint --output-format github --fail-level error ." in result.stderr


def test_unreadable_input_exits_2_with_one_error_line(installed: Path, repo: Path) -> None:
    (repo / "broken.ipynb").write_text("{not json", encoding="utf-8")
    output = repo / "github_output"
    result = run_step(steps()["Lint"], inputs_with(installed, paths="broken.ipynb"), repo, output)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert output.read_text(encoding="utf-8") == "exit-code=2\n"


def test_a_version_input_installs_that_release(installed: Path, repo: Path) -> None:
    # kerasfix 0.1.0 is already in the venv, so pip (offline) is satisfied without a download.
    inputs = inputs_with(installed, version="v0.1.0")
    result = run_step(steps()["Install kerasfix"], inputs, repo, repo / "out")
    assert result.returncode == 0, result.stderr
    assert "::group::pip install kerasfix==0.1.0" in result.stdout


def test_a_git_url_in_version_installs_that_commit(tmp_path: Path, repo: Path) -> None:
    """`version` also takes a pip requirement such as README's git URL pinned to a commit."""
    clone = tmp_path / "kerasfix"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=300)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.strip()
    # On a runner the URL is https://...; `file://localhost/` because the pip a new venv
    # brings (23.2) rejects `git+file:///` in a requirement.
    requirement = f"kerasfix @ git+file://localhost{clone}@{commit}"
    python = new_venv(tmp_path / "venv")
    result = run_step(
        steps()["Install kerasfix"], inputs_with(python, version=requirement), repo, repo / "out"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"::group::pip install {requirement}" in result.stdout
    assert kerasfix_location(python, repo).is_relative_to(tmp_path / "venv")
    direct_url = subprocess.run(
        [str(python), "-c", "from importlib.metadata import distribution as d; "
         "print(d('kerasfix').read_text('direct_url.json'))"],
        capture_output=True, text=True, check=True, cwd=repo,
    ).stdout  # fmt: skip
    assert json.loads(direct_url)["vcs_info"]["commit_id"] == commit


def weights_only(path: Path) -> Path:
    """An HDF5 file shaped like `save_weights` output: layers, no model_config."""
    import h5py

    with h5py.File(path, "w") as handle:
        handle.create_group("layers")
    return path


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("+")]


def test_a_weights_only_warning_is_printed_once_with_a_sarif_file(
    installed: Path, repo: Path
) -> None:
    """With `sarif-file` kerasfix runs twice; each warning still appears once (issue 23, 12)."""
    weights_only(repo / "ckpt.weights.h5")
    output = repo / "github_output"
    inputs = inputs_with(installed, paths="src ckpt.weights.h5", sarif_file="k.sarif")
    result = run_step(steps()["Lint"], inputs, repo, output)
    assert result.returncode == 1, result.stderr
    warnings = [line for line in stderr_lines(result) if "ckpt.weights.h5" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith("warning: ckpt.weights.h5: weights only, no architecture")
    # The SARIF run still happened, with the finding.
    sarif = json.loads((repo / "k.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["KF001"]


def test_an_error_of_the_sarif_run_alone_is_shown(installed: Path, repo: Path) -> None:
    """A line only the SARIF run printed (its file cannot be written) is not swallowed."""
    output = repo / "github_output"
    inputs = inputs_with(installed, paths="clean.py", sarif_file="no/such/dir/k.sarif")
    result = run_step(steps()["Lint"], inputs, repo, output)
    assert result.returncode == 2, result.stderr
    assert "cannot write no/such/dir/k.sarif" in result.stderr
    assert output.read_text(encoding="utf-8") == "exit-code=2\n"
