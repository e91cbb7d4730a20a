"""Where and how distillation trains: the devices (`--devices`), mixed precision
(`--mixed-precision`) and the checkpoint a stopped run continues from.

Several devices use Keras's own distribution under the TensorFlow backend,
`tf.distribute.MirroredStrategy`: the student is loaded and compiled in its scope and
`model.fit` splits each batch across the replicas (the batch size stays the global one, so
the steps and the learning-rate schedule are those of one device). One device is the plain
path, no strategy at all.

The checkpoint is written after every epoch to `<cache>/distill/<key>/` (the cache is
`KERASFIX_CACHE_DIR`, else `.kerasfix_cache` in the project root, as the lint cache), keyed
on the teacher's bytes, the student before training (its config and weights, so the
rewrite's options are in it), the data (path, sizes, modification times) and the training
options that change the result; a run with the same key continues from it. It is removed
when distillation ends for any reason but `--max-time` (the one that promises a sequel).
`KERASFIX_NO_CACHE=1` writes none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kerasfix.model_rewrite.errors import RewriteError


@dataclass
class Placement:
    """The strategy to train under (None: one device, the plain path) and what was decided."""

    strategy: Any
    replicas: int
    mixed_precision: bool
    notes: list[str]

    def scope(self) -> Any:
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()


def place(devices: str, mixed_precision: bool) -> Placement:
    """`--devices auto` mirrors over every GPU when there are several; `--devices N` takes
    the first N GPUs, else the first N logical CPU devices; 1 is the plain path."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    notes: list[str] = []
    if mixed_precision and not gpus:
        notes.append("--mixed-precision ignored: no GPU visible (trained in float32)")
        mixed_precision = False
    several = len(gpus) if len(gpus) > 1 else 1
    wanted = several if devices == "auto" else int(devices)
    if wanted <= 1:
        return Placement(None, 1, mixed_precision, notes)
    if keras.backend.backend() != "tensorflow":
        raise RewriteError(
            f"--devices {devices}: several devices need the TensorFlow backend "
            f"(KERAS_BACKEND is {keras.backend.backend()}); give --devices 1"
        )
    pool = gpus if gpus else tf.config.list_logical_devices("CPU")
    if len(pool) < wanted:
        kind = "GPU" if gpus else "CPU"
        raise RewriteError(
            f"--devices {devices}: {len(pool)} {kind} device(s) visible; give --devices "
            f"{len(pool)} or auto"
        )
    names = [d.name for d in pool[:wanted]]
    strategy = tf.distribute.MirroredStrategy(names)
    notes.append(f"trained on {wanted} devices (MirroredStrategy: {', '.join(names)})")
    return Placement(strategy, wanted, mixed_precision, notes)


def use_mixed_precision(keras: Any, model: Any) -> None:
    """Compute in float16 (variables stay float32; Keras scales the loss at compile), except
    the output layers, whose probabilities are compared in float32."""
    policy = keras.dtype_policies.DTypePolicy("mixed_float16")
    outputs = {id(layer) for layer in _output_layers(model)}
    for layer in model._flatten_layers(include_self=False):
        if id(layer) not in outputs and layer.dtype_policy.name == "float32":
            layer.dtype_policy = policy
    model.dtype_policy = policy


def _output_layers(model: Any) -> list[Any]:
    return [t._keras_history[0] for t in model.outputs if hasattr(t, "_keras_history")]


# --- checkpoint -----------------------------------------------------------------------------


def checkpoint_key(teacher: Path, student: Any, data: Path, options: dict[str, Any]) -> str:
    """A digest of everything the training's result depends on (never --max-time)."""
    digest = hashlib.sha256()
    with teacher.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(json.dumps(student.get_config(), sort_keys=True, default=str).encode())
    for weight in student.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    digest.update(_data_identity(data).encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def _data_identity(path: Path) -> str:
    """Path, sizes and modification times of the data's files (not their bytes: data sets
    are the largest input and reading them twice would double the run's reading)."""
    path = path.resolve()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    parts = [str(path)]
    for file in files:
        stat = file.stat()
        parts.append(f"{file.relative_to(path) if file != path else ''}:{stat.st_size}:"
                     f"{stat.st_mtime_ns}")  # fmt: skip
    return "\n".join(parts)


def checkpoint_dir(key: str) -> Path | None:
    """Where the run with `key` keeps its checkpoint; None with KERASFIX_NO_CACHE=1."""
    from kerasfix.cache import cache_disabled_by_env, default_cache_dir

    return None if cache_disabled_by_env() else default_cache_dir() / "distill" / key


@dataclass
class Saved:
    """A checkpoint's contents: after `epoch` epochs, the student's and the best weights,
    the optimizer's variables and the callback's state (the data order is replayed from the
    seed, as every epoch reshuffles from one generator)."""

    epoch: int
    weights: list[np.ndarray]
    best_weights: list[np.ndarray]
    optimizer: list[np.ndarray]
    watch: dict[str, Any]


def save_checkpoint(folder: Path, saved: Saved) -> None:
    """Written to a sibling and renamed into place: an interruption leaves the last one."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    try:
        _save_list(scratch / "weights.npz", saved.weights)
        _save_list(scratch / "best.npz", saved.best_weights)
        _save_list(scratch / "optimizer.npz", saved.optimizer)
        state = {"epoch": saved.epoch, "watch": saved.watch}
        (scratch / "state.json").write_text(json.dumps(state, default=_plain))
        old = folder.with_name(folder.name + ".old")
        if folder.exists():
            os.replace(folder, old)
        os.replace(scratch, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def load_checkpoint(folder: Path) -> Saved | None:
    """The checkpoint in `folder`, or None when there is none (or it cannot be read)."""
    try:
        state = json.loads((folder / "state.json").read_text())
        return Saved(
            epoch=int(state["epoch"]),
            weights=_load_list(folder / "weights.npz"),
            best_weights=_load_list(folder / "best.npz"),
            optimizer=_load_list(folder / "optimizer.npz"),
            watch=state["watch"],
        )
    except (OSError, ValueError, KeyError):
        return None


def remove_checkpoint(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _save_list(path: Path, arrays: list[Any]) -> None:
    np.savez(path, *[np.asarray(a) for a in arrays])


def _load_list(path: Path) -> list[np.ndarray]:
    with np.load(path, allow_pickle=False) as loaded:
        return [loaded[f"arr_{i}"] for i in range(len(loaded.files))]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value).__name__)
