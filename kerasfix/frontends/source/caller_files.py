"""Which files of a project may call a builder: every `.py` and `.ipynb` under the project
root whose words include the builder module's name and one of its builder names (a text
prefilter, no parse) and whose imports resolve to the builder's file (a line scan, as lint's
shortcut does), sibling files first. The set is part of the builder's cached result
(`callers_key`): a new file that calls the builder, or one that stops naming it, re-checks
the builder file; an unchanged project does not."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kerasfix.limits import MAX_CALLER_NOTEBOOK_BYTES, MAX_CALLER_SCAN, MAX_MODULE_BYTES

# A `depends_on` entry that is not a file: the candidate callers of a builder.
CALLERS_KEY = "callers\0"
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env"})
_WORD = re.compile(rb"[A-Za-z_]\w*")
LONGEST_NAME = 100  # longer "identifiers" are data (hex digests, encoded blobs), not names

# project_files.imported_files without its folder memo: the project files a text imports.
Imports = Callable[[Path, str], list[Path]]

_WORDS: dict[str, tuple[tuple[int, int], frozenset[bytes]]] = {}


@dataclass(frozen=True)
class Candidates:
    """The files that name the module and a builder, and the bound met while looking."""

    paths: tuple[Path, ...]
    bound: str | None  # which bound stopped the scan (None: every file was looked at)


def module_word(builder: Path) -> str:
    """The name an importer writes: `tools` for tools.py, the package for `__init__.py`."""
    return builder.parent.name if builder.name == "__init__.py" else builder.stem


def find_candidates(
    builder: Path, root: Path, names: tuple[str, ...], imports: Imports
) -> Candidates:
    """The `.py` files under `root` (not `builder`) whose words include the module's name
    (or its package's, when the package's `__init__.py` imports the builder: `from cnn.conv
    import LeNet`) and one of `names`, and whose imports name `builder` or that package: the
    builder's folder first, then in path order."""
    modules = [builder, *_reexporting_package(builder, imports)]
    wanted_modules = {module_word(module).encode() for module in modules}
    wanted = {name.encode() for name in names}
    files, more = python_files(str(root))
    itself = str(builder)
    found = [
        Path(name)
        for name in files
        if name != itself
        and not wanted_modules.isdisjoint(words := file_words(name))
        and not wanted.isdisjoint(words)
    ]
    bound = f"more than {MAX_CALLER_SCAN:,} .py files under {root.name}/" if more else None
    return Candidates(tuple(_importers(found, modules, imports)), bound)


def _reexporting_package(builder: Path, imports: Imports) -> list[Path]:
    """The builder's package `__init__.py` when it imports the builder's module."""
    package = builder.parent / "__init__.py"
    if builder.name == "__init__.py" or not package.is_file():
        return []
    text = code_text(package)
    return [package] if text is not None and builder in imports(package, text) else []


# root -> (each folder walked with its mtime, the first MAX_CALLER_SCAN .py files, more?)
_LISTINGS: dict[str, tuple[list[tuple[str, int]], list[str], bool]] = {}


def python_files(root: str) -> tuple[list[str], bool]:
    """The `.py` and `.ipynb` files under `root` in walk order (at most MAX_CALLER_SCAN, and whether
    there are more), memoised while no folder walked changes (a file added, removed or
    renamed changes its folder's mtime)."""
    known = _LISTINGS.get(root)
    if known is not None and all(_mtime(folder) == stamp for folder, stamp in known[0]):
        return known[1], known[2]
    folders_seen: list[tuple[str, int]] = []
    files: list[str] = []
    more = False
    for directory, folders, names in os.walk(root):
        folders[:] = sorted(f for f in folders if not (f.startswith(".") or f in SKIPPED_FOLDERS))
        folders_seen.append((directory, _mtime(directory)))
        for name in sorted(names):
            if name.endswith((".py", ".ipynb")):
                if len(files) == MAX_CALLER_SCAN:
                    more = True
                    break
                files.append(os.path.join(directory, name))
        if more:
            break
    _LISTINGS[root] = (folders_seen, files, more)
    return files, more


def _mtime(folder: str) -> int:
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return -1


def _importers(paths: list[Path], modules: list[Path], imports: Imports) -> list[Path]:
    """Those of `paths` whose imports resolve to one of `modules` (the builder, or the
    package that re-exports it), the builder's own folder's first."""
    kept = []
    for path in paths:
        text = code_text(path)
        if text is not None and not set(modules).isdisjoint(imports(path, text)):
            kept.append(path)
    return sorted(kept, key=lambda path: (path.parent != modules[0].parent, str(path)))


def code_text(path: Path) -> str | None:
    """A caller's code: the file's text, or a notebook's code (`notebook_code`)."""
    if path.suffix == ".ipynb":
        return notebook_code(path)[0]
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def notebook_code(path: Path) -> tuple[str | None, list[tuple[int, int]]]:
    """A notebook's code cells one after another as IPython runs them (magics blanked, a
    cell indented as a whole dedented), with the line each cell starts at (line, cell
    number); None for a notebook over MAX_CALLER_NOTEBOOK_BYTES or one that cannot be read."""
    from kerasfix.frontends.base import InputError
    from kerasfix.frontends.source.notebook_cells import (
        code_cells,
        dedent,
        leading_indent,
        strip_magics,
    )

    try:
        if path.stat().st_size > MAX_CALLER_NOTEBOOK_BYTES:
            return None, []
        cells = code_cells(path.read_bytes(), path.as_posix())
    except (OSError, InputError):
        return None, []
    lines: list[str] = []
    starts: list[tuple[int, int]] = []
    for number, source in enumerate(cells, start=1):
        if source.strip():
            text = strip_magics(source)
            starts.append((len(lines) + 1, number))
            lines.extend(dedent(text, leading_indent(text)).split("\n"))
    return "\n".join(lines), starts


def file_words(path: str) -> frozenset[bytes]:
    """The identifiers in a file (a notebook's code cells only), memoised on its size and
    mtime."""
    try:
        info = os.stat(path)
    except OSError:
        return frozenset()
    stamp = (info.st_mtime_ns, info.st_size)
    known = _WORDS.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    words: frozenset[bytes] = frozenset()
    notebook = path.endswith(".ipynb")
    if info.st_size <= (MAX_CALLER_NOTEBOOK_BYTES if notebook else MAX_MODULE_BYTES):
        # a notebook's code cells only: its outputs (base64 images, logs) are megabytes of
        # "words" no import names, and kept for every file they would fill the memory
        code = _code_bytes(path, notebook)
        words = frozenset(w for w in _WORD.findall(code) if len(w) <= LONGEST_NAME)
    _WORDS[path] = (stamp, words)
    return words


def _code_bytes(path: str, notebook: bool) -> bytes:
    if notebook:
        code = code_text(Path(path))
        return code.encode() if code is not None else b""
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError:
        return b""


def callers_key(builder: Path, root: Path, names: tuple[str, ...]) -> str:
    """The `depends_on` key standing for the candidate set of `builder`'s `names`."""
    return CALLERS_KEY + "\0".join([str(builder), str(root), *names])


def candidates_digest(candidates: Candidates) -> str:
    text = "\n".join([*(str(path) for path in candidates.paths), candidates.bound or ""])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def current_digest(key: str, imports: Imports) -> str:
    """The candidate set's digest now, for a `depends_on` key made by `callers_key`."""
    builder, root, *names = key[len(CALLERS_KEY) :].split("\0")
    found = find_candidates(Path(builder), Path(root), tuple(names), imports)
    return candidates_digest(found)
