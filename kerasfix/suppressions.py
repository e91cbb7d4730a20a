"""Inline suppressions: `# noqa`, `# kerasfix: ignore[...]`, and `# kerasfix: skip-file`.

Grammar (case-insensitive):

* `# noqa` / `# noqa: KF001,KF002` (flake8: codes separated by commas and/or spaces,
  text may follow) on any line of the flagged range `span.line..span.end_line`.
* `# kerasfix: ignore` / `# kerasfix: ignore[KF001, KF002]` on a line of the flagged range,
  or alone on the line directly above it.
* `# kerasfix: skip-file` as a comment line anywhere in the file: the file is not parsed.

Codes match exactly or as a prefix (`KF` covers every rule), as in flake8. Lines are those
of the file, or of the notebook cell the finding points into. Findings on model files have
no lines and can only be silenced by configuration (`ignore`, `per-file-ignores`).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kerasfix.findings import Finding

NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
IGNORE = re.compile(r"#\s*kerasfix:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?![\w\-\[])", re.IGNORECASE)
SKIP_FILE = re.compile(r"^[ \t]*#\s*kerasfix:\s*skip-file\b", re.IGNORECASE | re.MULTILINE)
_SPLIT = re.compile(r"[,\s]+")
ALL: frozenset[str] = frozenset()  # an empty code set means "every rule"


@dataclass(frozen=True)
class Directive:
    """One suppression comment: the codes it names (empty: all) and whether it stands alone."""

    codes: frozenset[str]
    own_line: bool
    kind: str  # "noqa" | "ignore"

    def covers(self, rule: str) -> bool:
        return not self.codes or any(rule.startswith(code) for code in self.codes)


def parse_comment(comment: str, own_line: bool) -> list[Directive]:
    """Directives in one comment's text (a comment may hold both forms)."""
    found: list[Directive] = []
    match = NOQA.search(comment)
    if match:
        found.append(Directive(_codes(match.group("codes")), own_line, "noqa"))
    for match in IGNORE.finditer(comment):
        found.append(Directive(_codes(match.group("codes")), own_line, "ignore"))
    return found


def _codes(text: str | None) -> frozenset[str]:
    if not text:
        return ALL
    return frozenset(code.upper() for code in _SPLIT.split(text.strip()) if code)


class Suppressions:
    """The directives of one piece of source (a script, or one notebook cell), by line."""

    def __init__(self, source: str) -> None:
        self.by_line: dict[int, list[Directive]] = {}
        if not (NOQA.search(source) or IGNORE.search(source)):
            return  # no directive anywhere: skip tokenizing (most flagged files have none)
        for line, comment, own_line in _comments(source):
            directives = parse_comment(comment, own_line)
            if directives:
                self.by_line.setdefault(line, []).extend(directives)

    def suppresses(self, rule: str, line: int, end_line: int | None = None) -> bool:
        end = max(line, end_line or line)
        for number in range(line, end + 1):
            if any(d.covers(rule) for d in self.by_line.get(number, ())):
                return True
        above = self.by_line.get(line - 1, ())
        return any(d.kind == "ignore" and d.own_line and d.covers(rule) for d in above)


def _comments(source: str) -> Iterable[tuple[int, str, bool]]:
    """(line, comment text, comment is alone on its line) for every comment in `source`.

    Tokenizing keeps `"# noqa"` inside strings from counting; code that does not tokenize
    (IPython magics, a syntax error) falls back to a line scan.
    """
    lines = source.splitlines()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = None
    if tokens is None:
        for number, text in enumerate(lines, start=1):
            index = text.find("#")
            if index >= 0:
                yield number, text[index:], not text[:index].strip()
        return
    for token in tokens:
        if token.type == tokenize.COMMENT:
            row, col = token.start
            prefix = lines[row - 1][:col] if row - 1 < len(lines) else ""
            yield row, token.string, not prefix.strip()


def filter_findings(
    findings: Sequence[Finding], text: str | None, cells: Sequence[str] | None
) -> list[Finding]:
    """`findings` minus those an inline comment suppresses."""
    cache: dict[int | None, Suppressions] = {}

    def suppressions_for(cell: int | None) -> Suppressions | None:
        if cell not in cache:
            if cell is not None and cells is not None:
                if not 1 <= cell <= len(cells):
                    return None
                cache[cell] = Suppressions(cells[cell - 1])
            elif text is not None:
                cache[cell] = Suppressions(text)
            else:
                return None
        return cache[cell]

    kept: list[Finding] = []
    for finding in findings:
        span = finding.span
        table = suppressions_for(span.cell) if span is not None else None
        if (
            table is not None
            and span is not None
            and table.suppresses(finding.rule, span.line, span.end_line)
        ):
            continue
        kept.append(finding)
    return kept


def should_skip_file(path: Path) -> bool:
    """`# kerasfix: skip-file` present as a comment: a text search, no parsing on the fast path.

    A notebook's cells are read by the notebook frontend's reader (a UTF-8 BOM, nbformat 3
    worksheets), so what is skipped is exactly what would have been linted."""
    try:
        raw = path.read_bytes()
    except OSError:
        return False  # the frontend will report the unreadable file
    if b"skip-file" not in raw:
        return False
    if path.suffix.lower() == ".ipynb":
        from kerasfix.frontends.base import InputError
        from kerasfix.frontends.notebook import code_cells

        try:
            return cells_skip_file(code_cells(raw, path.as_posix()))
        except InputError:
            return False  # the frontend reports the malformed notebook
    return text_skips_file(raw.decode("utf-8", errors="replace"))


def cells_skip_file(cells: Iterable[str]) -> bool:
    """`# kerasfix: skip-file` in any code cell of a notebook."""
    return any(SKIP_FILE.search(source) for source in cells)


def text_skips_file(text: str) -> bool:
    """`# kerasfix: skip-file` as a comment on its own line of this source text."""
    if not SKIP_FILE.search(text):
        return False
    return any(SKIP_FILE.search(comment) for _, comment, own_line in _comments(text) if own_line)
