"""Parsing a script as kerasfix reads it: Python 2 statement forms rewritten, IPython magics
blanked, a statement that does not parse skipped. One module for the linted file, a
notebook's cells and the project files it imports, so all three are read alike."""

from __future__ import annotations

import ast
import contextlib
import re
import warnings

from kerasfix.frontends.base import InputError, SkippedStatement


def parse_script(text: str, display_path: str) -> tuple[ast.Module, list[SkippedStatement]]:
    """Parse a script, tolerating what does not sink it: IPython magics (a `.py` exported
    from Colab) are blanked silently, and each statement that does not parse is skipped and
    returned as a syntax error (its `str` is the one-line message), so the rest of the file
    is still analysed."""
    try:
        return parse_module(text, display_path), []
    except InputError as first:
        failure = first
    from kerasfix.frontends.source.magics import blank_magic_lines
    from kerasfix.frontends.source.recovery import parse_around_errors

    without_magics = blank_magic_lines(text)
    if without_magics != text:
        with contextlib.suppress(InputError):
            return parse_module(without_magics, display_path), []
    try:
        tree, skipped = parse_around_errors(python2_to_3(without_magics), display_path)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise failure from None
    return tree, skipped


def parse_module(text: str, display_path: str, cell: int | None = None) -> ast.Module:
    """Parse with `ast`; a syntax error becomes a one-line InputError naming the place."""
    where = f"cell {cell}:" if cell is not None else ""
    try:
        return _parse(text, display_path)
    except SyntaxError as exc:
        # Keras 1 era scripts are often Python 2: retry with its statement forms rewritten
        # (line by line, so positions stay put) before calling the file broken.
        converted = python2_to_3(text)
        if converted != text:
            try:
                return _parse(converted, display_path)
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                pass
        line = exc.lineno or 0
        column = exc.offset or 0
        raise InputError(
            f"{display_path}:{where}{line}:{column}: syntax error: {exc.msg}"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{display_path}: cannot parse ({type(exc).__name__})") from None
    # A MemoryError goes on to the caller, which knows whether a memory limit was set.


def _parse(text: str, display_path: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not our business
        return ast.parse(text, filename=display_path)


_PRINT = re.compile(r"^(\s*)print(?:\s+(?![(=.,\[])(.*?)|\s*)\s*(#.*)?$")
_EXCEPT = re.compile(r"^(\s*except\s+[\w.()\s,]+?)\s*,\s*(\w+)\s*:")


def python2_to_3(text: str) -> str:
    """Rewrite Python 2 `print x` statements and `except E, e:` clauses in place."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = _PRINT.match(line)
        if match and not line.lstrip().startswith("print("):
            indent, args, comment = match.group(1), match.group(2) or "", match.group(3)
            args = args.rstrip().rstrip(",")
            if args.startswith(">>"):  # print >>stream, values
                stream, _, rest = args[2:].partition(",")
                args = f"{rest.strip()}, file={stream.strip()}" if rest.strip() else ""
            lines[index] = f"{indent}print({args})" + (f"  {comment}" if comment else "")
            continue
        lines[index] = _EXCEPT.sub(r"\1 as \2:", line)
    return "\n".join(lines)
