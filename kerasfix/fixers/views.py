"""Parse views: what LibCST is shown when the real text is not plain Python 3.

A notebook cell has its IPython lines blanked to `pass`; a Python 2 script has its `print x`
and `except E, e:` lines rewritten. Both keep line numbers, so after the codemod the lines
it kept are taken back from the original, and the lines it changed or added come from the
rewritten view. A change to a line the view had altered is refused.
"""

from __future__ import annotations

import ast
import difflib
import warnings


class ViewConflict(Exception):
    """The codemod changed a line that exists only in the view (a magic or Python 2 line)."""


def notebook_view(cell: str) -> str:
    from kerasfix.frontends.notebook import strip_magics

    return strip_magics(cell)


def script_view(text: str) -> str:
    """The text itself, or its Python 3 rewrite when only that parses (Keras 1 era scripts)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
        return text
    except (SyntaxError, ValueError):
        from kerasfix.frontends.source import python2_to_3

        return python2_to_3(text)


def restore(original: str, view: str, rewritten: str) -> str:
    """`rewritten` with every line it kept from `view` taken from `original` instead."""
    if original == view:
        return rewritten
    before, after, source = view.split("\n"), rewritten.split("\n"), original.split("\n")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(source[i1:i2])
            continue
        if source[i1:i2] != before[i1:i2]:
            raise ViewConflict("the fix would change a line kerasfix only sees rewritten")
        out.extend(after[j1:j2])
    return "\n".join(out)
