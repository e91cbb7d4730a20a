"""Which values of a finding came from the project's other files, for its message: the
source frontend puts `origin["imported"]` ('IMG_SIZE = 64 (config.py:1)') on each layer
made from such a value or by a builder another file defines (project_imports.py)."""

from __future__ import annotations

from kerasfix.graph.model import Node

NOTES_SHOWN = 3  # a message names the first few; the rest are the same story


def imported_note(node: Node) -> str:
    """'; from other files: IMG_SIZE = 64 (config.py:1)', or '' (the layers `node` and
    the ones before it were made from this file's own values)."""
    notes: list[str] = []
    seen: set[int] = set()
    pending = [node]
    while pending and len(seen) < 10_000:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found = current.layer.origin.get("imported")
        if isinstance(found, tuple):
            notes.extend(note for note in found if note not in notes)
        pending.extend(current.inputs)
    if not notes:
        return ""
    shown = "; ".join(notes[:NOTES_SHOWN])
    more = f" and {len(notes) - NOTES_SHOWN} more" if len(notes) > NOTES_SHOWN else ""
    return f" (from other files: {shown}{more})"
