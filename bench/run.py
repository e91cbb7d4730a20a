"""kerasfix speed against its peers: one command, its own environment, one table.

    python bench/run.py [--runs 5] [--files 300] [--saved-model] [--skip-slow]

With --saved-model it then runs bench_saved_model.py, bench_rewrite.py and bench_startup.py
(cold start-up: one-file lint and VGG16 lint against `python -c pass` and load_model).

Creates bench/.env/main (kerasfix from this checkout, non-editable so its bytecode is
compiled as for any user; ruff, pylint, fixit, keras + tensorflow-cpu for the keras sources
and `import keras`) and bench/.env/dslinter (dslinter 2.0.9 needs pylint 2.12 / astroid 2.9
and mypy 0.931; pinned below to versions that install and run on Python 3.11). Then times,
side by side in the same run, each tool as a whole process (start-up included), the
fast tools N times interleaved (medians), the slow ones (pylint, pylint+dslinter, fixit)
once, and prints a markdown table with the machine described.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = HERE / ".env"
MAIN = ENV / "main"
DSL = ENV / "dslinter"

MAIN_PACKAGES = ["ruff", "pylint", "fixit", "keras>=3.3", "tensorflow-cpu>=2.16"]
# dslinter 2.0.9 pins pylint 2.12 / astroid 2.9, whose wrapt<1.14 pin does not build on 3.11;
# astroid 2.9.3 runs with wrapt 1.14.1, so the stack is installed with --no-deps.
DSL_PACKAGES = [
    "dslinter==2.0.9",
    "pylint==2.12.2",
    "astroid==2.9.3",
    "wrapt==1.14.1",
    "mypy==0.931",
    "data-science-types==0.2.23",
    "pyspark-stubs==3.0.0.post3",
    "lazy-object-proxy==1.10.0",
    "isort==5.13.2",
    "mccabe==0.6.1",
    "toml==0.10.2",
    "platformdirs==4.2.2",
    "typing-extensions==4.12.2",
    "mypy-extensions==1.0.0",
    "tomli==2.0.1",
    "setuptools==70.0.0",
]
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}


def sh(cmd: Sequence[str | Path]) -> None:
    subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL)


def ensure_envs() -> None:
    """Create the two venvs once; `pip install` re-runs are no-ops when satisfied."""
    for env in (MAIN, DSL):
        if not (env / "bin" / "python").exists():
            sh([sys.executable, "-m", "venv", env])
    pip = [MAIN / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    print("bench: installing kerasfix and peers into bench/.env/main ...", file=sys.stderr)
    sh([*pip, *MAIN_PACKAGES])
    sh([*pip, "--force-reinstall", "--no-deps", ROOT])  # this checkout, bytecode compiled
    sh([*pip, ROOT])  # its dependencies
    dpip = [DSL / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    print("bench: installing pylint + dslinter into bench/.env/dslinter ...", file=sys.stderr)
    sh([*dpip, "--no-deps", *DSL_PACKAGES])


def run_once(cmd: Sequence[str | Path], cwd: Path) -> float:
    env = {**os.environ, **QUIET_ENV}
    start = time.perf_counter()
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    elapsed = time.perf_counter() - start
    if proc.returncode >= 32 or proc.returncode < 0:  # linters exit 1..31 on findings
        tail = proc.stderr.decode(errors="replace")[-600:]
        raise SystemExit(f"bench: {cmd[0]} failed ({proc.returncode}):\n{tail}")
    return elapsed


def measure(
    tools: dict[str, list[str | Path]], cwd: Path, runs: int, once: Sequence[str] = ()
) -> dict[str, float]:
    """Median wall seconds per tool; runs are interleaved so all see the same machine state."""
    for name, cmd in tools.items():  # warm the page cache (and compile nothing by surprise)
        if name not in once:
            run_once(cmd, cwd)
    samples: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(runs):
        for name, cmd in tools.items():
            if name not in once:
                samples[name].append(run_once(cmd, cwd))
    for name in once:
        print(f"bench: {name} (single run, may take minutes) ...", file=sys.stderr)
        samples[name].append(run_once(tools[name], cwd))
    return {name: statistics.median(values) for name, values in samples.items()}


def version(cmd: list[str | Path]) -> str:
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=QUIET_ENV)
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "?"


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def machine(load_at_start: float) -> str:
    from machine_info import cpu_name  # bench/ is on sys.path: these scripts run from it

    cpu = cpu_name()
    py = subprocess.run(
        [MAIN / "bin" / "python", "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
    ).stdout.strip()

    def mod(env: Path, name: str) -> str:
        return version([env / "bin" / "python", "-c", f"import {name};print({name}.__version__)"])

    bits = [
        f"CPU: {cpu}, {os.cpu_count()} logical cores; load average (1 min) "
        f"{load_at_start:.1f} at start, {load_average():.1f} at end",
        f"OS: {platform.system()} {platform.release()}; Python {py}",
        f"kerasfix {version([MAIN / 'bin' / 'kerasfix', '--version'])}; "
        f"{version([MAIN / 'bin' / 'ruff', '--version'])}; pylint {mod(MAIN, 'pylint')}; "
        f"fixit {mod(MAIN, 'fixit')}; dslinter 2.0.9 on pylint {mod(DSL, 'pylint')}; "
        f"keras {mod(MAIN, 'keras')}",
    ]
    return "\n".join(f"- {b}" for b in bits)


def row(workload: str, name: str, seconds: float, base: float, note: str = "") -> str:
    ratio = seconds / base
    return f"| {workload} | {name} | {seconds:.3f} | {ratio:.2f}x | {note} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per fast tool (median)")
    parser.add_argument("--files", type=int, default=300, help="Keras-heavy corpus size")
    parser.add_argument("--skip-slow", action="store_true", help="skip pylint/dslinter/fixit")
    parser.add_argument(
        "--saved-model", action="store_true", help="also run the saved-model benches"
    )
    parser.add_argument("--no-install", action="store_true", help="reuse bench/.env as it is")
    args = parser.parse_args()
    if not args.no_install:
        ensure_envs()
    sys.path.insert(0, str(HERE))
    from corpus import generate

    load_at_start = load_average()  # machine() runs after the timings
    bin_ = MAIN / "bin"
    kf, ruff, pylint = bin_ / "kerasfix", bin_ / "ruff", bin_ / "pylint"
    lines = ["| workload | tool | median s | vs kerasfix | note |", "|---|---|---|---|---|"]
    work = Path(tempfile.mkdtemp(prefix="kerasfix-bench-"))
    try:
        # (a) large repository: keras/src copied out of site-packages.
        keras_src = subprocess.run(
            [bin_ / "python", "-c", "import keras,os;print(os.path.dirname(keras.__file__))"],
            capture_output=True,
            text=True,
            env={**os.environ, **QUIET_ENV},
            check=True,
        ).stdout.strip()
        repo = work / "keras_repo"
        shutil.copytree(
            Path(keras_src) / "src", repo / "src", ignore=shutil.ignore_patterns("__pycache__")
        )
        files = sum(1 for _ in repo.rglob("*.py"))
        lines_of_code = sum(p.read_bytes().count(b"\n") for p in repo.rglob("*.py"))
        tools = {
            "kerasfix lint --no-cache": [kf, "lint", "--no-cache", "--exit-zero", "src"],
            "ruff check --select ALL --no-cache": [
                ruff,
                "check",
                "--select",
                "ALL",
                "--no-cache",
                "-q",
                "src",
            ],
            "kerasfix lint (cached, 2nd run)": [kf, "lint", "--exit-zero", "src"],
            "ruff check --select ALL (cached)": [ruff, "check", "--select", "ALL", "-q", "src"],
        }
        slow = []
        if not args.skip_slow:
            tools["pylint --jobs 2 (1 run)"] = [pylint, "--jobs", "2", "src"]
            slow.append("pylint --jobs 2 (1 run)")
        res = measure(tools, repo, args.runs, once=slow)
        base = res["kerasfix lint --no-cache"]
        label = f"(a) keras/src, {files} files, {lines_of_code:,} lines"
        for name, seconds in res.items():
            lines.append(row(label, name, seconds, base))

        # (b) Keras-heavy corpus.
        corpus = work / "corpus"
        generate(corpus, files=args.files, seed=7)
        tools = {
            "kerasfix lint --no-cache": [kf, "lint", "--no-cache", "--exit-zero", "."],
            "ruff check --select ALL --no-cache": [
                ruff,
                "check",
                "--select",
                "ALL",
                "--no-cache",
                "-q",
                ".",
            ],
            "ruff check (default rules) --no-cache": [ruff, "check", "--no-cache", "-q", "."],
            "kerasfix lint (cached, 2nd run)": [kf, "lint", "--exit-zero", "."],
        }
        slow = []
        if not args.skip_slow:
            tools["fixit lint (1 run)"] = [bin_ / "fixit", "lint", "."]
            scripts = [str(p.relative_to(corpus)) for p in sorted(corpus.rglob("*.py"))]
            tools["pylint --load-plugins=dslinter --jobs 2 (1 run)"] = [
                DSL / "bin" / "pylint",
                "--load-plugins=dslinter",
                "--jobs",
                "2",
                *scripts,
            ]
            slow += ["fixit lint (1 run)", "pylint --load-plugins=dslinter --jobs 2 (1 run)"]
        res = measure(tools, corpus, args.runs, once=slow)
        base = res["kerasfix lint --no-cache"]
        label = f"(b) generated Keras corpus, {args.files} scripts+notebooks"
        for name, seconds in res.items():
            note = "Python files only (no notebooks)" if "pylint" in name or "fixit" in name else ""
            lines.append(row(label, name, seconds, base, note))

        # (c) one file, cold start (pre-commit).
        one = sorted(corpus.rglob("model_*.py"))[0]
        tools = {
            "kerasfix lint --no-cache FILE": [kf, "lint", "--no-cache", "--exit-zero", one],
            "ruff check --no-cache FILE": [ruff, "check", "--no-cache", "-q", one],
            'python -c "import keras"': [bin_ / "python", "-c", "import keras"],
            'python -c "pass"': [bin_ / "python", "-c", "pass"],
        }
        res = measure(tools, corpus, max(args.runs, 10))
        base = res["kerasfix lint --no-cache FILE"]
        for name, seconds in res.items():
            lines.append(row("(c) one script, cold process", name, seconds, base))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("## kerasfix benchmark\n")
    print(machine(load_at_start))
    print(f"- medians of {args.runs} interleaved runs after a warm-up (slow peers: 1 run)\n")
    print("\n".join(lines))
    for extra in ("bench_saved_model.py", "bench_rewrite.py", "bench_startup.py"):
        script = HERE / extra
        if args.saved_model and script.exists():
            print(f"\n### {extra}\n", flush=True)
            subprocess.run([bin_ / "python", script], check=False, env={**os.environ, **QUIET_ENV})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
