"""IPython-only lines (magics, shell escapes, `x?` help): not Python, but common in notebooks
and in scripts exported from Colab/Jupyter. Blanked to `pass` so line numbers stay put; a
`%run other.ipynb` becomes a call the analysis reads as running that project file."""

from __future__ import annotations

import re

_MAGIC = re.compile(r"^(\s*)(%|!|\?)")
_HELP = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$")
_SHELL_ASSIGN = re.compile(r"^(\s*)\w[\w, ]*=\s*[!%]")  # \w first: no backtracking
# `%run [-i] helpers.py` / `%run "data prep.ipynb"`: a literal path (no `$var`/`{var}`).
_RUN = re.compile(
    r"^(\s*)%run\s+(?:-[a-z]\s+)*"
    r"""(?:"([^"$\{}]+)"|'([^'$\{}]+)'|([^\s"'$\{}]+))(?:\s+.*)?$"""
)
# The call a `%run` line becomes (a name no real code defines): project_imports runs the file.
RUN_MAGIC_CALL = "__kerasfix_run__"


def blank_magic_lines(source: str) -> str:
    """Every IPython-only line replaced by `pass` at its indentation.

    A magic continued with a trailing backslash (`!wget URL \\` then `-O file`) is one
    command: its continuation lines become empty, whatever their indentation."""
    out = []
    continued = False
    for line in source.split("\n"):
        if continued:
            out.append("")
        else:
            match = _MAGIC.match(line) or _HELP.match(line) or _SHELL_ASSIGN.match(line)
            run = _RUN.match(line)
            if run:
                target = run.group(2) or run.group(3) or run.group(4)
                out.append(f"{run.group(1)}{RUN_MAGIC_CALL}({target!r})")
            else:
                out.append(f"{match.group(1)}pass" if match else line)
            if not match:
                continue
        continued = line.rstrip().endswith("\\")
    return "\n".join(out)
