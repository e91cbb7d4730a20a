"""Run a `kerasfix` command through its console entry point in this worker.

A fresh `python -m kerasfix rewrite` starts TensorFlow (seconds of CPU) before it verifies;
in a worker that has already imported Keras the same entry point costs only the work. For
tests of what a command writes, reports and exits with; tests of what a fresh process prints
(start-up noise, environment settings) keep their subprocess.
"""

from __future__ import annotations

import contextlib
import io
import subprocess

from kerasfix.cli import main


def run_here(*args: str) -> subprocess.CompletedProcess[str]:
    """(exit code, stdout, stderr) of `kerasfix ARGS`, as `subprocess.run` would give them."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(["kerasfix", *args], code, out.getvalue(), err.getvalue())
