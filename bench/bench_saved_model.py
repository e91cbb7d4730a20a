"""Bench: `kerasfix lint vgg16.keras` (whole process) vs `keras.saving.load_model` on the file.

Builds VGG16 with its top (`weights=None`, about 550 MB as .keras) once into --dir, then
times N runs of each side by side and prints the medians, their ratio (target >= 50x) and
the lint's peak RSS. Each side runs in a fresh process, so import costs count for both.

Usage: .venv/bin/python bench/bench_saved_model.py [--runs 5] [--dir /tmp/kerasfix-bench]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOAD = (
    "import os; os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3'); import sys, keras; "
    "keras.saving.load_model(sys.argv[1], compile=False)"
)


def timed(cmd: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss


def ensure_model(directory: Path) -> Path:
    path = directory / "vgg16.keras"
    if not path.exists():
        build = ROOT / "fixtures" / "models" / "build_models.py"
        subprocess.run([sys.executable, str(build), str(directory), "vgg16"], check=True)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/kerasfix-bench"))
    args = parser.parse_args()
    model = ensure_model(args.dir)
    lint_cmd = [str(BIN / "kerasfix"), "lint", str(model)]
    load_cmd = [sys.executable, "-c", LOAD, str(model)]
    lint_runs, load_runs = [], []
    for _ in range(args.runs):  # interleaved, so both sides see the same machine state
        lint_runs.append(timed(lint_cmd))
        load_runs.append(timed(load_cmd))
    lint_s = statistics.median(t for t, _ in lint_runs)
    load_s = statistics.median(t for t, _ in load_runs)
    size = model.stat().st_size
    print(f"model: {model} ({size / 2**20:.0f} MiB), {args.runs} runs each, medians")
    print(f"kerasfix lint:           {lint_s * 1000:8.0f} ms")
    print(f"keras.saving.load_model: {load_s * 1000:8.0f} ms")
    print(f"ratio: {load_s / lint_s:.0f}x (target >= 50x)")
    print(
        f"peak RSS: kerasfix lint {max(r for _, r in lint_runs) / 1024:.0f} MiB; "
        f"load_model {max(r for _, r in load_runs) / 1024:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
