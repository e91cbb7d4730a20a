"""Resource limits: how much of an input kerasfix will read, and for how long.

kerasfix reads files it did not write, so every reader is bounded. Each limit has a default
that real projects never reach and an environment variable to change it (a positive
integer; anything else keeps the default). `SECURITY.md` lists them all.

| variable                      | default  | what it bounds                                   |
|-------------------------------|----------|--------------------------------------------------|
| KERASFIX_TIMEOUT              | 60       | seconds to read and lint one file (0: no limit)  |
| KERASFIX_MAX_SOURCE_BYTES     | 10 MiB   | a Python source file                             |
| KERASFIX_MAX_NOTEBOOK_BYTES   | 64 MiB   | a notebook (outputs included)                    |
| KERASFIX_MAX_CONFIG_BYTES     | 64 MiB   | a model's architecture JSON (.keras/.h5/.pb x4)  |
| KERASFIX_MAX_LAYERS           | 200000   | layers in one model file, nested models included |

Fixed limits (not configurable): models nested at most 64 deep, at most 100,000 archive
members, a compression ratio of at most 200 for members over 1 MiB (a zip bomb), 1 MiB of
`metadata.json`, 1,000,000 weight tensors.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

MIB = 1024 * 1024
DEFAULT_TIMEOUT = 60
DEFAULT_MAX_SOURCE_BYTES = 10 * MIB
DEFAULT_MAX_NOTEBOOK_BYTES = 64 * MIB
DEFAULT_MAX_CONFIG_BYTES = 64 * MIB
DEFAULT_MAX_LAYERS = 200_000

# Source frontend and graph inference (fixed; they bound work, not what a file may contain).
MAX_STEPS = 400_000  # evaluation steps per file: bounds time on pathological input
MAX_CALL_DEPTH = 24  # nested calls of functions the file defines
MAX_UNROLL = 256  # loop iterations (and range() or string lengths) followed one by one
MAX_ITEMS = 10_000  # longest string, tuple or list an operation may build
MAX_RECOVERIES = 64  # statements skipped around syntax errors before giving up
RECOVERY_BUDGET_CHARS = 4_000_000  # characters re-parsed in all while recovering
MAX_NESTING = 64  # models used as layers inside models, for shape inference


def env_int(name: str, default: int, *, allow_zero: bool = False) -> int:
    """The integer in environment variable `name`, or `default` when unset or invalid."""
    value = os.environ.get(name, "").strip()
    if not value.isdigit():
        return default
    number = int(value)
    return number if number > 0 or (allow_zero and number == 0) else default


def timeout_seconds() -> int:
    return env_int("KERASFIX_TIMEOUT", DEFAULT_TIMEOUT, allow_zero=True)


def max_source_bytes() -> int:
    return env_int("KERASFIX_MAX_SOURCE_BYTES", DEFAULT_MAX_SOURCE_BYTES)


def max_notebook_bytes() -> int:
    return env_int("KERASFIX_MAX_NOTEBOOK_BYTES", DEFAULT_MAX_NOTEBOOK_BYTES)


def max_config_bytes() -> int:
    return env_int("KERASFIX_MAX_CONFIG_BYTES", DEFAULT_MAX_CONFIG_BYTES)


def max_layers() -> int:
    return env_int("KERASFIX_MAX_LAYERS", DEFAULT_MAX_LAYERS)


# Saved-model files (fixed). A real config.json is kilobytes to a few megabytes
# (EfficientNetB7: about 1 MB), far under KERASFIX_MAX_CONFIG_BYTES.
MAX_MODEL_DEPTH = 64  # models nested in models
MAX_ARCHIVE_MEMBERS = 100_000
MAX_METADATA_BYTES = MIB  # a .keras archive's metadata.json
# JSON compresses well, but not this well: a higher ratio on a member over 1 MiB is a zip bomb.
MAX_COMPRESSION_RATIO = 200
COMPRESSION_CHECKED_BYTES = MIB
MAX_WEIGHT_TENSORS = 1_000_000  # datasets counted in a weights file


class FileTimeout(BaseException):
    """One file took longer than the timeout.

    A BaseException, like KeyboardInterrupt, so the readers' `except Exception` fallbacks
    cannot swallow it; `file_check.check_file` turns it into a one-line error.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"analysis timed out after {seconds:g} s (raise KERASFIX_TIMEOUT)")


class Deadline:
    """What a `time_limit` block knows afterwards: whether its timer fired."""

    def __init__(self) -> None:
        self.expired = False
        self.message = ""


@contextmanager
def time_limit(seconds: float | None = None, deadline: Deadline | None = None) -> Iterator[None]:
    """Raise `FileTimeout` in this block after `seconds` (default: `KERASFIX_TIMEOUT`).

    Uses SIGALRM, so it works only in the main thread of a process on POSIX; elsewhere, or
    when a timer is already armed (pytest-timeout, an enclosing `time_limit`), the block
    runs without a limit rather than disturb the other timer. Each worker process of a
    parallel run arms its own timer. Long C calls (one huge `json.loads`) are interrupted
    when they return, which is why the size limits exist too.

    Raised inside some C code (`ast.parse`), the exception can come out as another one
    (SystemError); and a reader's fallback may swallow it. So the timer re-arms every 0.1 s
    until the block ends, and `deadline.expired` tells the caller the truth either way.
    """
    limit = timeout_seconds() if seconds is None else seconds
    if (
        limit <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return
    state = {"active": True}
    deadline = deadline if deadline is not None else Deadline()

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        if state["active"]:
            error = FileTimeout(limit)
            deadline.expired, deadline.message = True, str(error)
            signal.setitimer(signal.ITIMER_REAL, 0.1)  # again, should this one be swallowed
            raise error

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        state["active"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
