"""Label SFData's Keras programs by running them in Keras (tiny data, one short epoch).

For each program of Tensfa's SFData whose fixed version uses Keras, three runs, each in a
fresh forked process (keras_prelude.py imported once, first): the runnable buggy version
(`*_context.py`), the fix (`*_ground_truth.py`), and the Stack Overflow file alone
(`*_original.py`, with the fix's import lines put in front, Python 2 statements
rewritten). The outcome of each run is the label: it ran, or the exception, its first line
and the phase (building the model, or feeding it data). A fault is *decidable from the
file* when the file alone crashes with a shape error. Writes labels.json: references
(repository, commit, paths) and outcomes only; no third-party file is copied here.

    python bench/shape_faults/label.py [--mirror /work/.mirror/tensfa+tensfa/repo]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = "tensfa/tensfa"
COMMIT = "415dcfaec589b0b14c5b9864872c912f3851b383"
DIRS = ("SFData/ICSE2020", "SFData/StackOverflow", "SFData/ISSTA2018/TensorShapeFault")
USES_KERAS = re.compile(
    r"^\s*(?:import keras|from keras|from tensorflow\.keras|from tensorflow import keras|"
    r"import tensorflow\.keras)|tf\.keras|\bkeras\.",
    re.M,
)
IMPORT_LINE = re.compile(r"^(?:import |from \S+ import )")
SHAPE_ERROR = re.compile(
    r"shape|ndim|dimension|incompatible|rank|negative|cardinality|expected axis|"
    r"must have the same|cannot reshape|size",
    re.I,
)
SHAPE_TYPES = ("ValueError", "InvalidArgumentError", "IndexError")
TIMEOUT = 240


def git_show(mirror: Path, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(mirror), "show", f"{COMMIT}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def programs(mirror: Path) -> list[str]:
    listing = subprocess.run(
        ["git", "-C", str(mirror), "ls-tree", "-r", "--name-only", COMMIT, "SFData"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    stems = sorted(p[: -len("_ground_truth.py")] for p in listing if p.endswith("_ground_truth.py"))
    return [s for s in stems if s.rsplit("/", 1)[0] in DIRS]


class Runner:
    """A fork server: Keras is imported once (keras_prelude.py), and each program runs in a
    forked child, so each starts from the same fresh state without paying the import."""

    def __init__(self) -> None:
        prelude = (HERE / "keras_prelude.py").read_text(encoding="utf-8")
        exec(compile(prelude, "keras_prelude.py", "exec"), {"__name__": "keras_prelude"})

    def run(self, code: str) -> dict[str, object]:
        """Run code in a forked child (own temporary folder, stderr captured); its outcome."""
        with tempfile.TemporaryDirectory() as tmp:
            err = Path(tmp) / "stderr"
            pid = os.fork()
            if pid == 0:  # the child: run the program, report through the prelude's hook
                os.chdir(tmp)
                fd = os.open(err, os.O_WRONLY | os.O_CREAT)
                os.dup2(fd, 2)
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
                try:
                    program = {"__name__": "__main__", "__file__": str(Path(tmp) / "program.py")}
                    exec(compile(code, "program.py", "exec"), program)
                except BaseException as exc:  # the outcome being labelled
                    sys.excepthook(type(exc), exc, exc.__traceback__)
                    os._exit(1)
                os._exit(0)
            status = _wait(pid, TIMEOUT)
            stderr = err.read_text(encoding="utf-8", errors="replace") if err.exists() else ""
        if status is None:
            return {"ran": False, "error": "timeout", "phase": None, "shape_error": False}
        if status == 0:
            return {"ran": True, "error": None, "phase": None, "shape_error": False}
        outcome = re.search(r"KF-OUTCOME phase=(\w+) (.*)", stderr)
        if outcome is None:
            last = (stderr.strip().splitlines() or [f"exit status {status}"])[-1]
            return {"ran": False, "error": last[:400], "phase": None, "shape_error": False}
        phase, error = outcome.group(1), outcome.group(2)
        kind = error.split(":", 1)[0]
        shape = kind in SHAPE_TYPES and SHAPE_ERROR.search(error) is not None
        return {"ran": False, "error": error, "phase": phase, "shape_error": shape}


def _wait(pid: int, timeout: float) -> int | None:
    """The child's exit status, or None after killing it at the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def label(runner: Runner, mirror: Path, stem: str) -> dict[str, object] | None:
    from kerasfix.frontends.source import python2_to_3

    fixed = git_show(mirror, f"{stem}_ground_truth.py")
    if not USES_KERAS.search(fixed):
        return None
    buggy = git_show(mirror, f"{stem}_context.py")
    original = python2_to_3(git_show(mirror, f"{stem}_original.py"))
    imports = "\n".join(line for line in fixed.splitlines() if IMPORT_LINE.match(line))
    entry: dict[str, object] = {
        "id": stem.rsplit("/", 1)[-1],
        "repo": REPO,
        "commit": COMMIT,
        "original": f"{stem}_original.py",
        "buggy_runnable": f"{stem}_context.py",
        "fixed": f"{stem}_ground_truth.py",
        "buggy_run": runner.run(buggy),
        "fixed_run": runner.run(fixed),
        "file_alone_run": runner.run(imports + "\n" + original),
    }
    return entry


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror/tensfa+tensfa/repo"))
    parser.add_argument("--out", type=Path, default=HERE / "labels.json")
    args = parser.parse_args()
    labelled = []
    runner = Runner()
    for stem in programs(args.mirror):
        entry = label(runner, args.mirror, stem)
        if entry is None:
            continue
        labelled.append(entry)
        print(entry["id"], entry["buggy_run"], entry["fixed_run"], entry["file_alone_run"],
              flush=True)  # fmt: skip
        args.out.write_text(json.dumps(labelled, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
