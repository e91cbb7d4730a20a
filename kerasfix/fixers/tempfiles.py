"""Names for temporary files beside a target, and the sweep of ones a killed run left.

A `kill -9` between creating a temporary and renaming it into place cannot be caught, so
every temporary carries its writer's pid; the next write of the same target removes the
ones whose writer is gone. Shared by `--fix` and `kerasfix rewrite`.
"""

from __future__ import annotations

import contextlib
import glob
import os
from pathlib import Path

SUFFIX = ".kerasfix-tmp"


def temp_prefix(target: Path) -> str:
    """`.NAME.PID.`: hidden, tied to the target, and to the process that writes it."""
    return f".{target.name}.{os.getpid()}."


def remove_stale(target: Path) -> None:
    """Delete temporaries that a killed earlier write of `target` left (dead pid only)."""
    for path in target.parent.glob(f".{glob.escape(target.name)}.*{SUFFIX}"):
        parts = path.name[len(target.name) + 2 :].split(".")
        if parts and parts[0].isdigit() and not _alive(int(parts[0])):
            with contextlib.suppress(OSError):
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
