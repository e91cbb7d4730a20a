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

# Spellings Keras 2 introduced: code using one is not Keras 1, whatever else it says.
_KERAS2_NAMES = frozenset({"set_image_data_format", "image_data_format"})


def speaks_keras1(units: Sequence[str]) -> bool:
    """Whether the parse units (a script's text or a notebook's cells, as LibCST sees them)
    are Keras 1 code. A file that passes `data_format=` to any call, or reads or sets the
    image data format by its Keras 2 name, is Keras 2 or later."""
    from kerasfix.frontends.source import is_keras1_code

    trees = [tree for tree in map(_parse, units) if tree is not None]
    if any(_keras2_spelling(node) for tree in trees for node in ast.walk(tree)):
        return False
    return is_keras1_code(list(units), trees)


def _keras2_spelling(node: ast.AST) -> bool:
    if isinstance(node, ast.keyword):
        return node.arg == "data_format"
    if isinstance(node, ast.Attribute):
        return node.attr in _KERAS2_NAMES
    return isinstance(node, ast.Name) and node.id in _KERAS2_NAMES


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None  # a cell the analysis skipped too
