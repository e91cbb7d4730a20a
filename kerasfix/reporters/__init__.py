"""Reporters render a `LintResult` in one output format; looked up by name."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from kerasfix.results import LintResult

Reporter = Callable[["LintResult", TextIO], None]

# format name -> module implementing `report(result, stream)`; imported only when used.
FORMATS: dict[str, str] = {
    "text": "kerasfix.reporters.text",
    "json": "kerasfix.reporters.json_report",
    "json-lines": "kerasfix.reporters.json_lines",
    "github": "kerasfix.reporters.github",
    "gitlab": "kerasfix.reporters.gitlab",
    "sarif": "kerasfix.reporters.sarif",
    "junit": "kerasfix.reporters.junit",
}


def get_reporter(name: str) -> Reporter:
    return import_module(FORMATS[name]).report  # type: ignore[no-any-return]
