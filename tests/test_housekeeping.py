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


# README's install lines (no tag, no unpublished package, .ci/run the same commands) are held
# by tests/test_readme_commands.py (issue 22, which replaced issue 11 point 2's tag).
