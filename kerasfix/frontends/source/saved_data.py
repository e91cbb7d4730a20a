"""Data a project saves to a file and loads back: the sample shape survives the round trip.

A common tutorial layout (sentdex's "X.pickle") builds the data in one script or notebook,
`pickle.dump(X, open("X.pickle", "wb"))` after `X = np.array(X).reshape(-1, 50, 50, 1)`, and
trains in another: `X = pickle.load(open("X.pickle", "rb"))`, `input_shape=X.shape[1:]`.
The loaded samples have the shape the writer gave them. The writer is this file (an
earlier line or cell) or a file of the project that writes that file name, run alone,
statically, to learn what it saves; anything it does not fix stays unknown.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.file_handles import file_name, named_file
from kerasfix.frontends.source.sample_arrays import sample_of
from kerasfix.limits import MAX_SAVER_FILES

# Calls that write one array or object to a file: where the file and the value are.
SAVERS = {"numpy.save": (0, 1), "joblib.dump": (1, 0), "pickle.dump": (1, 0)}
LOADERS = frozenset({"numpy.load", "joblib.load", "pickle.load"})
_WRITER_WORDS = (b"save", b"dump")
_running: set[str] = set()  # writers being run: a writer that loads its own file stops here
# File name -> (sample shape, line) of the data one file saves.
Saves = dict[str, tuple[tuple[int, ...], int]]
# What a writer file (path, digest) saves, once per process.
_MEMO: dict[tuple[str, str], Saves] = {}


def saved(qualname: str, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, Any] | None:
    """(file name, samples) a save call writes, when both are known."""
    positions = SAVERS.get(qualname.replace("np.", "numpy.", 1))
    if positions is None:
        return None
    where, what = positions
    name = named_file(args[where] if len(args) > where else kwargs.get("file"))
    value = args[what] if len(args) > what else kwargs.get("arr", kwargs.get("value"))
    sample = sample_of(value)
    if name is None or sample is None:
        return None
    return name, sample


def loaded_file(qualname: str, args: list[Any], kwargs: dict[str, Any]) -> str | None:
    """The file name a load call reads, when known."""
    if qualname.replace("np.", "numpy.", 1) not in LOADERS:
        return None
    return named_file(args[0] if args else kwargs.get("file"))


def samples(sample: tuple[int, ...], loader: str, line: int, saved_at: str) -> DataValue:
    return DataValue(sample, f"{loader}() (line {line}) of what {saved_at} saves")


def writers(files: list[str], name: str, skip: str) -> list[str]:
    """Project files that may write `name`: they spell its words and save or dump."""
    from kerasfix.frontends.source import caller_files

    wanted = {w.encode() for w in re.findall(r"[A-Za-z_]\w*", name)}
    found = []
    for path in files:
        words = caller_files.file_words(path)
        if path != skip and wanted <= words and any(w in words for w in _WRITER_WORDS):
            found.append(path)
            if len(found) >= MAX_SAVER_FILES:
                break
    return found


def writes_file(tree: ast.Module, name: str) -> int | None:
    """The line naming the file `name` in a module that saves or dumps something, if any
    (`pickle_out = open("X.pickle", "wb")` then `pickle.dump(X, pickle_out)`)."""
    if not any(isinstance(node, ast.Call) and _saves(node) for node in ast.walk(tree)):
        return None
    for node in ast.walk(tree):
        literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if literal and file_name(node.value) == name:  # type: ignore[attr-defined]
            return node.lineno
    return None


def start_writer(path: str) -> bool:
    """Mark `path` as being run for what it saves; False when it already is."""
    if path in _running:
        return False
    _running.add(path)
    return True


def end_writer(path: str) -> None:
    _running.discard(path)


def _saves(call: ast.Call) -> bool:
    func = call.func
    leaf = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return leaf in ("save", "dump")


def saved_by_project(
    importer: Path, name: str, run: Callable[[Any], Saves]
) -> tuple[Any, tuple[int, ...], int] | None:
    """(module, samples, line) of the first project file (script or notebook) that saves
    samples of a known shape to `name`; `run` runs a candidate alone and returns its saves."""
    from kerasfix.frontends.source import caller_files, project_files

    files, _more = caller_files.python_files(str(project_files.search_root(importer)))
    for path in writers(files, name, str(importer)):
        module = _writer_module(path)
        if module is None or writes_file(module.tree, name) is None or not start_writer(path):
            continue
        try:
            key = (str(module.path), module.digest)
            if key not in _MEMO:
                _MEMO[key] = run(module)
            found = _MEMO[key].get(name)
        finally:
            end_writer(path)
        if found is not None:
            return module, *found
    return None


def _writer_module(path: str) -> Any:
    """The file as the interpreter runs it: a script, or a notebook's cells in order."""
    from kerasfix.frontends.source import caller_files, project_files
    from kerasfix.frontends.source.parsing import parse_script

    if not path.endswith(".ipynb"):
        module = project_files.read_module(Path(path), path)
        return module if isinstance(module, project_files.ModuleFile) else None
    text, _starts = caller_files.notebook_code(Path(path))
    if text is None:
        return None
    try:
        tree, _skipped = parse_script(text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    digest = project_files.file_digest(Path(path))
    return project_files.ModuleFile(Path(path), path, tree, text.splitlines(), digest, {}, text)
