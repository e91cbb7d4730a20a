"""Trained models with Flatten heads and the data they were trained on, for `--init distill`.

Shared by the tests and `bench/bench_distill.py`. Everything is seeded; each model trains in
seconds to a minute on two CPU cores. Data sets: scikit-learn's digits upsampled to 16x16,
generated clips of a square moving in one of four directions, and generated sequences
holding one of four wave shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Task:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def save(self, root: Path) -> tuple[Path, Path]:
        """train.npy (inputs only: what a user without labels has) and test.npz (x, y)."""
        np.save(root / "train.npy", self.x_train)
        np.savez(root / "test.npz", x=self.x_test, y=self.y_test)
        return root / "train.npy", root / "test.npz"


def digits(size: int = 16) -> Task:
    from sklearn.datasets import load_digits

    data = load_digits()
    x = np.kron(data.images / 16.0, np.ones((size // 8, size // 8)))[..., None]
    return _split(x.astype("float32"), data.target.astype("int64"))


def clips(n: int = 1200, frames: int = 5, size: int = 16) -> Task:
    """A 3x3 square moving one pixel a frame up, down, left or right (the label)."""
    rng = np.random.default_rng(0)
    x = np.zeros((n, frames, size, size, 1), "float32")
    y = rng.integers(0, 4, n)
    steps = np.array([(-1, 0), (1, 0), (0, -1), (0, 1)])
    for i in range(n):
        row, col = rng.integers(frames - 1, size - frames - 1, 2)
        for t in range(frames):
            r, c = (row, col) + steps[y[i]] * t
            x[i, t, r : r + 3, c : c + 3, 0] = 1.0
    x += rng.normal(0, 0.1, x.shape).astype("float32")
    return _split(x, y)


def waves(n: int = 2000, length: int = 64) -> Task:
    """Sine, square, sawtooth or triangle wave with random frequency, phase and noise."""
    rng = np.random.default_rng(0)
    t = np.arange(length)[None, :]
    y = rng.integers(0, 4, n)
    phase = rng.uniform(0, 1, (n, 1)) + t * rng.uniform(0.03, 0.12, (n, 1))
    frac = phase % 1.0
    shapes = [
        np.sin(2 * np.pi * phase),
        np.sign(np.sin(2 * np.pi * phase)),
        2 * frac - 1,
        4 * np.abs(frac - 0.5) - 1,
    ]
    x = np.choose(y[:, None], shapes) + rng.normal(0, 0.3, (n, length))
    return _split(x[..., None].astype("float32"), y)


def _split(x: np.ndarray, y: np.ndarray) -> Task:
    order = np.random.default_rng(0).permutation(len(x))
    cut = int(len(x) * 0.8)
    train, test = order[:cut], order[cut:]
    return Task(x[train], y[train], x[test], y[test])


def deep_cnn(keras: Any, size: int = 16) -> Any:
    """Three conv blocks, Flatten over 4x4x64 -> Dense(64) -> Dense(10)."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((size, size, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.Flatten(name="flat"),
            layers.Dense(64, activation="relu", name="fc"),
            layers.Dense(10, activation="softmax", name="out"),
        ]
    )


def shallow_cnn(keras: Any, size: int = 16) -> Any:
    """Two thin conv layers at full resolution: position is most of what the head reads."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((size, size, 1)),
            layers.Conv2D(8, 3, padding="same", activation="relu"),
            layers.Conv2D(8, 3, padding="same", activation="relu"),
            layers.Flatten(name="flat"),
            layers.Dense(32, activation="relu", name="fc"),
            layers.Dense(10, activation="softmax", name="out"),
        ]
    )


def convlstm(keras: Any, frames: int = 5, size: int = 16) -> Any:
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((frames, size, size, 1)),
            layers.ConvLSTM2D(8, 3, padding="same", return_sequences=False),
            layers.MaxPooling2D(),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.Flatten(name="flat"),
            layers.Dense(32, activation="relu", name="fc"),
            layers.Dense(4, activation="softmax", name="out"),
        ]
    )


def conv1d(keras: Any, length: int = 64) -> Any:
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((length, 1)),
            layers.Conv1D(16, 5, padding="same", activation="relu"),
            layers.MaxPooling1D(2),
            layers.Conv1D(32, 5, padding="same", activation="relu"),
            layers.MaxPooling1D(2),
            layers.Flatten(name="flat"),
            layers.Dense(32, activation="relu", name="fc"),
            layers.Dense(4, activation="softmax", name="out"),
        ]
    )


def trained(keras: Any, build: Any, task: Task, epochs: int, seed: int = 0) -> tuple[Any, float]:
    """Build (seeded) and fit with labels; the model and its held-out accuracy."""
    keras.utils.set_random_seed(seed)
    model = build(keras)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(task.x_train, task.y_train, epochs=epochs, batch_size=32, verbose=0)
    return model, float(model.evaluate(task.x_test, task.y_test, verbose=0)[1])


def trained_to(
    keras: Any, build: Any, task: Task, epochs: int, at_least: float, seeds: int = 3
) -> tuple[Any, float]:
    """The first seed's model that reaches `at_least` held-out accuracy (the best one tried if
    none does, for the caller's assertion to show). Tests judge the rewrite, not the teacher:
    one seed's training can land lower on another CPU's or thread count's float order
    (deep_cnn seed 0 gave 0.99 on two threads, 0.94 on one), and a teacher below the bar
    would fail a test for the wrong reason."""
    best: tuple[Any, float] | None = None
    for seed in range(seeds):
        model, accuracy = trained(keras, build, task, epochs, seed=seed)
        if accuracy >= at_least:
            return model, accuracy
        if best is None or accuracy > best[1]:
            best = (model, accuracy)
    assert best is not None
    return best
