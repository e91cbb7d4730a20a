"""Analysis time against nesting depth and recursive builders: it must grow linearly.

    python bench/bench_nesting.py [--runs 3]

Lints generated sources (bench/nesting.py) in-process and prints a markdown table of the
median time per file for growing sizes; the ratio between consecutive rows shows the growth.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nesting import chained_nesting, recursive_builders, reused_nesting

from kerasfix.runner import lint_paths

WORKLOADS: list[tuple[str, Callable[[int], str], list[int]]] = [
    ("model k holds model k-1 twice (depth)", reused_nesting, [8, 16, 32, 60]),
    ("Sequential wrapping Sequential (depth)", chained_nesting, [10, 20, 40, 60]),
    ("builders calling themselves twice (count)", recursive_builders, [10, 20, 40, 80]),
]


def measure(text: str, runs: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "generated.py"
        path.write_text(text)
        times, found = [], 0
        for _ in range(runs):
            start = time.perf_counter()
            result = lint_paths([path])
            times.append(time.perf_counter() - start)
            assert not result.errors, result.errors
            found = len(result.findings)
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| workload | size | lines | findings | median time |")
    print("|---|---|---|---|---|")
    for label, generate, sizes in WORKLOADS:
        for size in sizes:
            text = generate(size)
            seconds, found = measure(text, args.runs)
            lines = text.count("\n")
            print(f"| {label} | {size} | {lines} | {found} | {seconds * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
