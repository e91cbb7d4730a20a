"""Bench: a project whose modules import each other's sizes and builders (issue 25 s4).

    python bench/bench_project_imports.py [--sizes 50,100,200] [--runs 3] [--dir DIR]

Generates a project of N modules (pyproject.toml at its root): `config.py` holds the image
size; module i imports it (`from config import SIZE`), a builder from module i-1 and a
constant from module i//2, defines its own builder and builds a model whose Flatten is
sized only by those imports. Every module gets one KF001 for that model (checked: a missing
size would be a KF002), so the cross-file reading is exercised on every file. Each module also
defines `head_i(size)`, a builder its own file leaves unsized, which module i+1 calls with
`SIZE`: linting module i finds that caller among the project's files and reports the builder's
Flatten sized by it (caller_sizes.py; the count is printed). The chain of imports is as
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


def head_{i}(size):
    x = layers.Input((size, size, 3))
    return models.Model(x, layers.Dense(10)(layers.Flatten()(layers.Conv2D(4, 3)(x))))


inputs = layers.Input((SIZE, SIZE, 3))
x = layers.MaxPooling2D({pool})({inner}(block_{i}(inputs)))
x = layers.Flatten()(x)
model_{i} = models.Model(inputs, layers.Dense(10)(x))
{call}"""


def generate(folder: Path, count: int) -> None:
    """The project: config.py and mod_0 .. mod_{count-1}."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'bench'\n", encoding="utf-8")
    (folder / "config.py").write_text("SIZE = 64\n", encoding="utf-8")
    for i in range(count):
        if i == 0:
            imports, inner, pool, call = "", "", "2", ""
        else:
            half = i // 2
            imports = (
                f"from mod_{i - 1} import block_{i - 1}, head_{i - 1}\n"
                f"from mod_{half} import SCALE_{half}"
            )
            inner, pool = f"block_{i - 1}", f"SCALE_{half}"
            call = f"caller_{i} = head_{i - 1}(SIZE)\n"  # sizes mod_{i-1}'s builder
        text = MODULE.format(i=i, imports=imports, inner=inner, pool=pool, scale=2, call=call)
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


def measure(folder: Path, count: int, runs: int) -> tuple[dict[str, float], set[int]]:
    """Median seconds of each kind of run, and the counts of builders sized by a caller."""
    sized_by_callers: set[int] = set()
    times: dict[str, list[float]] = {"no cache": [], "cold cache": [], "warm cache": []}
    times["config.py changed"] = []
    for run in range(runs):
        generate(folder, count)
        elapsed, findings = lint(folder, "--no-cache")
        times["no cache"].append(elapsed)
        own = sum(1 for f in findings if f["rule"] == "KF001" and f["shape"] == [32, 32, 8])
        if own != count:
            raise SystemExit(f"{count} modules: {own} KF001 of their own model (one each)")
        sized_by_callers.add(sum(1 for f in findings if "sized by" in f["message"]))
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
    return {name: statistics.median(values) for name, values in times.items()}, sized_by_callers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50,100,200")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    base = args.dir or Path(tempfile.mkdtemp(prefix="kerasfix-project-bench-"))
    measured = {count: measure(base / f"project-{count}", count, args.runs) for count in sizes}
    results = {count: times for count, (times, _) in measured.items()}
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
    for count in sizes:
        sized = ", ".join(str(n) for n in sorted(measured[count][1]))
        print(f"{count:>7}: builders sized by a caller in another module: {sized} of {count - 1}")
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
