"""README's install and development commands, held to what `.ci/run` runs and to what exists.

CI runs `.ci/run` on a clean clone, and `.ci/run` must be README's "Development" steps, word
for word, in order, and nothing more; README's "Install" steps set up the environment the same
way. Commands are compared as shell words (`shlex`, comments dropped), so spacing and trailing
comments may differ but not a single word. kerasfix is not on the package index and the
repository has no tags, so no install line may name a bare `kerasfix` requirement, a
placeholder host or a tag; every commit README pins must exist here with the hooks and the
action (issue 22, sections 2 and 4). The slow test runs README's Install block as written.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
CI = REPO / ".ci" / "run"
# .ci/run's own lines before README's commands: strict mode and the project root.
CI_PREAMBLE = ["set -euo pipefail", 'cd "$(dirname "$0")/.."']
SHA = re.compile(r"\b[0-9a-f]{40}\b")
PLACEHOLDER = "<repository URL>"
# The requirement of a `pip install` naming kerasfix (not `.`, a checkout).
INSTALL = re.compile(r"""pip install (?:-\w+ )*["']?(kerasfix[^"'`\n]*)""")


def section(title: str, text: str | None = None) -> str:
    """The text of README's `## title` section, up to the next `## ` heading."""
    text = README.read_text(encoding="utf-8") if text is None else text
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def commands(block: str) -> list[list[str]]:
    """Each non-empty line as shell words, comments dropped."""
    return [words for line in block.splitlines() if (words := shlex.split(line, comments=True))]


def ci_commands() -> list[list[str]]:
    lines = CI.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    code = [
        line.strip() for line in lines[1:] if line.strip() and not line.lstrip().startswith("#")
    ]
    assert code[: len(CI_PREAMBLE)] == CI_PREAMBLE, code
    return commands("\n".join(code[len(CI_PREAMBLE) :]))


def development_commands() -> list[list[str]]:
    """The first bash block of "Development": the steps CI runs."""
    return commands(code_blocks(section("Development"), "bash")[0])


def install_commands() -> list[list[str]]:
    """The first bash block of "Install": clone, environment, core install."""
    return commands(code_blocks(section("Install"), "bash")[0])


def setup_commands() -> list[list[str]]:
    """Install's environment steps: after the clone, before the first `pip install`."""
    steps = install_commands()
    assert steps[:2] == commands(f"git clone {PLACEHOLDER} kerasfix\ncd kerasfix"), steps
    steps = steps[2:]
    first_install = next(i for i, words in enumerate(steps) if words[:2] == ["pip", "install"])
    return steps[:first_install]


def readme_git_install_lines() -> list[str]:
    """Install's `pip install "kerasfix... @ git+<repository URL>@<commit>"` lines, as written."""
    block = code_blocks(section("Install"), "bash")[2]
    return [line.strip() for line in block.splitlines() if "git+" in line]


def is_shallow(repo: Path) -> bool:
    out = subprocess.run(
        ["git", "rev-parse", "--is-shallow-repository"],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return out.strip() == "true"


def require_commit(repo: Path, sha: str) -> None:
    """Fail, saying why, when `sha` is not in `repo` (never skip: README would be wrong)."""
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{sha}^{{commit}}"], cwd=repo, capture_output=True
    ).returncode
    if found != 0:
        shallow = is_shallow(REPO)
        pytest.fail(
            f"README pins commit {sha}, which {repo} does not have"
            + (
                f"; {REPO} is a shallow clone (git rev-parse --is-shallow-repository: true): "
                "fetch the full history (git fetch --unshallow) to check README's pin"
                if shallow
                else "; it must be a commit of main (git rev-parse HEAD when README is updated)"
            )
        )


def test_ci_runs_exactly_the_development_steps() -> None:
    ci, readme = ci_commands(), development_commands()
    assert ci == readme, (
        "`.ci/run` must run README's Development block, word for word and nothing more:\n"
        f"  .ci/run: {[shlex.join(c) for c in ci]}\n  README:  {[shlex.join(c) for c in readme]}"
    )


def test_install_sets_up_the_environment_as_development_does() -> None:
    """Install's venv and pip steps are Development's (so CI checks them), then the core."""
    setup, development = setup_commands(), development_commands()
    start = development.index(setup[0])
    assert development[start : start + len(setup)] == setup
    assert [c[0] for c in setup] == ["python3", ".", "python"]  # venv, activate, upgrade pip
    assert install_commands()[2 + len(setup) :] == [["pip", "install", "."]]
    # Development's editable install is the one Install names for development.
    (editable,) = [c for c in development if c[:3] == ["pip", "install", "-e"]]
    assert editable in commands(code_blocks(section("Install"), "bash")[1])


def test_pip_is_upgraded_before_anything_is_installed() -> None:
    """The pip of a new venv (23.2) rejects `git+file://` URLs: README upgrades it first."""
    for steps in (install_commands(), development_commands()):
        pip = [i for i, c in enumerate(steps) if "pip" in c and "install" in c]
        assert steps[pip[0]] == ["python", "-m", "pip", "install", "--upgrade", "pip"]


DOCUMENTS = [
    README,
    REPO / "CONTRIBUTING.md",
    REPO / "action.yml",
    *sorted((REPO / "docs").rglob("*.md")),
    *sorted((REPO / "rules").rglob("*.md")),
    *sorted((REPO / "kerasfix").rglob("*.py")),
]


def test_no_install_names_an_unpublished_package_or_a_placeholder_tag() -> None:
    """Every `pip install` of kerasfix is a checkout (`.`) or a git URL pinned to a commit."""
    bad = []
    for path in DOCUMENTS:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(REPO)
        for line in text.splitlines():
            if "<org>" in line or re.search(r"\brev: v\d|uses: \S*kerasfix@v", line):
                bad.append(f"{name}: placeholder or missing tag: {line.strip()}")
            for requirement in re.findall(INSTALL, line):
                if not re.search(r" @ git\+.+@([0-9a-f]{40}|<commit>)$", requirement):
                    bad.append(f"{name}: not installable: {line.strip()}")
    assert bad == []


def pinned_text() -> str:
    """README and the documentation site's pages, where pins are written (the CI examples and
    the Action's `uses:` moved to docs/integrations.md; README keeps install and pre-commit)."""
    pages = [README, *sorted((REPO / "docs").rglob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def test_every_pinned_commit_exists_with_the_hooks_and_the_action() -> None:
    """One commit pinned everywhere (pre-commit `rev:`, git URLs, `uses:`), present here."""
    readme, documented = README.read_text(encoding="utf-8"), pinned_text()
    pins = set(SHA.findall(documented))
    assert len(pins) == 1, pins
    (sha,) = pins
    require_commit(REPO, sha)
    for name in (".pre-commit-hooks.yaml", "action.yml", ".github/actions/kerasfix/action.sh"):
        shown = subprocess.run(["git", "show", f"{sha}:{name}"], cwd=REPO, capture_output=True)
        assert shown.returncode == 0, f"{sha} has no {name}"
    # The pinned action installs from its own checkout by default (no package index).
    script = subprocess.run(
        ["git", "show", f"{sha}:.github/actions/kerasfix/action.sh"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert 'spec="${GITHUB_ACTION_PATH' in script
    assert re.findall(r"^\s+rev: (\S+)$", readme, re.M) == [sha]
    assert re.findall(r"uses: OWNER/kerasfix@(\S+)", documented) == [sha]
    assert all(line.endswith(f'@{sha}"') for line in readme_git_install_lines())
    git_urls = re.findall(r"git\+[^\n]*?@([0-9a-f]{40})", documented)
    assert len(git_urls) >= 4 and set(git_urls) == {sha}  # README's two, the CI examples


def test_the_server_hint_names_installs_that_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pygls, `kerasfix server` names the checkout and git-URL installs."""
    from kerasfix.commands.server import server

    monkeypatch.setitem(sys.modules, "kerasfix.server.app", None)  # import fails
    result = CliRunner().invoke(server, [])
    assert result.exit_code == 2
    assert "pip install '.[server]'" in result.output
    assert f"pip install 'kerasfix[server] @ git+{PLACEHOLDER}@<commit>'" in result.output
    assert ".[server]" in code_blocks(section("Install"), "bash")[1]


@pytest.mark.slow
def test_readme_install_block_runs_as_written(tmp_path: Path) -> None:
    """Install's first block, as written, on a fresh venv: `<repository URL>` is this
    repository; then the `server` extra line; then kerasfix lints a fixture."""
    block = code_blocks(section("Install"), "bash")[0].replace(PLACEHOLDER, shlex.quote(str(REPO)))
    server_line = next(
        line
        for line in code_blocks(section("Install"), "bash")[1].splitlines()
        if "[server]" in line
    )
    script = "\n".join(
        [block, server_line, "kerasfix lint fixtures/source/sequential_list.py || echo exit=$?",
         "python -c 'import pygls'", "command -v kerasfix"]
    )  # fmt: skip
    run = run_as_a_new_user(script, tmp_path, timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "sequential_list.py:12:9: KF001 [warning]" in run.stdout
    assert "exit=1" in run.stdout
    assert f"{tmp_path}/kerasfix/.venv/bin/kerasfix" in run.stdout  # README's venv


def run_as_a_new_user(script: str, cwd: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    """`script` in a strict, profile-free bash with `fresh_env()`, as README's reader runs it."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", script],
        cwd=cwd, env=fresh_env(), capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def fresh_env() -> dict[str, str]:
    """This environment without the project's virtualenv, as on a fresh machine."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    venv_bin = str(Path(sys.prefix) / "bin")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    return env
