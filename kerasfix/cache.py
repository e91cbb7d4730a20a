"""Result cache: skip re-analysing files whose content, settings and kerasfix are unchanged.

As Ruff's cache, it makes the second run over an unchanged repository cost one read and
one hash per file. Entries are keyed by display path + the rules and options in force for
that file; each stores a BLAKE2 digest of the file's bytes and the outcome, and the digest
of every project file its analysis read (`from config import IMG_SIZE`): a changed
`config.py` re-checks its importers, an unchanged one does not. As Ruff puts
`.ruff_cache`, the cache sits in the project root (the nearest directory at or above the
working directory holding `kerasfix.toml`, `pyproject.toml` or `.git`; else the working
directory): `.kerasfix_cache/<version>-<code fingerprint>/` (per-install code fingerprint, so
an edited checkout never reads results computed by older code) and is JSON, never pickle:
a cache directory checked into a repository must not be able to run code.
Disable with `--no-cache` or `KERASFIX_NO_CACHE=1`; relocate with `KERASFIX_CACHE_DIR`.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasfix.results import FileError, FileOutcome, SourceText
from kerasfix.version import __version__

if TYPE_CHECKING:
    from kerasfix.findings import Finding
    from kerasfix.settings import Settings

DEFAULT_DIR = ".kerasfix_cache"
CACHED_KINDS = frozenset({"source", "notebook"})  # model files are read lazily and large


def cache_disabled_by_env() -> bool:
    return os.environ.get("KERASFIX_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no")


PROJECT_MARKERS = ("kerasfix.toml", "pyproject.toml", ".git")


def default_cache_dir(start: Path | None = None) -> Path:
    """`KERASFIX_CACHE_DIR`, else `.kerasfix_cache` in the project root of `start` (the cwd)."""
    configured = os.environ.get("KERASFIX_CACHE_DIR")
    if configured:
        return Path(configured)
    return project_root(start or Path.cwd()) / DEFAULT_DIR


def project_root(start: Path) -> Path:
    """The nearest directory at or above `start` with a config file or `.git`, else `start`."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if any((directory / marker).exists() for marker in PROJECT_MARKERS):
            return directory
    return start


def code_fingerprint() -> str:
    """kerasfix version plus the mtime and size of each of its modules and data tables (the
    generated application_taps.json): an edit to any of them invalidates the cache."""
    package = Path(__file__).parent
    stamps = []
    for directory, _, files in os.walk(package):
        for name in files:
            if name.endswith((".py", ".json")):
                info = os.stat(os.path.join(directory, name))
                stamps.append(f"{directory}/{name}:{info.st_mtime_ns}:{info.st_size}")
    text = "\n".join(sorted(stamps))
    digest = hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
    return f"{__version__}-{digest}"


def settings_key(settings: Settings, display: str) -> str:
    """What the outcome of one file depends on besides its bytes: rules, options and where
    project modules are found (`src`, and the working folder, the project root where no
    pyproject.toml or .git marks one; the files read are checked by their digests)."""
    rules = settings.enabled_rules(display)
    return repr((rules, sorted(settings.rule_options.items()), settings.src, os.getcwd()))


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


class ResultCache:
    """Load once, look up per file, save once (atomically) at the end of the run."""

    def __init__(self, directory: Path, fingerprint: str | None = None) -> None:
        self.file = directory / (fingerprint or code_fingerprint()) / "results.json"
        self.directory = directory
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        self._digests: dict[str, str] = {}  # other files' digests, read once per run
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self.entries = data
        except (OSError, ValueError):
            pass

    def get(self, display: str, key: str, digest: str) -> FileOutcome | None:
        entry = self.entries.get(f"{display}\0{key}")
        if entry is None or entry.get("digest") != digest:
            return None
        if not self._unchanged(entry.get("depends_on") or {}):
            return None  # a project file it imports changed: check the importer again
        try:
            return _decode_outcome(entry)
        except (KeyError, TypeError, ValueError):
            return None

    def _unchanged(self, depends_on: dict[str, str]) -> bool:
        """Whether every project file a stored result read is unchanged (each hashed once
        per run however many importers it has)."""
        if not depends_on:
            return True
        from kerasfix.frontends.source.project_files import files_unchanged

        return files_unchanged(depends_on, self._digests)

    def put(self, display: str, key: str, digest: str, outcome: FileOutcome) -> None:
        entry = _encode_outcome(outcome, digest)
        try:
            json.dumps(entry)
        except (TypeError, ValueError):
            return  # not storable: the file is simply checked again next run
        self.entries[f"{display}\0{key}"] = entry
        self.dirty = True

    def save(self) -> None:
        """Write atomically; a read-only tree or a race with another run just skips the write."""
        if not self.dirty:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            marker = self.directory / ".gitignore"
            if not marker.exists():
                marker.write_text("# created by kerasfix\n*\n", encoding="utf-8")
            import tempfile  # only when writing: shutil, random, bz2, lzma come with it

            fd, tmp = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                json.dump(self.entries, stream, separators=(",", ":"))
            os.replace(tmp, self.file)
        except OSError:
            pass


def _encode_outcome(outcome: FileOutcome, digest: str) -> dict[str, Any]:
    source = outcome.source if outcome.findings else None  # reporters read only flagged files
    return {
        "digest": digest,
        "findings": [_encode_finding(f) for f in outcome.findings],
        "error": [outcome.error.path, outcome.error.message] if outcome.error else None,
        "skipped": outcome.skipped,
        "notes": outcome.notes,
        "text": source.text if source else None,
        "cells": list(source.cells) if source and source.cells is not None else None,
        "has_source": outcome.source is not None,
        "depends_on": outcome.depends_on,
    }


def _decode_outcome(entry: dict[str, Any]) -> FileOutcome:
    error = entry["error"]
    cells = entry["cells"]
    source = None
    if entry["has_source"]:
        source = SourceText(entry["text"], tuple(cells) if cells is not None else None)
    return FileOutcome(
        findings=[_decode_finding(f) for f in entry["findings"]],
        error=FileError(error[0], error[1]) if error else None,
        skipped=entry["skipped"],
        source=source,
        notes=list(entry["notes"]),
        depends_on=dict(entry.get("depends_on") or {}),
    )


def _encode_finding(finding: Finding) -> dict[str, Any]:
    span = finding.span
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "span": [span.line, span.column, span.end_line, span.end_column, span.cell]
        if span
        else None,
        "layer_path": list(finding.layer_path) if finding.layer_path is not None else None,
        "data": finding.data.encode(),
    }


def _decode_finding(data: dict[str, Any]) -> Finding:
    """The finding, its `data` decoded by the type its rule registers (a rule unknown to this
    kerasfix cannot be in a cache of this version: the entry is dropped)."""
    from kerasfix.findings import Finding, Severity
    from kerasfix.graph.model import SourceSpan
    from kerasfix.rule_registry import get_rule

    rule = get_rule(data["rule"])
    if rule is None:
        raise ValueError(f"unknown rule {data['rule']}")
    span = data["span"]
    return Finding(
        rule=data["rule"],
        severity=Severity(data["severity"]),
        message=data["message"],
        path=data["path"],
        span=SourceSpan(*span) if span else None,
        layer_path=tuple(data["layer_path"]) if data["layer_path"] is not None else None,
        data=rule.data.decode(data["data"]),
    )
