"""Bench: how much accuracy each `kerasfix rewrite --init` keeps on trained models.

Trains (seeded, with labels) the models of `tests/rewrite/distill_models.py`, then rewrites
each with fold, random, calibrate and distill (the last two see only the training inputs,
no labels) and, for comparison, trains the global-pooling architecture from scratch with
the labels. Every rewrite runs as its own `kerasfix rewrite --no-verify` process, timed
with its peak RSS; accuracy on the held-out test set and top-1 agreement with the original
are then measured here on the written file. Distill runs with `--min-agreement 0`, so a
rewrite the default half-point check refuses (exit 2) is still written and measured; the
three-seed, two-CPU-setting check of that promise is `bench/bench_distill_seeds.py`.
Run: python bench/bench_distill.py [--models deep,shallow,conv1d,convlstm]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bench_rewrite import run  # noqa: E402

from tests.rewrite import distill_models as dm  # noqa: E402

MODELS = {  # name: (task, builder, epochs, suffix)
    "deep": ("digits 16x16, deep CNN", dm.digits, dm.deep_cnn, 12, ".keras"),
    "shallow": ("digits 16x16, shallow CNN", dm.digits, dm.shallow_cnn, 12, ".keras"),
    "conv1d": ("waves, Conv1D", dm.waves, dm.conv1d, 10, ".keras"),
    "convlstm": ("moving squares, ConvLSTM2D", dm.clips, dm.convlstm, 6, ".h5"),
}

SCRATCH = """
import sys, keras, numpy as np
sys.path.insert(0, sys.argv[4])
from kerasfix.model_rewrite.calibrate import load_model_path
arch, data, out, _, epochs = sys.argv[1:6]
keras.utils.set_random_seed(0)
model = keras.models.clone_model(load_model_path(keras, arch))  # fresh weights
train = np.load(data)
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(train["x"], train["y"], epochs=int(epochs), batch_size=32, verbose=0)
model.save(out)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    import keras
    import numpy as np

    from kerasfix.model_rewrite.calibrate import load_model_path

    rows = []
    for name in args.models.split(","):
        label, make_task, build, epochs, suffix = MODELS[name]
        task = make_task()
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            teacher, accuracy = dm.trained(keras, build, task, epochs)
            model = root / f"model{suffix}"
            teacher.save(model)
            train, _ = task.save(root)
            np.savez(root / "labelled.npz", x=task.x_train, y=task.y_train)
            reference = teacher.predict(task.x_test, verbose=0).argmax(1)
            params = teacher.count_params()
            rows.append((label, "original (Flatten)", params, accuracy, 1.0, None, None))
            kf = [sys.executable, "-m", "kerasfix", "rewrite", str(model), "--no-verify"]
            variants = {
                "fold": ["--init", "fold"],
                "random": ["--init", "random", "--seed", "0"],
                "calibrate": ["--init", "calibrate", "--data", str(train)],
                # --min-agreement 0: measured even where the default check refuses it
                "distill": ["--data", str(train), "--seed", "0", "--min-agreement", "0"],
            }
            for init, extra in variants.items():
                out = root / f"{init}{suffix}"
                wall, rss = run([*kf, "-o", str(out), *extra])
                measured = _measure(keras, load_model_path, out, task, reference)
                rows.append((label, init, *measured, wall, rss))
            out = root / f"scratch{suffix}"
            script = [sys.executable, "-c", SCRATCH, str(root / f"fold{suffix}")]
            wall, rss = run([*script, str(root / "labelled.npz"), str(out), str(ROOT), str(epochs)])
            measured = _measure(keras, load_model_path, out, task, reference)
            rows.append((label, "GAP from scratch (labels)", *measured, wall, rss))
    print("| model | rewrite | parameters | held-out accuracy | agreement | time | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for label, init, params, acc, agree, wall, rss in rows:
        timing = f"{wall:.1f} s" if wall is not None else "-"
        memory = f"{rss:,.0f} MB" if rss is not None else "-"
        print(f"| {label} | {init} | {params:,} | {acc:.1%} | {agree:.1%} | {timing} | {memory} |")


def _measure(keras, load, path: Path, task: dm.Task, reference) -> tuple[int, float, float]:
    model = load(keras, str(path))
    predicted = model.predict(task.x_test, verbose=0).argmax(1)
    accuracy = float((predicted == task.y_test).mean())
    return model.count_params(), accuracy, float((predicted == reference).mean())


if __name__ == "__main__":
    main()
