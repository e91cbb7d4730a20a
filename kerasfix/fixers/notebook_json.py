"""Rewrite code-cell sources inside a notebook's raw JSON text, touching nothing else.

Re-serialising with `json.dump` would have to guess indentation, key order, `ensure_ascii`
and the trailing newline. Instead the raw text is scanned for each cell's `"source"` value
(offsets, via `json`'s own decoder) and only the changed line strings are re-encoded; every
other byte, including unchanged lines of the same cell, is copied through.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_NON_ASCII_ESCAPE = re.compile(
    r"\\u(?:00[89a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]|[1-9a-fA-F][0-9a-fA-F]{2})"
)


class NotebookLayoutError(Exception):
    """The JSON is not laid out as a notebook this module can edit in place."""


@dataclass
class SourceValue:
    """Where one cell's source sits in the raw text: the whole value, and each list element."""

    start: int
    end: int
    value: str | list[str]
    elements: list[tuple[int, int]] = field(default_factory=list)


def locate_sources(text: str) -> list[SourceValue | None]:
    """One entry per cell (None for non-code cells), numbered as `code_cells` numbers them."""
    top = _skip(text, 0)
    members = dict((key, (start, end)) for key, start, end in _members(text, top))
    if "cells" in members:
        return [_cell(text, start) for start, _ in _elements(text, members["cells"][0])]
    if "worksheets" in members:  # nbformat 3
        found: list[SourceValue | None] = []
        for start, _ in _elements(text, members["worksheets"][0]):
            sheet = {key: s for key, s, _ in _members(text, start)}
            if "cells" in sheet:
                found.extend(_cell(text, s) for s, _ in _elements(text, sheet["cells"]))
        return found
    raise NotebookLayoutError("no 'cells' list")


def ensure_ascii_of(text: str) -> bool:
    """Whether the writer escaped non-ASCII (`ensure_ascii=True`); nbformat's default is not to."""
    return text.isascii() and bool(_NON_ASCII_ESCAPE.search(text))


def replace_sources(
    text: str, located: list[SourceValue | None], new_sources: dict[int, str]
) -> str:
    """`text` with the sources of the cells in `new_sources` (0-based index) replaced."""
    ascii_only = ensure_ascii_of(text)
    edits: list[tuple[int, int, str]] = []
    for index, source in sorted(new_sources.items()):
        where = located[index]
        if where is None:
            raise NotebookLayoutError(f"cell {index + 1} has no source to rewrite")
        if isinstance(where.value, str):
            edits.append((where.start, where.end, json.dumps(source, ensure_ascii=ascii_only)))
        else:
            edits.append((where.start, where.end, _render_list(text, where, source, ascii_only)))
    out: list[str] = []
    position = 0
    for start, end, replacement in edits:
        out.append(text[position:start])
        out.append(replacement)
        position = end
    out.append(text[position:])
    return "".join(out)


def _render_list(text: str, where: SourceValue, source: str, ascii_only: bool) -> str:
    old = list(where.value)
    new = source.splitlines(keepends=True)
    if not where.elements:
        return json.dumps(new, ensure_ascii=ascii_only)
    spans = where.elements
    prefix = text[where.start : spans[0][0]]
    suffix = text[spans[-1][1] : where.end]
    separators = [text[a[1] : b[0]] for a, b in itertools.pairwise(spans)]
    default = separators[0] if separators else "," + prefix[1:]
    if old != "".join(old).splitlines(keepends=True):
        old = []  # not one line per string: re-render every element, layout kept
    pieces: list[str] = []
    anchors: list[int | None] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset, line in enumerate(new[j1:j2]):
            anchor = i1 + offset if i1 + offset < i2 else None
            if tag == "equal":
                start, end = spans[i1 + offset]
                pieces.append(text[start:end])
            else:
                pieces.append(json.dumps(line, ensure_ascii=ascii_only))
            anchors.append(anchor)
    body = ""
    for index, piece in enumerate(pieces):
        if index:
            anchor = anchors[index - 1]
            fits = anchor is not None and anchor < len(separators)
            body += separators[anchor] if fits else default  # type: ignore[index]
        body += piece
    return prefix + body + suffix


def _cell(text: str, start: int) -> SourceValue | None:
    members = {key: (s, e) for key, s, e in _members(text, start)}
    kind = members.get("cell_type")
    if kind is None or _DECODER.raw_decode(text, kind[0])[0] != "code":
        return None
    key = "source" if "source" in members else "input" if "input" in members else None
    if key is None:
        return None
    value_start, value_end = members[key]
    value = _DECODER.raw_decode(text, value_start)[0]
    if isinstance(value, str):
        return SourceValue(value_start, value_end, value)
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return SourceValue(value_start, value_end, value, _elements(text, value_start))
    return None


def _skip(text: str, index: int) -> int:
    match = _WS.match(text, index)
    return match.end() if match else index


def _members(text: str, index: int) -> list[tuple[str, int, int]]:
    """(key, value start, value end) for the JSON object starting at `index`."""
    if text[index : index + 1] != "{":
        raise NotebookLayoutError(f"expected an object at offset {index}")
    found = []
    index = _skip(text, index + 1)
    if text[index : index + 1] == "}":
        return found
    while True:
        key, index = scanstring(text, index + 1)
        index = _skip(text, index)
        index = _skip(text, index + 1)  # past ':'
        _, end = _DECODER.raw_decode(text, index)
        found.append((key, index, end))
        index = _skip(text, end)
        if text[index] == "}":
            return found
        index = _skip(text, index + 1)  # past ','


def _elements(text: str, index: int) -> list[tuple[int, int]]:
    """(start, end) of each element of the JSON array starting at `index`."""
    if text[index : index + 1] != "[":
        raise NotebookLayoutError(f"expected an array at offset {index}")
    found = []
    index = _skip(text, index + 1)
    if text[index : index + 1] == "]":
        return found
    while True:
        _, end = _DECODER.raw_decode(text, index)
        found.append((index, end))
        index = _skip(text, end)
        if text[index] == "]":
            return found
        index = _skip(text, index + 1)
