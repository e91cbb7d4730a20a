"""Which Keras a file is written for, as the fix must spell a channels-first pooling layer.

Keras 1's pooling layers take `dim_ordering="th"` and refuse `data_format`; Keras 2 and later
take `data_format="channels_first"` (Keras 3 refuses `dim_ordering`). The verdict is the
source analysis's own (`is_keras1_code`: a Keras-1-only keyword argument in a real call, with
standalone Keras imported), read from the code's syntax tree, so a comment or a string that
mentions `dim_ordering`, or Keras 2's `K.set_image_dim_ordering("th")`, changes nothing.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Sequence


def speaks_keras1(units: Sequence[str]) -> bool:
    """Whether the parse units (a script's text or a notebook's cells, as LibCST sees them)
    are Keras 1 code. A file that passes `data_format=` to any call is Keras 2 or later,
    which Keras 1 would have refused."""
    from kerasfix.frontends.source import is_keras1_code

    trees = [tree for tree in map(_parse, units) if tree is not None]
    if any(
        isinstance(node, ast.keyword) and node.arg == "data_format"
        for tree in trees
        for node in ast.walk(tree)
    ):
        return False
    return is_keras1_code(list(units), trees)


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None  # a cell the analysis skipped too
