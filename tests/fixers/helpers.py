"""Shared helpers: run the CLI in-process, copy fixtures, compare before/after."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

from kerasfix.cli import main
from kerasfix.frontends.notebook import code_cells, strip_magics
from kerasfix.runner import lint_paths

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
SOURCE_FIXTURES = sorted((FIXTURES / "source").glob("*.py"))
NOTEBOOK_FIXTURES = sorted((FIXTURES / "notebooks").glob("*.ipynb"))
ALL_FIXTURES = SOURCE_FIXTURES + NOTEBOOK_FIXTURES
POOLING = re.compile(r"Global(?:Average|Max)Pooling[123]D")


def run(args: list[str], capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def copy(fixture: Path, tmp_path: Path) -> Path:
    target = tmp_path / fixture.name
    shutil.copyfile(fixture, target)
    return target


def findings(path: Path, rule: str | None = None) -> list:  # type: ignore[type-arg]
    found = lint_paths([path]).findings
    return [f for f in found if rule is None or f.rule == rule]


def units(path: Path) -> list[str]:
    """A script's text, or a notebook's code cells."""
    data = path.read_bytes()
    if path.suffix == ".ipynb":
        return code_cells(data, str(path))
    return [path.read_text(encoding="utf-8")]


def assert_parses(path: Path) -> None:
    for text in units(path):
        if path.suffix == ".ipynb":
            text = strip_magics(text)
        try:
            ast.parse(text)
        except SyntaxError:
            from kerasfix.frontends.source import python2_to_3

            ast.parse(python2_to_3(text))


def is_import(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("from ", "import ")) or (
        bool(stripped) and re.fullmatch(r"[\w\s,()]+", stripped) is not None
    )


def notebook_json(cells: list[str], *, indent: int = 1, ensure_ascii: bool = False) -> str:
    document = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {"tags": ["é"]},
                "outputs": [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}],
                "source": cell.splitlines(keepends=True),
            }
            for cell in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=indent, ensure_ascii=ensure_ascii)
