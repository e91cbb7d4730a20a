"""Fuzz the notebook frontend: mutated real notebooks, wrong types, missing keys, bad cells."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.hardening.conftest import NOTEBOOK_FIXTURES, SOURCE_FIXTURES, assert_handled, budget
from tests.hardening.jsonfuzz import json_op, json_value, mutate_json
from tests.hardening.test_fuzz_source import TOKENS, mutate, mutation

NOTEBOOKS = [json.loads(path.read_text()) for path in NOTEBOOK_FIXTURES]
SOURCES = [path.read_text() for path in SOURCE_FIXTURES]


def notebook_of(cells: list[Any], nbformat: Any = 4) -> dict[str, Any]:
    return {"cells": cells, "metadata": {}, "nbformat": nbformat, "nbformat_minor": 5}


def write(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, allow_nan=True))


@budget(800)
@given(index=st.integers(0, len(NOTEBOOKS) - 1), ops=st.lists(json_op, min_size=1, max_size=6))
def test_mutated_notebooks(scratch: Path, index: int, ops: list[Any]) -> None:
    path = scratch / "mutated.ipynb"
    write(path, mutate_json(NOTEBOOKS[index], ops))
    assert_handled(path, "notebook")


@budget(500)
@given(
    sources=st.lists(
        st.tuples(st.integers(0, len(SOURCES) - 1), st.lists(mutation, max_size=4)),
        min_size=1,
        max_size=5,
    ),
    magic=st.sampled_from(["", "%matplotlib inline\n", "!pip install x\n", "%%bash\n", "x?\n"]),
    as_list=st.booleans(),
)
def test_cells_of_mutated_source(
    scratch: Path, sources: list[tuple[int, list[Any]]], magic: str, as_list: bool
) -> None:
    cells = []
    for index, ops in sources:
        text = magic + mutate(SOURCES[index].encode(), ops).decode("utf-8", "replace")
        source: Any = text.splitlines(keepends=True) if as_list else text
        cells.append({"cell_type": "code", "source": source, "metadata": {}, "outputs": []})
    path = scratch / "cells.ipynb"
    write(path, notebook_of(cells))
    assert_handled(path, "notebook")


cell = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {"cell_type": st.sampled_from(["code", "markdown", "raw", None, 3]), "source": json_value}
    ),
    st.fixed_dictionaries(
        {
            "cell_type": st.just("code"),
            "source": st.lists(
                st.one_of(
                    st.sampled_from(TOKENS).map(lambda t: t.decode("utf-8", "replace")), json_value
                )
            ),
        }
    ),
)


@budget(500)
@given(
    cells=st.one_of(json_value, st.lists(cell, max_size=6)),
    worksheets=st.booleans(),
    nbformat=json_value,
)
def test_wrong_types_and_missing_keys(
    scratch: Path, cells: Any, worksheets: bool, nbformat: Any
) -> None:
    document: Any = notebook_of(cells, nbformat)
    if worksheets:
        document = {"worksheets": [{"cells": cells}, cells, None], "nbformat": 3}
    path = scratch / "types.ipynb"
    write(path, document)
    assert_handled(path, "notebook")


@budget(300)
@given(data=st.binary(max_size=1500))
def test_random_bytes(scratch: Path, data: bytes) -> None:
    path = scratch / "random.ipynb"
    path.write_bytes(data)
    assert_handled(path, "notebook")


def test_deeply_nested_json(tmp_path: Path) -> None:
    path = tmp_path / "deep.ipynb"
    path.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert_handled(path, "notebook")
