"""Bench: kerasfix rewrite (fold, --no-verify) vs the Keras route on VGG16-with-top (.keras).

Each side runs in its own process; wall time and peak RSS (ru_maxrss of the child) are
measured from here. The Keras route is what a user would write by hand: load_model,
rebuild the model with GlobalAveragePooling2D, copy every other layer's weights, save.
Run: .venv/bin/python bench/bench_rewrite.py [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILD = """
import keras, sys
keras.applications.VGG16(weights=None, include_top=True).save(sys.argv[1])
"""

KERAS_ROUTE = """
import sys, keras
src, dst = sys.argv[1], sys.argv[2]
model = keras.saving.load_model(src, compile=False)
x = inp = keras.Input(model.inputs[0].shape[1:])
for layer in model.layers[1:]:
    if isinstance(layer, keras.layers.Flatten):
        x = keras.layers.GlobalAveragePooling2D()(x)
    elif layer.name == "fc1":
        x = keras.layers.Dense(4096, activation="relu", name="fc1")(x)
    else:
        x = layer(x)
new = keras.Model(inp, x)
new.save(dst)
"""


def run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one child process."""
    script = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:])\n"
        "w = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([r.returncode, w, rss]))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, *cmd], capture_output=True, text=True)
    code, wall, rss = json.loads(out.stdout.strip().splitlines()[-1])
    if code != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
    return wall, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs of each side")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kerasfix-bench-"))
    src = work / "vgg16.keras"
    if not src.exists():
        subprocess.run([sys.executable, "-c", BUILD, str(src)], check=True)
    kf_out, keras_out, verified = work / "kf.keras", work / "keras.keras", work / "kf_v.keras"
    for p in (kf_out, keras_out, verified):
        p.unlink(missing_ok=True)
    kf = [sys.executable, "-m", "kerasfix", "rewrite", str(src), "-o", str(kf_out), "--no-verify"]
    kf = [*kf, "--force"]
    keras_route = [sys.executable, "-c", KERAS_ROUTE, str(src), str(keras_out)]
    kf_runs, k_runs = [], []
    for _ in range(max(1, args.runs)):  # interleaved, so both sides see the same machine
        kf_runs.append(run(kf))
        k_runs.append(run(keras_route))
    kf_wall = statistics.median(w for w, _ in kf_runs)
    k_wall = statistics.median(w for w, _ in k_runs)
    kf_rss = max(r for _, r in kf_runs)
    k_rss = max(r for _, r in k_runs)
    start = time.perf_counter()
    report = subprocess.run(
        [sys.executable, "-m", "kerasfix", "rewrite", str(src), "-o", str(verified),
         "--report-format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    total_verified = time.perf_counter() - start
    data = json.loads(report.stdout)
    verify_s = data["verification"]["seconds"]
    mb = 1e6
    print(f"input: {src} ({src.stat().st_size / mb:.0f} MB); medians of {len(kf_runs)} runs")
    print(f"kerasfix rewrite (fold, --no-verify): {kf_wall:6.1f} s  peak RSS {kf_rss:7.0f} MB  "
          f"output {kf_out.stat().st_size / mb:.0f} MB")  # fmt: skip
    print(f"Keras route (load, rebuild, save):    {k_wall:6.1f} s  peak RSS {k_rss:7.0f} MB  "
          f"output {keras_out.stat().st_size / mb:.0f} MB")  # fmt: skip
    print(f"speed-up {k_wall / kf_wall:.1f}x, memory {k_rss / kf_rss:.1f}x lower")
    print(f"with verification: {total_verified:.1f} s total, of which verification "
          f"{verify_s:.1f} s ({data['verification']['status']})")  # fmt: skip


if __name__ == "__main__":
    main()
