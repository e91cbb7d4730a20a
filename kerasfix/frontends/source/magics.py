"""IPython-only lines (magics, shell escapes, `x?` help): not Python, but common in notebooks
and in scripts exported from Colab/Jupyter. Blanked to `pass` so line numbers stay put."""

from __future__ import annotations

import re

_MAGIC = re.compile(r"^(\s*)(%|!|\?)")
_HELP = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$")
_SHELL_ASSIGN = re.compile(r"^(\s*)\w[\w, ]*=\s*[!%]")  # \w first: no backtracking


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
            out.append(f"{match.group(1)}pass" if match else line)
            if not match:
                continue
        continued = line.rstrip().endswith("\\")
    return "\n".join(out)
