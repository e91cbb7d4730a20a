"""Parse a script around its syntax errors, so one bad line does not hide the model above it.

Like Ruff's error-tolerant parser, but with `ast`: the statement that does not parse is
replaced by `pass` (blank lines after it, so every position stays put) and the file is parsed
again, up to `MAX_RECOVERIES` times. The caller reports each skipped statement as a syntax
error; the rest of the file is analysed as usual.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings

from kerasfix.frontends.base import SkippedStatement
from kerasfix.limits import MAX_RECOVERIES, RECOVERY_BUDGET_CHARS

_LIMIT_ERRORS = re.compile(r"too many|nested too deeply|too complex")
_CONTINUATION = re.compile(r"^(else|elif|except|finally)\b")
_SKIPPED_TOKENS = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}


def parse_around_errors(text: str, filename: str) -> tuple[ast.Module, list[SkippedStatement]]:
    """The module with every unparsable statement skipped; raises the first SyntaxError when
    nothing is left to analyse (or the errors do not go away)."""
    lines = text.split("\n")
    skipped: list[SkippedStatement] = []
    first: SyntaxError | None = None
    # Each attempt re-reads the whole file: bound the work to a few megabytes in all.
    attempts = max(1, min(MAX_RECOVERIES, RECOVERY_BUDGET_CHARS // max(len(text), 1)))
    for _ in range(attempts):
        try:
            return _parse("\n".join(lines), filename), skipped
        except SyntaxError as exc:
            first = first or exc
            if _LIMIT_ERRORS.search(exc.msg or ""):
                break  # a parser limit (nesting too deep), not a bad statement
            region = _region(lines, exc)
            if region is None:
                break
            start, end = region
            skipped.append(
                SkippedStatement(exc.lineno or 0, exc.offset or 0, exc.msg, start + 1, end)
            )
            _blank(lines, start, end, keep_pass=not _is_unexpected_indent(exc))
    assert first is not None
    raise first


def _parse(text: str, filename: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=filename)


def _is_unexpected_indent(exc: SyntaxError) -> bool:
    return isinstance(exc, IndentationError) and "unexpected indent" in exc.msg


def _region(lines: list[str], exc: SyntaxError) -> tuple[int, int] | None:
    """0-based [start, end) of the lines to skip, or None when there is nothing to skip."""
    if not any(line.strip() for line in lines):
        return None
    error = min(max((exc.lineno or 1) - 1, 0), len(lines) - 1)
    while error > 0 and not lines[error].strip():  # errors at EOF point past the last line
        error -= 1
    if _is_unexpected_indent(exc):
        # A block indented for no reason: skip it whole.
        return error, _next_at_or_below(lines, error, _indent(lines[error]) - 1)
    starts = _logical_starts("\n".join(lines))
    start = _statement_start(lines, max((s for s in starts if s <= error), default=error))
    indent = _indent(lines[start])
    # The statement ends where the next one at its indentation (or outside it) begins, so a
    # broken compound statement (`def`, `if`/`else`) goes with its body.
    later = [
        s
        for s in starts
        if s > error and _indent(lines[s]) <= indent and not _CONTINUATION.match(lines[s].lstrip())
    ]
    end = later[0] if later else _next_at_or_below(lines, error, indent)
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # trailing blank lines are not part of the statement
    if not any(line.strip() for line in lines[start:end]) or lines[start].strip() == "pass":
        return None
    return start, end


def _logical_starts(text: str) -> list[int]:
    """0-based lines where a logical line begins, as far as the tokenizer gets."""
    starts: list[int] = []
    expect = True
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in _SKIPPED_TOKENS or token.type == tokenize.ENDMARKER:
                continue
            if expect:
                starts.append(token.start[0] - 1)
                expect = False
            if token.type == tokenize.NEWLINE:
                expect = True
    except (tokenize.TokenError, SyntaxError):
        pass
    return starts


def _statement_start(lines: list[str], start: int) -> int:
    """Step back over lines that cannot begin a statement: a backslash continuation, or an
    `else`/`except`/... clause (the statement is the `if`/`try` it belongs to)."""
    while start > 0 and lines[start - 1].rstrip().endswith("\\"):
        start -= 1
    if _CONTINUATION.match(lines[start].lstrip()):
        indent = _indent(lines[start])
        for index in range(start - 1, -1, -1):
            stripped = lines[index].strip()
            if not stripped or stripped.startswith("#") or _indent(lines[index]) != indent:
                continue
            if not _CONTINUATION.match(stripped):
                return index
    return start


def _next_at_or_below(lines: list[str], after: int, indent: int) -> int:
    """The first line after `after` that starts a statement indented at most `indent`."""
    for index in range(after + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#") or stripped[0] in ")]}":
            continue
        if _indent(lines[index]) <= indent and not _CONTINUATION.match(stripped):
            return index
    return len(lines)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _blank(lines: list[str], start: int, end: int, keep_pass: bool) -> None:
    indent = lines[start][: _indent(lines[start])]
    for index in range(start, end):
        lines[index] = ""
    if keep_pass:
        lines[start] = f"{indent}pass"  # keeps an enclosing block (def, if, for) non-empty
