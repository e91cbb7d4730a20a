"""Project housekeeping that a fresh machine must not contradict (issue 11, point 10)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_script_names_no_machine_specific_path() -> None:
    """Only project-relative paths (or environment variables) in .ci/run, shebang aside."""
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()[1:]
    code = [line.split("#", 1)[0] for line in lines]
    absolute = [line for line in code if re.search(r"(?<![\w.$}])/(?:work|home|tmp|root)\b", line)]
    assert absolute == []
    assert any("../shared/schemas/" in line for line in code)
    assert any("KERASFIX_SARIF_SCHEMA" in line for line in code)


def test_readme_installs_only_what_exists_today() -> None:
    """No `pip install kerasfix` (not on the package index); every git install and the
    pre-commit `rev:` name the tag of this version (issue 11, point 2)."""
    from kerasfix import __version__

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"pip install kerasfix\b", readme)
    tag = f"v{__version__}"
    installs = re.findall(r'pip install "kerasfix @ git\+https://github\.com/<org>/kerasfix@([^"]+)"',
                          readme)  # fmt: skip
    assert len(installs) >= 3 and set(installs) == {tag}
    assert re.findall(r"^\s+rev: (\S+)$", readme, re.M) == [tag]
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{__version__}"' in pyproject
