"""Which file of the project an import names, and that file read once per process.

Python would find `from config import IMG_SIZE` on `sys.path`; kerasfix reads the same file
without importing it. The places searched are the importing file's folder (`sys.path[0]` of a
script), the project root (the nearest folder with `pyproject.toml` or `.git`, as Ruff finds
it) and the configured `src` folders (kerasfix's `src` key, as Ruff's: default the root and
`root/src`). A module found nowhere there is not the project's (a library): it stays a name.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kerasfix.limits import MAX_CALLER_NOTEBOOK_BYTES, MAX_MODULE_BYTES

# Modules that are never a project file, even if a folder of that name exists.
FRAMEWORKS = frozenset(
    {"keras", "tensorflow", "tf_keras", "numpy", "torch", "jax", "sklearn", "cv2", "PIL"}
)
ROOT_MARKERS = ("pyproject.toml", ".git")


@dataclass
class ModuleFile:
    """One project file, parsed: what the interpreter runs when it is imported."""

    path: Path
    display: str
    tree: ast.Module
    lines: list[str]
    digest: str
    definitions: dict[str, int] = field(default_factory=dict)  # top-level name -> line
    text: str = ""
    # A notebook's cells joined into one text: (first line, cell number) of each cell.
    cell_starts: tuple[tuple[int, int], ...] = ()

    def place(self, line: int) -> str:
        """Where `line` of the text is, as a message names it (`nb.ipynb:cell 3:2`)."""
        for first, cell in reversed(self.cell_starts):
            if line >= first:
                return f"{self.display}:cell {cell}:{line - first + 1}"
        return f"{self.display}:{line}"


@dataclass(frozen=True)
class NotRead:
    """Why a project file was not read (too large, not decodable, not parsable)."""

    reason: str


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def files_unchanged(depends_on: dict[str, str], memo: dict[str, str] | None = None) -> bool:
    """Whether every file a stored result read (absolute path -> digest) still has those
    bytes; `memo` keeps each file's digest for a run with many importers of one file."""
    memo = {} if memo is None else memo
    for name, digest in depends_on.items():
        current = memo.get(name)
        if current is None:
            current = memo[name] = _current_digest(name)
        if current != digest:
            return False
    return True


def _current_digest(name: str) -> str:
    """A file's digest now, or for the candidate callers of a builder (caller_files.py),
    that set's digest now."""
    from kerasfix.frontends.source import caller_files

    if name.startswith(caller_files.CALLERS_KEY):
        return caller_files.current_digest(name, importer_of)
    return file_digest(Path(name))


def file_digest(path: Path) -> str:
    """The digest of a file's bytes now ("" when gone: whatever read it is checked again)."""
    try:
        return content_digest(path.read_bytes())
    except OSError:
        return ""


_MEMO: dict[Path, tuple[tuple[int, int], ModuleFile | NotRead]] = {}


def read_module(path: Path, display: str) -> ModuleFile | NotRead:
    """The parsed file, memoised per process on its size and mtime (an editor saving it
    is seen at the next analysis; a run over 200 modules parses each once)."""
    try:
        info = path.stat()
    except OSError as exc:
        return NotRead(f"{display} cannot be read ({exc.strerror or exc})")
    stamp = (info.st_mtime_ns, info.st_size)
    known = _MEMO.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    result = _read(path, display, info.st_size)
    _MEMO[path] = (stamp, result)
    return result


def _read(path: Path, display: str, size: int) -> ModuleFile | NotRead:
    # a notebook's outputs (plots) make it large: it is bounded as callers' notebooks are
    limit = MAX_CALLER_NOTEBOOK_BYTES if path.suffix == ".ipynb" else MAX_MODULE_BYTES
    if size > limit:
        return NotRead(f"{display} is larger than {limit:,} bytes, not read")
    from kerasfix.frontends.source.decode import decode_source_leniently, read_bytes
    from kerasfix.frontends.source.parsing import parse_script

    try:
        raw = read_bytes(path)
        starts: list[tuple[int, int]] = []
        if path.suffix == ".ipynb":  # `%run data_prep.ipynb`: its code cells, in order
            from kerasfix.frontends.source.notebook_cells import code_cells, strip_magics

            cells = [strip_magics(cell) for cell in code_cells(raw, display)]
            first = 1
            for number, cell in enumerate(cells, start=1):
                starts.append((first, number))
                first += cell.count("\n") + 1
            text = "\n".join(cells)
        else:
            text, _ = decode_source_leniently(raw, path)
        # as the file itself is read when linted: Python 2 statements rewritten, magics
        # blanked, a statement that does not parse skipped (an imported Keras 1 builder)
        tree, _skipped = parse_script(text, display)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return NotRead(f"{display} cannot be read ({type(exc).__name__})")
    except Exception as exc:  # an InputError of the decoder: one line, never a traceback
        return NotRead(f"{display} cannot be read ({exc})")
    lines = text.splitlines()
    digest = content_digest(raw)
    return ModuleFile(path, display, tree, lines, digest, _defined(tree), text, tuple(starts))


def _defined(tree: ast.Module) -> dict[str, int]:
    """Line of the last top-level binding of each name (what a message points at)."""
    lines: dict[str, int] = {}
    for stmt in tree.body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
            targets = [stmt.target]
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            lines[stmt.name] = stmt.lineno
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    lines[node.id] = stmt.lineno
    return lines


def project_root(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` with `pyproject.toml` or `.git`."""
    for directory in (folder, *folder.parents):
        if any((directory / marker).exists() for marker in ROOT_MARKERS):
            return directory
    return None


def search_root(path: Path) -> Path:
    """Where a file's project is searched (for its callers, for who saved what it loads):
    the project root (as for imports), else the working folder it lies in, else its folder."""
    return import_root(path.parent) or path.parent


def import_root(folder: Path) -> Path | None:
    """The root project imports resolve against: the nearest `pyproject.toml`/`.git`
    folder, else the working folder when `folder` lies inside it."""
    return project_root(folder) or working_root(folder)


def working_root(folder: Path) -> Path | None:
    """Without a `pyproject.toml` or `.git` above it, the working folder is the project root
    when `folder` lies inside it, as in Ruff (`kerasfix lint .` run at a checkout's top, or a
    folder copied without its `.git`)."""
    try:
        cwd = Path.cwd().resolve()
        folder.resolve().relative_to(cwd)
    except (OSError, ValueError):
        return None
    return cwd


def configured_src(folder: Path) -> tuple[Path, ...] | None:
    """The `src` folders of the kerasfix configuration that governs `folder`, resolved
    against the configuration file's folder (None: not configured)."""
    from kerasfix.config import ConfigError, find_config, read_table

    try:
        found = find_config(folder)
        table = read_table(found) if found is not None else None
    except ConfigError:
        return None  # the run itself reports a broken configuration
    if not table or "src" not in table:
        return None
    entries = table["src"]
    if not isinstance(entries, list):
        return None  # validated (a list of strings) when the run reads the configuration
    assert found is not None
    return tuple((found.parent / str(entry)).resolve() for entry in entries)


def search_folders(importer: Path, memo: dict[Path, tuple[Path, ...]]) -> tuple[Path, ...]:
    """Where `import name` looks for `name` from the file `importer` (absolute path);
    `memo` holds the answer per folder for one analysis (configuration is read afresh by
    the next one, so an editor sees a changed `src`)."""
    folder = importer.parent
    known = memo.get(folder)
    if known is not None:
        return known
    root = import_root(folder)
    folders = [folder]
    src = configured_src(folder)
    if src is not None:
        folders.extend(src)
    elif root is not None:
        folders.extend([root, root / "src"])
    unique: list[Path] = []
    for candidate in folders:
        if candidate not in unique and candidate.is_dir():
            unique.append(candidate)
    memo[folder] = tuple(unique)
    return memo[folder]


def module_file(folder: Path, parts: list[str]) -> Path | None:
    """`a/b.py` or `a/b/__init__.py` under `folder` for the dotted name `a.b`."""
    base = folder.joinpath(*parts) if parts else folder
    if parts:
        single = base.with_name(base.name + ".py")
        if single.is_file():
            return single
    package = base / "__init__.py"
    if package.is_file():
        return package
    return None


def is_package_folder(folder: Path, parts: list[str]) -> bool:
    """A namespace package (a folder without `__init__.py`) is a module too."""
    return bool(parts) and folder.joinpath(*parts).is_dir()


def resolve(
    importer: Path, module: str, level: int, memo: dict[Path, tuple[Path, ...]]
) -> tuple[Path, list[str]] | None:
    """The search folder and dotted parts of `module` imported from `importer`, if it is a
    project module (a file or a folder there); None for anything else (a library)."""
    parts = [part for part in module.split(".") if part]
    if level:
        folder = importer.parent
        for _ in range(level - 1):
            folder = folder.parent
        if module_file(folder, parts) or is_package_folder(folder, parts) or not parts:
            return folder, parts
        return None
    if not parts or parts[0] in FRAMEWORKS:
        return None
    for folder in search_folders(importer, memo):
        if module_file(folder, parts) or is_package_folder(folder, parts):
            return folder, parts
    for folder in source_roots(importer):
        if module_file(folder, parts) or _python_package(folder, parts):
            return folder, parts
    return None


def _python_package(folder: Path, parts: list[str]) -> bool:
    """A folder of Python files named as imported (`from CNN import constants` with
    `code/CNN/constants.py` and no `__init__.py`): a namespace package, as Python 3 reads it."""
    package = folder.joinpath(*parts)
    try:
        return package.is_dir() and any(package.glob("*.py"))
    except OSError:
        return False


def source_roots(importer: Path) -> tuple[Path, ...]:
    """The importer's ancestor folders up to its project root: where an IDE's source root
    or `PYTHONPATH` puts a package that scripts in deeper folders import
    (`src/ml/support/nn/lenet.py` imported as `support.nn.lenet` from `src/ml/cnn/`); a
    module file, or a folder of Python files, must exist there."""
    root = import_root(importer.parent)
    if root is None:
        return ()
    found = []
    for folder in importer.parent.parents:
        try:
            folder.relative_to(root)
        except ValueError:
            break
        found.append(folder)
    return tuple(found)


def display_path(path: Path, importer: Path) -> str:
    """A project file as messages name it: relative to the working folder when inside it,
    else to the importing file's project root (else its folder)."""
    for base in (Path.cwd(), project_root(importer.parent) or importer.parent):
        try:
            return path.relative_to(base.resolve()).as_posix()
        except (ValueError, OSError):
            continue
    return path.as_posix()


def importer_of(path: Path, text: str) -> list[Path]:
    """`imported_files` with a fresh folder memo (configuration read afresh)."""
    return imported_files(path, text, {})


_IMPORTS = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import\b([ \t\w,()]*)|import[ \t]+([\w.]+))",
    re.MULTILINE,
)


def imported_files(importer: Path, text: str, memo: dict[Path, tuple[Path, ...]]) -> list[Path]:
    """The project files `text` (the code of `importer`) imports by name, found by a line
    scan (no parse): what lint's shortcut for files without a word the rules need asks."""
    found: list[Path] = []
    for match in _IMPORTS.finditer(text):
        name = match.group(1) if match.group(1) is not None else match.group(3)
        level = len(name) - len(name.lstrip("."))
        resolved = resolve(importer, name.lstrip("."), level, memo)
        if resolved is None:
            continue
        folder, parts = resolved
        path = module_file(folder, parts)
        if path is not None:
            found.append(path.resolve())
        # `from models import net`: the names imported may be modules of the package
        for imported in re.findall(r"\w+", match.group(2) or ""):
            submodule = module_file(folder, [*parts, imported]) if imported != "as" else None
            if submodule is not None and submodule.suffix == ".py":
                found.append(submodule.resolve())
    return found
