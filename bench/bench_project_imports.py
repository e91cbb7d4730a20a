"""Bench: a project whose modules import each other's sizes and builders (issue 25 s4).

    python bench/bench_project_imports.py [--sizes 50,100,200] [--runs 3] [--dir DIR]

Generates a project of N modules (pyproject.toml at its root): `config.py` holds the image
size; module i imports it (`from config import SIZE`), a builder from module i-1 and a
constant from module i//2, defines its own builder and builds a model whose Flatten is
sized only by those imports. Every module gets one KF001 (checked: a missing size would be
a KF002), so the cross-file reading is exercised on every file. The chain of imports is as
long as the project (mod_199 imports mod_198 ...): the analysis follows it only 4 files
deep (project_imports.MAX_IMPORT_DEPTH), which keeps each file's work bounded.

Each size is linted in a fresh process (`kerasfix lint DIR --output-format json`, jobs 1)
three ways: `--no-cache`, a cold result cache (empty cache folder), and a warm one (the
same command again, nothing changed); then one edit to config.py and a run on that warm
cache (every importer is checked again). Prints medians and the ratios between sizes:
linear time means 200/50 = 4.0 (the process start-up, a constant, makes it a little less).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULE = """\
from keras import layers, models
from config import SIZE
{imports}

SCALE_{i} = {scale}


def block_{i}(x):
    return layers.Conv2D(8, 3, padding="same")(x)


inputs = layers.Input((SIZE, SIZE, 3))
x = layers.MaxPooling2D({pool})({inner}(block_{i}(inputs)))
x = layers.Flatten()(x)
model_{i} = models.Model(inputs, layers.Dense(10)(x))
"""


def generate(folder: Path, count: int) -> None:
    """The project: config.py and mod_0 .. mod_{count-1}."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'bench'\n", encoding="utf-8")
    (folder / "config.py").write_text("SIZE = 64\n", encoding="utf-8")
    for i in range(count):
        if i == 0:
            imports, inner, pool = "", "", "2"
        else:
            half = i // 2
            imports = f"from mod_{i - 1} import block_{i - 1}\nfrom mod_{half} import SCALE_{half}"
            inner, pool = f"block_{i - 1}", f"SCALE_{half}"
        text = MODULE.format(i=i, imports=imports, inner=inner, pool=pool, scale=2)
        (folder / f"mod_{i}.py").write_text(text, encoding="utf-8")


def lint(folder: Path, *options: str, cache: Path | None = None) -> tuple[float, list[dict]]:
    env = dict(os.environ)
    env.pop("KERASFIX_NO_CACHE", None)
    if cache is not None:
        env["KERASFIX_CACHE_DIR"] = str(cache)
    command = [sys.executable, "-m", "kerasfix", "lint", str(folder), "--output-format", "json"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, *options], capture_output=True, text=True, env=env, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"lint failed ({done.returncode}): {done.stderr.strip()[:500]}")
    return elapsed, json.loads(done.stdout)


def measure(folder: Path, count: int, runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {"no cache": [], "cold cache": [], "warm cache": []}
    times["config.py changed"] = []
    for run in range(runs):
        generate(folder, count)
        elapsed, findings = lint(folder, "--no-cache")
        times["no cache"].append(elapsed)
        kf001 = sum(1 for f in findings if f["rule"] == "KF001")
        if kf001 != count:
            raise SystemExit(f"{count} modules: {kf001} KF001 (every module should have one)")
        cache = folder.parent / f"cache-{count}-{run}"
        shutil.rmtree(cache, ignore_errors=True)
        times["cold cache"].append(lint(folder, cache=cache)[0])
        times["warm cache"].append(lint(folder, cache=cache)[0])
        (folder / "config.py").write_text("SIZE = 32\n", encoding="utf-8")
        elapsed, findings = lint(folder, cache=cache)
        times["config.py changed"].append(elapsed)
        if not any("16x16x8" in f["message"] for f in findings):  # mod_0: 32 / 2
            raise SystemExit("the changed config.py was not seen through the cache")
        shutil.rmtree(cache, ignore_errors=True)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50,100,200")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    base = args.dir or Path(tempfile.mkdtemp(prefix="kerasfix-project-bench-"))
    results = {count: measure(base / f"project-{count}", count, args.runs) for count in sizes}
    empty = base / "empty"
    generate(empty, 0)
    start = statistics.median(lint(empty, "--no-cache")[0] for _ in range(args.runs))
    kinds = list(results[sizes[0]])
    print(f"modules | {' | '.join(kinds)}  (median of {args.runs} runs, seconds, fresh process)")
    for count in sizes:
        row = " | ".join(f"{results[count][kind]:.2f}" for kind in kinds)
        print(f"{count:>7} | {row}")
    print(f"a project with no module (start-up): {start:.2f} s; per module, start-up taken off:")
    for count in sizes:
        row = ", ".join(
            f"{kind} {(results[count][kind] - start) / count * 1000:.1f} ms" for kind in kinds
        )
        print(f"{count:>7}: {row}")
    first = sizes[0]
    for count in sizes[1:]:
        ratios = ", ".join(
            f"{kind} {results[count][kind] / results[first][kind]:.2f}" for kind in kinds
        )
        print(f"ratio {count}/{first} (linear = {count / first:.1f}): {ratios}")
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
