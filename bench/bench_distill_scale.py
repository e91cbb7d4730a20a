"""Bench: `rewrite --data` at scale (issue 24 section 4), on this machine's CPU.

1. Images per second distilled on 1 vs 2 logical CPU devices (`--devices 1` / `--devices 2`,
   MirroredStrategy), both in one child process that splits the CPU into two logical devices
   before TensorFlow starts. Images = (training rows + mixes) x epochs run; seconds = the
   training loop (`distill.seconds` in the JSON report), not the teacher's outputs.
2. Peak memory as the data grows 10x, data given as a `tf.data.Dataset.save` directory and
   as a `.npy` file: each size in its own child process, which samples its anonymous
   resident memory (RssAnon: what the process holds, not the file pages the kernel caches
   for it) every 20 ms and reports the peak, and VmHWM (peak RSS, file pages included).
The calibration reads at most 4,096 rows (distill.CALIBRATION_ROWS), so memory is flat only
from there: give --images above it for the memory figures.
Run: python bench/bench_distill_scale.py [--images 1000] [--epochs 2] [--side 32]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from machine_info import cpu_name  # noqa: E402

BUILD = """
import sys, keras, numpy as np, tensorflow as tf
root, n, side = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shape = (side, side, 3)
keras.utils.set_random_seed(0)
inp = keras.Input(shape)
x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inp)
x = keras.layers.MaxPooling2D()(x)
x = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(x)
x = keras.layers.Flatten()(x)
keras.Model(inp, keras.layers.Dense(10, activation="softmax")(x)).save(f"{root}/model.keras")
rng = np.random.default_rng(0)
for size in (n, 10 * n):
    x = np.lib.format.open_memmap(f"{root}/x{size}.npy", "w+", "float32", (size, *shape))
    for start in range(0, size, 1000):
        x[start : start + 1000] = rng.uniform(0, 1, (min(1000, size - start), *shape))
    x.flush()
    x = np.load(f"{root}/x{size}.npy", mmap_mode="r")
    ds = tf.data.Dataset.range(size).batch(1000).map(
        lambda i: tf.numpy_function(lambda j: np.asarray(x[j[0] : j[-1] + 1]), [i], tf.float32))
    ds.unbatch().map(lambda t: tf.ensure_shape(t, shape)).save(f"{root}/ds{size}")
"""

DEVICES = """
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from kerasfix.cli import main
root, data, epochs = sys.argv[1:4]
for n in ("1", "2"):
    main(["rewrite", f"{root}/model.keras", "-o", f"{root}/dev{n}.keras", "--force", "--data",
          data, "--epochs", epochs, "--seed", "0", "--devices", n, "--no-verify",
          "--report-format", "json"])
"""

MEMORY = """
import sys, threading, time
from pathlib import Path
peak = [0]
def sample():
    while True:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                peak[0] = max(peak[0], int(line.split()[1]))
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()
from kerasfix.cli import main
root, data, epochs = sys.argv[1:4]
main(["rewrite", f"{root}/model.keras", "-o", f"{root}/mem.keras", "--force", "--data", data,
      "--epochs", epochs, "--seed", "0", "--no-verify", "--report-format", "json"])
hwm = [line for line in Path("/proc/self/status").read_text().splitlines()
       if line.startswith("VmHWM:")][0].split()[1]
print(f"MEMORY {peak[0]} {hwm}", flush=True)
"""


def child(code: str, *args: str) -> str:
    env = dict(os.environ, KERASFIX_NO_CACHE="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, check=False)  # fmt: skip
    if proc.returncode != 0:
        sys.exit(f"child failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def reports(text: str) -> list[dict]:
    decoder, out = json.JSONDecoder(), []
    text = text.strip()
    while text.startswith("{"):
        report, end = decoder.raw_decode(text)
        out.append(report)
        text = text[end:].strip()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--epochs", default="2")
    parser.add_argument("--side", type=int, default=32, help="images are side x side x 3")
    parser.add_argument("--skip-devices", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    n = args.images
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        child(BUILD, tmp, str(n), str(args.side))
        devices = "" if args.skip_devices else child(DEVICES, tmp, f"{tmp}/x{n}.npy", args.epochs)
        runs = reports(devices)
        for run in runs:
            d = run["distill"]
            images = (d["train_samples"] + d["mixed_samples"]) * d["epochs_run"]
            print(f"devices {d['devices']}: {images / d['seconds']:.0f} images/s "
                  f"({images} images in {d['seconds']:.1f}s, {n} samples x {d['epochs_run']} "
                  f"epochs, batch 64, {args.side}x{args.side}x3)")  # fmt: skip
        for kind in () if args.skip_memory else ("ds", "x"):
            for size in (n, 10 * n):
                data = f"{tmp}/{kind}{size}" + (".npy" if kind == "x" else "")
                out = child(MEMORY, tmp, data, "1")
                anon, hwm = out.split("MEMORY ")[1].split()
                what = "tf.data saved" if kind == "ds" else ".npy"
                mb = size * args.side**2 * 3 * 4 / 2**20
                print(
                    f"{what:>13} {size:>6} images ({mb:6.1f} MiB): peak RssAnon "
                    f"{int(anon) / 1024:6.1f} MiB, VmHWM {int(hwm) / 1024:6.1f} MiB"
                )


if __name__ == "__main__":
    main()
