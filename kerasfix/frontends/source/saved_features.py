"""Model outputs used as another model's input: the "bottleneck features" recipe.

Transfer-learning scripts (Keras's own 2016 blog recipe and its many copies) run a headless
application once, `np.save` what its `predict` returns, and later train a small head on
`np.load` of that file: `Flatten(input_shape=train_data.shape[1:])` -> `Dense(256)`. The
head's input is then a feature map (VGG16's is 512 channels deep) whose size is fixed at run
time, not a raw input: KF002, not silence. Only a file that both saves the predictions of
an `include_top=False` application and loads an array counts; a file that loads raw images
for an MLP does not match. Read from the syntax alone, once per file, when `np.load` is met.
The same holds without the file in between: `features = encoder.predict(x)` then
`Input(shape=features.shape[1:])`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasfix.frontends.source.file_handles import file_name
from kerasfix.graph.model import Unknown
from kerasfix.layers.applications import ARCHITECTURES
from kerasfix.limits import MAX_SAVER_FILES

if TYPE_CHECKING:
    from kerasfix.frontends.source.project_files import ModuleFile

SAVERS = {"save", "savez", "savez_compressed"}  # np.save(file, arrays...): values after the file
DUMPERS = {"dump"}  # joblib.dump(value, file), pickle.dump(value, file): the value first
LOADERS = frozenset({"numpy.load", "np.load", "joblib.load", "pickle.load"})
PREDICTS = {"predict", "predict_generator", "predict_on_batch"}


@dataclass(frozen=True, eq=False)
class ModelFeatures(Unknown):
    """Data that holds a model's outputs, of a size fixed at run time: what a model's
    `predict` returns, or `np.load` data in a file that saves a headless application's
    predictions. An input sized by it is a feature map, not a raw input."""


def predicted(model: str, line: int) -> ModelFeatures:
    """What `model.predict(...)` at `line` returns."""
    return ModelFeatures(
        f"the input is what {model}.predict returns (line {line}), of a size known at run time"
    )


def loaded(line: int, saved_at: int | str, loader: str = "np.load") -> ModelFeatures:
    """What a load at `line` returns when features are saved at `saved_at` (a line of this
    file, or `file:line` of another)."""
    if isinstance(saved_at, int):
        tail = f"which this file saves from a headless application's predictions (line {saved_at})"
    else:
        tail = f"which {saved_at} saves from a headless application's predictions"
    return ModelFeatures(f"the input is data loaded at run time ({loader}, line {line}), {tail}")


def loaded_name(call: ast.Call) -> str | None:
    """The file name a load reads: `np.load("f.npy")`, `pickle.load(open("f.dat", "rb"))`."""
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Call) and _called_leaf(first) == "open" and first.args:
        first = first.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
        return file_name(first.value)
    return None


def loaded_features(trees: Iterable[ast.Module], name: str | None = None) -> int | None:
    """The line of the first save (np.save/np.savez, joblib/pickle dump) of a headless
    application's predictions; with `name`, only one that writes a file of that name."""
    trees = list(trees)
    backbones = {bound for tree in trees for bound in _headless_names(tree)}
    if not backbones:
        return None
    predictions: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            value, targets = _bound(node)
            if value is not None and _predicts(value, backbones):
                predictions.update(targets)
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or (saved := _saved_values(node)) is None:
                continue
            if name is not None and not _writes(node, name):
                continue
            if any(_is_prediction(v, backbones, predictions) for v in saved):
                return node.lineno
    return None


def saved_elsewhere(importer: Path, name: str) -> tuple[ModuleFile, int] | None:
    """The project file (and line) that saves a headless application's predictions to a file
    called `name`, looked for among the project's files that spell its words (bounded)."""
    from kerasfix.frontends.source import caller_files, project_files

    wanted = {w.encode() for w in re.findall(r"[A-Za-z_]\w*", name)} | {b"include_top"}
    files, _more = caller_files.python_files(str(project_files.search_root(importer)))
    read = 0
    for path in files:
        if path == str(importer) or not wanted <= caller_files.file_words(path):
            continue
        module = project_files.read_module(Path(path), path)
        read += 1
        if isinstance(module, project_files.ModuleFile):
            line = loaded_features([module.tree], name)
            if line is not None:
                return module, line
        if read >= MAX_SAVER_FILES:
            break
    return None


def _saved_values(call: ast.Call) -> list[ast.expr] | None:
    leaf = _called_leaf(call)
    if leaf in SAVERS:
        return [*call.args[1:], *(k.value for k in call.keywords if k.arg != "file")]
    if leaf in DUMPERS:
        return [*call.args[:1], *(k.value for k in call.keywords if k.arg == "value")]
    return None


def _writes(call: ast.Call, name: str) -> bool:
    """Whether a save call names a file called `name` (a literal, or `open(literal)`)."""
    return any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and file_name(node.value) == name
        for node in ast.walk(call)
    )


def model_features_in(value: Any) -> ModelFeatures | None:
    """The model outputs a declared input shape (or one of its dimensions) came from."""
    if isinstance(value, ModelFeatures):
        return value
    items = getattr(value, "items", value)
    if isinstance(items, tuple | list):
        return next((d for d in items if isinstance(d, ModelFeatures)), None)
    return None


def _headless_names(tree: ast.Module) -> Iterable[str]:
    """Names bound to `VGG16(include_top=False, ...)` (any known application)."""
    for node in ast.walk(tree):
        value, targets = _bound(node)
        if isinstance(value, ast.Call) and _called_leaf(value) in ARCHITECTURES:
            top = next((k.value for k in value.keywords if k.arg == "include_top"), None)
            if isinstance(top, ast.Constant) and top.value is False:
                yield from targets


def _bound(node: ast.AST) -> tuple[ast.expr | None, list[str]]:
    """(value, names or attribute names it is bound to) for `x = v`, `self.x = v`, and
    `xs.append(v)` (a list of predictions collected batch by batch)."""
    if isinstance(node, ast.Assign):
        return node.value, [n for t in node.targets if (n := _name(t))]
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return node.value, [n] if (n := _name(node.target)) else []
    if isinstance(node, ast.Call) and _called_leaf(node) == "append" and node.args:
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        return node.args[0], [n] if receiver is not None and (n := _name(receiver)) else []
    return None, []


def _name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return None


def _called_leaf(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _predicts(value: ast.expr, backbones: set[str]) -> bool:
    """Whether `value` holds a call of a headless application's predict method."""
    for node in ast.walk(value):
        if isinstance(node, ast.Call) and _called_leaf(node) in PREDICTS:
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            if receiver is not None and _name(receiver) in backbones:
                return True
    return False


def _is_prediction(value: ast.expr, backbones: set[str], predictions: set[str]) -> bool:
    if _predicts(value, backbones):
        return True
    return any(
        isinstance(n, ast.Name | ast.Attribute) and _name(n) in predictions for n in ast.walk(value)
    )
