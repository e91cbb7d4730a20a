"""Source frontend: Python files into the layer graph, without importing or running them.

The lint path parses with Python's own `ast` (no code runs, and it is 10-35x faster than
a LibCST parse with position metadata on typical model scripts); LibCST is used where the
text must be rewritten losslessly, by `--fix`.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from kerasfix.frontends.base import InputError, Program
from kerasfix.frontends.source.decode import decode_source_leniently, read_bytes
from kerasfix.frontends.source.parsing import parse_module, parse_script, python2_to_3
from kerasfix.graph.model import Graph

__all__ = [
    "assumes_keras_names",
    "could_have_findings",
    "imports_a_framework",
    "is_keras1_code",
    "parse_module",
    "parse_script",
    "program_from_text",
    "python2_to_3",
    "read_source",
]


EXHAUSTED = "analysis stopped early: the file is too large or complex"


def could_have_findings(text: str) -> bool:
    """Whether `text` holds a word some registered rule needs (Rule.prefilter)."""
    from kerasfix.rule_registry import prefilter_tokens

    tokens = prefilter_tokens()
    return tokens is None or any(token in text for token in tokens)


# Frameworks other than Keras that name layers too (a bare `Flatten` could be theirs).
_OTHER_FRAMEWORKS = (
    "torch|jax|flax|haiku|trax|paddle|mxnet|gluon|theano|lasagne|tflearn|tensorlayer|chainer|"
    "sonnet|cntk|caffe2?|oneflow|mindspore|objax|equinox|elegy|mlx|tinygrad|fastai"
)
# Any deep-learning framework, or a star import (which could bind any name): a file importing
# neither is a snippet.
_FRAMEWORK_IMPORT = re.compile(
    rf"^[ \t]*(?:import|from)[ \t]+(?:tensorflow|keras|tf_keras|{_OTHER_FRAMEWORKS})\b"
    r"|^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+\*",
    re.MULTILINE,
)
_OTHER_FRAMEWORK_IMPORT = re.compile(
    rf"^[ \t]*(?:import|from)[ \t]+(?:{_OTHER_FRAMEWORKS})\b", re.MULTILINE
)


def imports_a_framework(text: str) -> bool:
    """Whether the code imports a deep-learning framework, or anything with `*` (a cheap
    line scan): `is_keras1_code` reads a snippet that imports neither as Keras's."""
    return _FRAMEWORK_IMPORT.search(text) is not None


def assumes_keras_names(text: str) -> bool:
    """Whether a layer name nothing in the file binds (`Conv2D` used bare) means Keras's:
    yes unless another framework is imported. Seen in public code: snippets that import
    only `numpy`, files that take their layer names from `from utils import *` of a project
    module importing Keras, scripts that forgot one name of their `from keras.layers import`.
    Names the file defines or imports always win."""
    return _OTHER_FRAMEWORK_IMPORT.search(text) is None


_STANDALONE_KERAS = re.compile(r"^[ \t]*(?:import[ \t]+keras\b|from[ \t]+keras\b)", re.MULTILINE)
_KERAS1_KEYWORDS = frozenset(
    {
        "border_mode",
        "subsample",
        "nb_filter",
        "nb_row",
        "nb_col",
        "init",
        "dim_ordering",
        "nb_epoch",
    }
)
_KERAS1_SPELLING = re.compile(rf"\b(?:{'|'.join(sorted(_KERAS1_KEYWORDS))})[ \t]*=")


def is_keras1_code(texts: list[str], trees: list[ast.Module]) -> bool:
    """Keras 1 code: a standalone `keras` import (or, in a snippet, no framework import) together
    with a keyword argument only Keras 1 had. Only there does `Convolution2D(64, 3, 3)` mean
    a 3x3 kernel; in tf.keras and Keras 2/3 the third positional argument is the strides."""
    joined = "\n".join(texts)
    if _KERAS1_SPELLING.search(joined) is None:  # cheap: most files stop here
        return False
    if _STANDALONE_KERAS.search(joined) is None and imports_a_framework(joined):
        return False
    return any(  # a real keyword argument, not a word in a comment or docstring
        isinstance(node, ast.keyword) and node.arg in _KERAS1_KEYWORDS
        for tree in trees
        for node in ast.walk(tree)
    )


def read_source(path: Path, prefilter: bool = True) -> Program:
    text, problem = decode_source_leniently(read_bytes(path), path)
    program = program_from_text(text, path.as_posix(), prefilter)
    if problem is not None:
        program.errors.insert(0, problem)
    return program


def program_from_text(text: str, display_path: str, prefilter: bool = True) -> Program:
    """The file's graph; with `prefilter`, a file without any word the rules need (for
    KF001/KF002, "Flatten") is not analysed (lint's shortcut: it cannot have findings).
    `inspect` wants every model, so turns it off."""
    from kerasfix.frontends.source.project_imports import imports_code_with, project_run

    if (
        prefilter
        and not could_have_findings(text)
        and not imports_code_with(text, display_path, could_have_findings)
    ):
        return Program(display_path, "source", Graph(class_name="Program"), text=text)
    from kerasfix.frontends.source.worlds import analyse_code

    tree, errors = parse_script(text, display_path)
    keras1 = functools.cache(lambda: is_keras1_code([text], [tree]))
    try:
        # The project's other files it imports (a builder's file is analysed alone too).
        with project_run(display_path, program_from_text) as project:
            analysis = analyse_code(
                [(tree, text.splitlines(), None)], assumes_keras_names(text), keras1
            )
    except RecursionError:
        raise InputError(f"{display_path}: code nested too deeply to analyse") from None
    notes = [EXHAUSTED] if analysis.exhausted else []
    depends_on = dict(project.files_read) if project is not None else {}
    if project is not None:
        notes += _sized_by_callers(project.importer, text, tree, analysis.graph, depends_on)
    return Program(
        display_path,
        "source",
        analysis.graph,
        text=text,
        notes=notes + analysis.notes,
        errors=errors,
        models=analysis.models,
        depends_on=depends_on,
    )


def _sized_by_callers(
    path: Path, text: str, tree: ast.Module, graph: Graph, depends_on: dict[str, str]
) -> list[str]:
    """Flatten sites of builders this file leaves unsized, sized by the project's files
    that call them (caller_sizes.py); what that read joins `depends_on`."""
    from kerasfix.frontends.source.caller_sizes import size_from_callers, sizing_wanted

    if not sizing_wanted():
        return []
    try:
        sizing = size_from_callers(path, text, tree, graph, program_from_text)
    except RecursionError:
        return []
    depends_on.update(sizing.depends_on)
    return sizing.notes
