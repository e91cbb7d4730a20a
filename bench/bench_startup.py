"""Bench: cold start-up of the lint path (issue 22), every side in one run, medians and ratios.

    python bench/bench_startup.py [--runs 15] [--load-runs 3] [--dir /tmp/kerasfix-bench]

Each command is a fresh process (interpreter start-up and imports included), run N times
interleaved so all see the same machine state: `python -c pass`, `kerasfix --version`,
`kerasfix lint --no-cache` on one fixture script, `ruff check --no-cache` on it (if ruff is
installed), `kerasfix lint --no-cache vgg16.keras`, and `keras.saving.load_model` of that
file in a fresh process (fewer runs: seconds each). VGG16 with its top and `weights=None`
(about 530 MiB as .keras; nothing is downloaded) is built once into --dir and reused, the
file bench/bench_saved_model.py uses.

Bytecode: the kerasfix rows run as after `pip install`, which compiles every module: a
warm-up run writes the bytecode into a private PYTHONPYCACHEPREFIX (the checkout is not
touched). The "(no bytecode)" rows run with PYTHONDONTWRITEBYTECODE=1 and no prefix: in a
checkout without kerasfix/__pycache__ (an editable install where that variable is set) every
kerasfix module is then compiled from source on every run. They are left out when kerasfix
has bytecode beside its sources (a pip install), which that variable does not stop it using.

Prints wall and CPU (user+sys) medians, the two goal ratios (cold one-file lint <= 10x
`python -c pass`; VGG16 lint >= 60x faster than load_model) and, from one `-X importtime`
run, what the one-file lint spends importing.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCRIPT = ROOT / "fixtures" / "source" / "sequential_list.py"
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
BUILD = """
import os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
keras.applications.VGG16(weights=None, include_top=True).save(sys.argv[1])
"""
LOAD = (
    "import os; os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3'); import sys, keras; "
    "keras.saving.load_model(sys.argv[1], compile=False)"
)
PASS = "python -c pass"
CLICK = "python -c 'import click'"
VERSION = "kerasfix --version"
LINT = "kerasfix lint --no-cache FILE.py"
RUFF = "ruff check --no-cache FILE.py"
VGG_LINT = "kerasfix lint --no-cache vgg16.keras"
LOAD_MODEL = "keras.saving.load_model(vgg16.keras)"
NO_BYTECODE = " (no bytecode)"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU user+sys seconds) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: findings
        tail = err.decode(errors="replace")[-600:]
        raise SystemExit(f"bench: failed: {' '.join(cmd)}\n{tail}")
    return elapsed, usage.ru_utime + usage.ru_stime


def ensure_vgg16(directory: Path) -> Path:
    path = directory / "vgg16.keras"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        print(f"bench: building VGG16 (weights=None) into {path} ...", file=sys.stderr)
        env = {**os.environ, **QUIET}
        subprocess.run([sys.executable, "-c", BUILD, str(path)], check=True, env=env)
    return path


def environments(pycache: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(with bytecode in a private prefix, without bytecode) environments for the children."""
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    base.update(QUIET)
    compiled = {k: v for k, v in base.items() if k != "PYTHONDONTWRITEBYTECODE"}
    compiled["PYTHONPYCACHEPREFIX"] = str(pycache)
    return compiled, {**base, "PYTHONDONTWRITEBYTECODE": "1"}


def has_bytecode() -> bool:
    """Whether kerasfix has bytecode beside its sources (a pip install): then there is no
    "no bytecode" case to measure, PYTHONDONTWRITEBYTECODE only stops writing it."""
    import kerasfix

    return any(Path(kerasfix.__file__).parent.glob("__pycache__/*.pyc"))


def import_summary(args: list[str], env: dict[str, str], top: int = 8) -> str:
    """All import time of one `python ARGS` run and its largest top-level imports (-X
    importtime: cumulative, so a top-level line includes what that module imported)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, env=env
    )
    rows = []
    total = click = 0
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if match:
            total += int(match.group(1))
            if match.group(4) == "click":
                click = int(match.group(2))
            if not match.group(3):  # imported by the program itself, not by another module
                rows.append((int(match.group(2)), match.group(4)))
    rows.sort(reverse=True)
    shown = ", ".join(f"{name} {us / 1000:.1f}" for us, name in rows[:top])
    return (
        f"all imports {total / 1000:.1f} ms, click {click / 1000:.1f} ms of them; "
        f"largest top-level (ms, cumulative): {shown}"
    )


def machine() -> str:
    from machine_info import cpu_name  # bench/ is on sys.path: these scripts run from it

    cpu = cpu_name()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    from importlib.metadata import version

    return (
        f"CPU: {cpu}, {os.cpu_count()} logical cores; load average at start {load:.1f}; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; "
        f"kerasfix {version('kerasfix')}, click {version('click')}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each fast command")
    parser.add_argument("--load-runs", type=int, default=3, help="runs of load_model (slow)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/kerasfix-bench"))
    parser.add_argument("--no-vgg16", action="store_true", help="skip the saved-model rows")
    args = parser.parse_args()
    kerasfix = str(BIN / "kerasfix")
    ruff = shutil.which("ruff", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    pycache = Path(tempfile.mkdtemp(prefix="kerasfix-pycache-"))
    compiled, source = environments(pycache)
    lint = [kerasfix, "lint", "--no-cache", str(SCRIPT)]
    fast: dict[str, tuple[list[str], dict[str, str]]] = {
        PASS: ([sys.executable, "-c", "pass"], compiled)
    }
    if ruff:
        fast[RUFF] = ([ruff, "check", "--no-cache", "-q", str(SCRIPT)], compiled)
    fast[CLICK] = ([sys.executable, "-c", "import click"], compiled)  # the CLI's own floor
    fast[VERSION] = ([kerasfix, "--version"], compiled)
    fast[LINT] = (lint, compiled)
    if not has_bytecode():
        fast[VERSION + NO_BYTECODE] = ([kerasfix, "--version"], source)
        fast[LINT + NO_BYTECODE] = (lint, source)
    slow: dict[str, tuple[list[str], dict[str, str]]] = {}
    if not args.no_vgg16:
        model = str(ensure_vgg16(args.dir))
        fast[VGG_LINT] = ([kerasfix, "lint", "--no-cache", model], compiled)
        if not has_bytecode():
            fast[VGG_LINT + NO_BYTECODE] = ([kerasfix, "lint", "--no-cache", model], source)
        slow[LOAD_MODEL] = ([sys.executable, "-c", LOAD, model], compiled)
    try:
        for cmd, env in fast.values():  # warm-up: page cache, and the bytecode written once
            timed(cmd, env)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in {**fast, **slow}}
        for round_ in range(args.runs):
            for name, (cmd, env) in fast.items():
                samples[name].append(timed(cmd, env))
            if round_ < args.load_runs:
                for name, (cmd, env) in slow.items():
                    print(f"bench: {name} (run {round_ + 1}) ...", file=sys.stderr)
                    samples[name].append(timed(cmd, env))
        evidence = import_summary(["-m", "kerasfix", "lint", "--no-cache", str(SCRIPT)], compiled)
    finally:
        shutil.rmtree(pycache, ignore_errors=True)
    wall = {name: statistics.median(w for w, _ in runs) for name, runs in samples.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in samples.items()}
    print("## kerasfix start-up\n")
    print(f"- {machine()}")
    load_runs = f" ({min(args.runs, args.load_runs)} of load_model)" if slow else ""
    print(f"- medians of {args.runs} interleaved runs{load_runs}\n")
    print("| command (fresh process) | wall ms | CPU ms | vs `python -c pass` |")
    print("|---|---|---|---|")
    for name in samples:
        ratio = wall[name] / wall[PASS]
        print(f"| {name} | {wall[name] * 1000:.1f} | {cpu[name] * 1000:.1f} | {ratio:.1f}x |")
    print()

    def ratio(top: str, bottom: str) -> str:
        return f"{wall[top] / wall[bottom]:.1f}x wall, {cpu[top] / cpu[bottom]:.1f}x CPU"

    verdict = "met" if wall[LINT] / wall[PASS] <= 10 else "NOT met"
    print(f"- one-file lint / `python -c pass`: {ratio(LINT, PASS)} (goal <= 10x: {verdict});")
    if LINT + NO_BYTECODE in wall:
        print(f"  without bytecode {ratio(LINT + NO_BYTECODE, PASS)}")
    if slow:
        verdict = "met" if wall[LOAD_MODEL] / wall[VGG_LINT] >= 60 else "NOT met"
        print(f"- load_model / VGG16 lint: {ratio(LOAD_MODEL, VGG_LINT)} (goal >= 60x: {verdict});")
        if VGG_LINT + NO_BYTECODE in wall:
            print(f"  without bytecode {ratio(LOAD_MODEL, VGG_LINT + NO_BYTECODE)}")
    print(f"- `kerasfix lint --no-cache FILE.py`, -X importtime: {evidence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
