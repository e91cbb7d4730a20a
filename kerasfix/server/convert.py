"""Findings, layer lines and fixed text as LSP objects.

kerasfix counts columns in characters (code points); LSP counts in the position encoding the
client and server agreed on (UTF-16 unless both say otherwise), so every position goes
through `_units` with the text of its line.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import lru_cache

from lsprotocol import types

from kerasfix.findings import Finding, Severity
from kerasfix.frontends.source.layer_lines import LayerLine
from kerasfix.graph.model import SourceSpan

SOURCE = "kerasfix"
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
FIX_ALL_KIND = "source.fixAll.kerasfix"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


@lru_cache(maxsize=8)
def rule_page_uri(rule: str) -> str | None:
    """The rule's documentation page shipped with kerasfix (what `kerasfix rule` prints)."""
    from kerasfix.catalogue import CatalogueError, catalogue_dir

    try:
        page = catalogue_dir() / f"{rule}.md"
    except CatalogueError:
        return None
    return page.as_uri() if page.is_file() else None


def span_range(span: SourceSpan, lines: Sequence[str], encoding: str = UTF16) -> types.Range:
    return types.Range(
        start=_position(lines, span.line, span.column, encoding),
        end=_position(lines, span.end_line, span.end_column, encoding),
    )


def diagnostic(finding: Finding, lines: Sequence[str], encoding: str = UTF16) -> types.Diagnostic:
    assert finding.span is not None
    href = rule_page_uri(finding.rule)
    return types.Diagnostic(
        range=span_range(finding.span, lines, encoding),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.rule,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
    )


def hover_markdown(finding: Finding) -> str:
    """The finding with its parameter arithmetic, as a small Markdown table."""
    rows = [f"**{finding.rule}** ({finding.severity.value}): {finding.message}", ""]
    facts = finding.data.report()  # the rule's JSON keys (KF001/KF002: the arithmetic)
    flat, pooled = facts.get("params_flatten"), facts.get("params_pooling")
    per_unit = facts.get("params_flatten_per_unit"), facts.get("params_pooling_per_unit")
    pooling = facts.get("suggestion") or "global pooling"
    if flat is None and pooled is None and per_unit != (None, None):  # the width is unknown
        rows += [
            "| head | parameters per Dense unit |",
            "|---|---:|",
            f"| Flatten → Dense | {_count(per_unit[0])} |",
            f"| {pooling} → Dense | {_count(per_unit[1])} |",
        ]
    if flat is not None or pooled is not None:
        units = facts.get("dense_units")
        dense = f"Dense({units})" if units else "Dense"
        rows += [
            "| head | parameters |",
            "|---|---:|",
            f"| Flatten → {dense} | {_count(flat)} |",
            f"| {pooling} → {dense} | {_count(pooled)} |",
        ]
        saved = finding.saved_params
        if saved is not None and flat:
            percent = 100 * saved / flat
            rows.append(f"| saved | {saved:,} (-{percent:.1f}%) |")
    shape = facts.get("shape")
    if shape is not None:
        dims = "x".join("?" if d is None else str(d) for d in shape)
        rows += ["", f"Feature map entering Flatten: {dims}"]
    return "\n".join(rows)


def inlay_hint(
    layer: LayerLine, lines: Sequence[str], encoding: str = UTF16
) -> types.InlayHint | None:
    """`# (None, 38, 38, 256) · 2,360,320 params` after the last character of the line."""
    index = layer.span.end_line - 1
    if not 0 <= index < len(lines):
        return None
    text = lines[index].rstrip("\r\n")
    return types.InlayHint(
        position=types.Position(line=index, character=_units(text, len(text), encoding)),
        label=f"# {layer.label}",
        kind=types.InlayHintKind.Type,
        tooltip=_tooltip(layer),
        padding_left=True,
    )


def _tooltip(layer: LayerLine) -> str:
    text = f"{layer.name} ({layer.class_name}): output shape and parameters inferred by kerasfix"
    return f"{text}; not known: {layer.unknown_reason}" if layer.unknown_reason else text


def text_edits(before: str, after: str, encoding: str = UTF16) -> list[types.TextEdit]:
    """The line ranges that differ, as edits against `before` (small, so cursors stay put)."""
    old, new = keep_ends(before), keep_ends(after)
    edits = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            types.TextEdit(
                range=types.Range(
                    start=_line_start(old, i1, encoding), end=_line_start(old, i2, encoding)
                ),
                new_text="".join(new[j1:j2]),
            )
        )
    return edits


def contains(rng: types.Range, position: types.Position) -> bool:
    start, end = rng.start, rng.end
    after_start = (position.line, position.character) >= (start.line, start.character)
    return after_start and (position.line, position.character) <= (end.line, end.character)


def overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
        b.start.line,
        b.start.character,
    ) <= (a.end.line, a.end.character)


def lines_of(text: str) -> list[str]:
    """Lines as Python and LSP count them (only \\n ends a line; a \\r before it stays)."""
    return text.split("\n")


def keep_ends(text: str) -> list[str]:
    parts = [line + "\n" for line in text.split("\n")]
    parts[-1] = parts[-1][:-1]
    return parts if parts[-1] else parts[:-1]


def _line_start(lines: Sequence[str], index: int, encoding: str) -> types.Position:
    """Start of line `index`; past the last line, the end of the text."""
    if index < len(lines) or not lines or lines[-1].endswith("\n"):
        return types.Position(line=index, character=0)
    last = lines[-1]
    return types.Position(line=len(lines) - 1, character=_units(last, len(last), encoding))


def _position(lines: Sequence[str], line: int, column: int, encoding: str) -> types.Position:
    """1-based line and character column to a 0-based LSP position."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return types.Position(line=line - 1, character=_units(text, column - 1, encoding))


def _units(text: str, characters: int, encoding: str) -> int:
    """How long the first `characters` characters of `text` are in the position encoding."""
    prefix = text[: max(characters, 0)]
    if prefix.isascii() or encoding == UTF32:
        return len(prefix)
    if encoding == UTF8:
        return len(prefix.encode("utf-8"))
    return len(prefix.encode("utf-16-le")) // 2


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"
