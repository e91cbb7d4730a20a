"""Keep TensorFlow's start-up chatter off the user's terminal, and nothing else.

When `--init calibrate` or `--verify-data` loads Keras in this process, TensorFlow's native
code writes INFO lines (oneDNN, cpu_feature_guard) straight to file descriptor 2, and
TensorFlow 2.21 does so whatever TF_CPP_MIN_LOG_LEVEL says. So while Keras works, fd 2 goes
to a temporary file (Python's `sys.stderr` keeps writing to the terminal); afterwards every
captured line is replayed except known native INFO/WARNING log lines. Errors (`E`/`F`
lines), Python warnings and tracebacks all still reach stderr.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

# Set before TensorFlow is first imported; the user's own setting wins.
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2"}

NOISE = re.compile(
    r"^(?:"
    r"[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.]+:\d+\] .*"  # absl INFO/WARNING line
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .*in other operations, rebuild TensorFlow.*"
    r")$"
)


def is_noise(line: str) -> bool:
    return NOISE.match(line.rstrip("\r\n")) is not None


def _writes_to_fd_2(stream: object) -> bool:
    try:
        return stream.fileno() == 2  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


def prepare_environment() -> None:
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)


@contextlib.contextmanager
def quiet_tensorflow() -> Iterator[None]:
    """Run the block with native log noise on fd 2 filtered out (replayed when it ends)."""
    prepare_environment()
    try:
        saved = os.dup(2)
    except OSError:  # no fd 2 to redirect
        yield
        return
    sys.stderr.flush()
    python_stderr = sys.stderr
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        if _writes_to_fd_2(python_stderr):  # Python's own messages (progress bars) stay live
            sys.stderr = open(os.dup(saved), "w", buffering=1, errors="backslashreplace")  # noqa: SIM115
        try:
            yield
        finally:
            if sys.stderr is not python_stderr:
                with contextlib.suppress(Exception):
                    sys.stderr.close()
                sys.stderr = python_stderr
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", "replace")
            kept = [line for line in text.splitlines(keepends=True) if not is_noise(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()
