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
| KERASFIX_MAX_MEMORY           | 512      | MiB of memory to read and lint one file (0: none) |

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
# A parse tree takes about 200 bytes per character of dense code: 512 MiB is a 2.5 MiB script
# (real ones are under 1 MiB), and stops a generated 9 MiB one at a quarter of the 1.9 GB its
# parse alone would take.
DEFAULT_MAX_MEMORY_MIB = 512

# Source frontend and graph inference (fixed; they bound work, not what a file may contain).
MAX_STEPS = 200_000  # evaluation steps per run of a file: bounds time (about 0.6 s on this machine)
MAX_CALL_DEPTH = 24  # nested calls of functions the file defines
MAX_UNROLL = 256  # loop iterations (and range() or string lengths) followed one by one
MAX_ITEMS = 10_000  # longest string, tuple or list an operation may build
MAX_RECOVERIES = 64  # statements skipped around syntax errors before giving up
MAX_WORLDS = 8  # alternative worlds (undecided branches) analysed per file
MAX_RUNS = 8  # runs of one file to explore them
WORLD_STEPS = 200_000  # no new run once the runs so far took this many evaluation steps
# The project's other files, read for a file's imports (project_imports.py).
MAX_IMPORT_DEPTH = 4  # files importing files: main -> a -> b -> c -> d
MAX_MODULES = 64  # distinct project files run for one analysis
MAX_MODULE_STEPS = 20_000  # evaluation steps of one imported file's top level
MAX_MODULE_BYTES = 1_000_000  # a larger project file is not read (generated data, not code)
# The project's files that call a builder whose Flatten its own file cannot size
# (caller_sizes.py): files looked at for the builder's names, and callers analysed.
MAX_CALLER_SCAN = 2_000  # .py and .ipynb files under the project root read for the names
MAX_CALLERS = 8  # files naming the module and the builder analysed as callers
MAX_SAVER_FILES = 8  # project files spelling a loaded file's name read to find who saved it
MAX_BASES = 20  # depth of project base classes followed for inherited methods
MAX_CALLER_NOTEBOOK_BYTES = 8_000_000  # a larger notebook (outputs included) is not read
MAX_COMPONENT = 10_000  # layer nodes taken from one caller for one Flatten of the builder
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


def max_memory_bytes() -> int:
    """Memory one file's read and lint may add to the process, in bytes (0: no limit)."""
    return env_int("KERASFIX_MAX_MEMORY", DEFAULT_MAX_MEMORY_MIB, allow_zero=True) * MIB


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


class MemoryBound:
    """What a `memory_limit` block knows: whether a limit was set, and how to say it."""

    def __init__(self) -> None:
        self.budget = 0  # bytes; 0 when no limit was set

    def message(self) -> str:
        """The one line for a MemoryError inside the block."""
        if not self.budget:
            return "too large to analyse in memory"
        return (
            f"analysis stopped: over the {self.budget // MIB:,} MiB memory limit "
            "(raise KERASFIX_MAX_MEMORY)"
        )


@contextmanager
def memory_limit(budget: int | None = None, bound: MemoryBound | None = None) -> Iterator[None]:
    """Make allocations in this block fail with MemoryError once the process has grown by
    `budget` bytes (default: `KERASFIX_MAX_MEMORY`).

    The time limit cannot stop a parse of a huge generated file (one C call that allocates
    gigabytes before it returns); an address-space limit (RLIMIT_AS) can. It is the process's,
    so it is set only in a process of one thread (the CLI, the pre-commit hook, a parallel
    worker: never a Jupyter kernel or a program running TensorFlow, whose other threads would
    meet it too), only where none is set lower, and only on Linux, where the current size is
    known (/proc/self/statm); elsewhere the block runs without it.
    """
    limit = max_memory_bytes() if budget is None else budget
    bound = bound if bound is not None else MemoryBound()
    previous = _address_space_limit()
    current = _address_space_size()
    if (
        limit <= 0
        or previous is None
        or current is None
        or threading.current_thread() is not threading.main_thread()
        or _thread_count() != 1
    ):
        yield
        return
    import resource

    soft, hard = previous
    wanted = current + limit
    if (soft != resource.RLIM_INFINITY and soft <= wanted) or (
        hard != resource.RLIM_INFINITY and hard < wanted
    ):
        yield  # a lower limit is already set (by the user, or an enclosing block)
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    bound.budget = limit
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_limit() -> tuple[int, int] | None:
    try:
        import resource

        return resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, AttributeError, OSError, ValueError):
        return None


def _address_space_size() -> int | None:
    """The process's virtual size in bytes (what RLIMIT_AS counts), None off Linux."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _thread_count() -> int | None:
    """The process's OS threads (native ones included, which `threading` does not see)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None
