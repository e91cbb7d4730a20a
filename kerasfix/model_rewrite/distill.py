"""`--init distill`: teach the rewritten model to answer as the original does, on the user's data.

The new Dense is first calibrated (ridge fit, `calibrate.py`); then the rewritten model (the
student) is trained with Keras's own `model.fit` to match the original model's (the
teacher's) outputs: its softmax probabilities as soft targets for a classifier (KL
divergence), its sigmoid outputs for binary cross-entropy, and its raw outputs (mean squared
error) for anything else. No labels are needed. A seeded held-out part of the data measures
top-1 agreement after every epoch; the best epoch's weights are kept and training stops when
agreement has not improved for `patience` epochs or `max_time` is spent. Because training is
`model.fit` on a `keras.utils.PyDataset`, whatever devices and distribution Keras is set up
with are used unchanged.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kerasfix.kerasfile.keras_archive import write_archive
from kerasfix.model_rewrite.atomic import AtomicFile
from kerasfix.model_rewrite.calibrate import Data, load_keras_model, load_model_path
from kerasfix.model_rewrite.data import Inputs, open_inputs, split
from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.fidelity import fidelity, score
from kerasfix.model_rewrite.keras_runtime import jit_compile

CALIBRATION_ROWS = 4096  # the ridge fit needs no more; bounds the feature maps held at once


@dataclass
class DistillOptions:
    epochs: int = 10
    max_time: float | None = None  # seconds of training
    train: str = "all"  # "all" | "head"
    batch_size: int = 64
    holdout: float = 0.1
    learning_rate: float = 3e-4  # Adam; 1e-3 upsets a trained trunk in the first epochs
    patience: int = 5


@dataclass
class Prepared:
    """The data split once, shared by the calibration and the training."""

    inputs: Inputs
    train: np.ndarray
    heldout: np.ndarray
    calibration: Data


@dataclass
class DistillResult:
    epochs_run: int = 0
    seconds: float = 0.0
    train_samples: int = 0
    heldout_samples: int = 0
    loss: str = ""
    trained: str = "all"
    stopped: str = ""
    calibrated: dict[str, float] = field(default_factory=dict)  # held-out, before training
    history: list[float] = field(default_factory=list)  # held-out score per epoch


def prepare(path: Path, model_path: Path, holdout: float, seed: int) -> Prepared:
    """Open the data, split it, and load the calibration rows (a bounded sample of train)."""
    shape = _input_shape(model_path)
    inputs = open_inputs(path, shape)
    found = tuple(getattr(inputs.x, "shape", ())[1:])
    if shape is not None and found and found != shape:
        raise RewriteError(f"{path}: samples of shape {found}; the model takes {shape}")
    train, heldout = split(len(inputs), holdout, seed)
    rng = np.random.default_rng(seed + 1)
    cal_train = np.sort(rng.permutation(train)[:CALIBRATION_ROWS])
    cal_test = heldout[: max(1, CALIBRATION_ROWS // 4)]
    x = inputs.rows(np.concatenate([cal_train, cal_test]))
    rows = np.arange(len(x))
    calibration = Data(x, None, rows[: len(cal_train)], rows[len(cal_train) :])
    return Prepared(inputs, train, heldout, calibration)


def _input_shape(model_path: Path) -> tuple[int, ...] | None:
    """The model's single input shape without the batch axis, from the architecture only."""
    from kerasfix.frontends.saved_model import graph_from_config
    from kerasfix.graph.inference import infer
    from kerasfix.kerasfile.model_file import load_model_file

    graph = infer(graph_from_config(load_model_file(model_path).config))
    inputs = graph.inputs
    if len(inputs) != 1 or inputs[0].output_shape is None:
        return None
    dims = inputs[0].output_shape[1:]
    return None if any(d is None for d in dims) else tuple(int(d) for d in dims)


def distill(
    out: AtomicFile, suffix: str, src: Path, prepared: Prepared, options: DistillOptions, seed: int
) -> tuple[dict[str, float], DistillResult]:
    """Train the written output in place; (held-out fidelity of the final file, the run)."""
    import keras

    keras.utils.set_random_seed(seed)
    teacher = load_keras_model(str(src))
    inputs = prepared.inputs
    targets = _predict(teacher, inputs, np.arange(len(inputs)), options.batch_size)
    del teacher
    heldout_targets = [t[prepared.heldout] for t in targets]
    labels = inputs.y[prepared.heldout] if inputs.y is not None else None
    with _loaded(out, suffix) as student:
        losses = [_loss(keras, layer) for layer in _output_layers(student)]
        result = DistillResult(
            train_samples=len(prepared.train),
            heldout_samples=len(prepared.heldout),
            loss=", ".join(sorted({type(loss).__name__ for loss in losses})),
            trained=options.train,
        )
        if options.train == "head":
            _freeze_trunk(student)
        batches = _batches(keras, inputs, prepared.train, targets, options.batch_size, seed)
        student.compile(
            optimizer=keras.optimizers.Adam(options.learning_rate),
            loss=losses if len(losses) > 1 else losses[0],
            jit_compile=jit_compile(student),
        )
        before = _predict(student, inputs, prepared.heldout, options.batch_size)
        result.calibrated = fidelity(heldout_targets, before, labels)
        watch = _watch(keras, inputs, prepared.heldout, heldout_targets, labels, options)
        watch.best_score = score(result.calibrated)
        watch.best_weights = student.get_weights()
        start = time.perf_counter()
        with _progress_bar(options.epochs, len(batches)) as bar:
            watch.bar = bar
            student.fit(batches, epochs=options.epochs, verbose=0, callbacks=[watch])
        result.seconds = time.perf_counter() - start
        result.epochs_run = len(watch.history)
        result.history = watch.history
        result.stopped = watch.stopped or "--epochs reached"
        weights = watch.best_weights
    _write_weights(out, suffix, weights)
    with _loaded(out, suffix) as final:
        after = _predict(final, inputs, prepared.heldout, options.batch_size)
    return fidelity(heldout_targets, after, labels), result


def _watch(keras: Any, *args: Any) -> Any:
    """A Keras callback: held-out agreement per epoch, best weights, early stop, time limit."""

    class HeldOutAgreement(keras.callbacks.Callback):
        def __init__(
            self,
            inputs: Inputs,
            rows: np.ndarray,
            targets: list[np.ndarray],
            labels: np.ndarray | None,
            options: DistillOptions,
        ) -> None:
            super().__init__()
            self.inputs, self.rows, self.targets, self.labels = inputs, rows, targets, labels
            self.options = options
            self.best_score = -math.inf
            self.best_weights: list[Any] = []
            self.history: list[float] = []
            self.stopped = ""
            self.since_best = 0
            self.start = time.perf_counter()
            self.bar: Any = None

        def on_train_begin(self, logs: Any = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            if self.bar is not None:
                self.bar.epoch(epoch)

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if self.bar is not None:
                self.bar.advance()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            outputs = _predict(self.model, self.inputs, self.rows, self.options.batch_size)
            measured = fidelity(self.targets, outputs, self.labels)
            current = score(measured)
            self.history.append(current)
            if self.bar is not None:
                self.bar.measured(measured)
            if current > self.best_score:
                self.best_score, self.since_best = current, 0
                self.best_weights = self.model.get_weights()
            else:
                self.since_best += 1
            elapsed = time.perf_counter() - self.start
            patience = self.options.patience
            if measured.get("top1_agreement") == 1.0 and measured["mean_abs_diff"] < 1e-3:
                self.stopped = "held-out outputs match"
            elif self.since_best >= patience:
                self.stopped = f"no better held-out agreement for {patience} epochs"
            elif self.options.max_time is not None and elapsed >= self.options.max_time:
                self.stopped = f"--max-time {self.options.max_time:g}s reached"
            if self.stopped:
                self.model.stop_training = True

    return HeldOutAgreement(*args)


def _batches(keras: Any, *args: Any) -> Any:
    """(inputs, teacher outputs) batches of the training rows, reshuffled every epoch."""

    class DistillBatches(keras.utils.PyDataset):
        def __init__(
            self,
            inputs: Inputs,
            rows: np.ndarray,
            targets: list[np.ndarray],
            batch_size: int,
            seed: int,
        ) -> None:
            super().__init__()
            self.inputs, self.rows, self.targets = inputs, rows, targets
            self.batch_size = batch_size
            self.rng = np.random.default_rng(seed)
            self.order = self.rng.permutation(rows)

        def __len__(self) -> int:
            return math.ceil(len(self.rows) / self.batch_size)

        def __getitem__(self, index: int) -> tuple[Any, Any]:
            rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
            targets = [t[rows] for t in self.targets]
            return self.inputs.rows(rows), targets[0] if len(targets) == 1 else tuple(targets)

        def on_epoch_end(self) -> None:
            self.order = self.rng.permutation(self.rows)

    return DistillBatches(*args)


def _predict(model: Any, inputs: Inputs, rows: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """The model's outputs (always a list) on `rows`, a batch of inputs at a time."""
    chunks: list[list[np.ndarray]] = []
    for start in range(0, len(rows), batch_size * 4):
        batch = inputs.rows(rows[start : start + batch_size * 4])
        out = model.predict_on_batch(batch)
        chunks.append([np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])])
    return [np.concatenate(parts) for parts in zip(*chunks, strict=True)]


def _output_layers(model: Any) -> list[Any]:
    config = model.get_config()
    if isinstance(config, dict) and config.get("output_layers"):
        names = config["output_layers"]
        names = [names] if isinstance(names[0], str) else names
        return [model.get_layer(n[0]) for n in names]
    return [model.layers[-1]]


def _loss(keras: Any, layer: Any) -> Any:
    """Soft targets for probabilities, the raw outputs otherwise."""
    activation = getattr(getattr(layer, "activation", None), "__name__", "")
    if type(layer).__name__ == "Softmax" or activation == "softmax":
        return keras.losses.KLDivergence()
    if activation == "sigmoid":
        return keras.losses.BinaryCrossentropy()
    return keras.losses.MeanSquaredError()


def _freeze_trunk(model: Any) -> None:
    """`--train head`: only the layers from the first global pooling layer on are trained."""
    seen = False
    for layer in model.layers:
        seen = seen or type(layer).__name__.startswith("Global")
        layer.trainable = seen


@contextlib.contextmanager
def _loaded(out: AtomicFile, suffix: str) -> Iterator[Any]:
    """The scratch output loaded by Keras (through a link with the right suffix)."""
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / f"model{suffix}"
        target = out.named if out.named is not None else f"/proc/{os.getpid()}/fd/{out.fd}"
        link.symlink_to(target)
        model = load_model_path(keras, str(link))
    yield model


def _write_weights(out: AtomicFile, suffix: str, weights: list[Any]) -> None:
    """Replace the scratch output's weights by `weights`, keeping its config and metadata."""
    with _loaded(out, suffix) as fresh, tempfile.TemporaryDirectory() as tmp:
        fresh.set_weights(weights)  # a model never compiled: no optimizer state is saved
        if suffix.lower() in (".h5", ".hdf5"):
            saved = Path(tmp) / "model.h5"
            fresh.save(saved)
            payload = saved.read_bytes()
        else:
            saved = Path(tmp) / "model.weights.h5"
            fresh.save_weights(saved)
            with out.handle() as handle, zipfile.ZipFile(handle) as archive:
                members = {n: archive.read(n) for n in ("metadata.json", "config.json")}
            buffer = io.BytesIO()
            with saved.open("rb") as weights:
                write_archive(buffer, members, weights, saved.stat().st_size)
            payload = buffer.getvalue()
    os.ftruncate(out.fd, 0)
    with out.handle() as handle:
        handle.write(payload)
        handle.flush()


@contextlib.contextmanager
def _progress_bar(epochs: int, batches: int) -> Iterator[Any]:
    """A rich progress bar per epoch on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[agreement]}"))  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        yield _EpochBars(progress, epochs, batches)


class _EpochBars:
    def __init__(self, progress: Any, epochs: int, batches: int) -> None:
        self.progress, self.epochs, self.batches = progress, epochs, batches
        self.task: Any = None

    def epoch(self, epoch: int) -> None:
        self.task = self.progress.add_task(
            f"distill epoch {epoch + 1}/{self.epochs}", total=self.batches, agreement=""
        )

    def advance(self) -> None:
        self.progress.advance(self.task)

    def measured(self, measured: dict[str, float]) -> None:
        text = f"held-out mean |diff| {measured['mean_abs_diff']:.4g}"
        if "top1_agreement" in measured:
            text = f"held-out agreement {measured['top1_agreement']:.1%}"
        self.progress.update(self.task, agreement=text)
