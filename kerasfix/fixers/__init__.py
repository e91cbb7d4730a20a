"""Fixers: rewrite the code behind findings (`kerasfix lint --fix` / `--diff`).

`run.fix_result` takes a `LintResult` (already filtered by selection, config and
suppressions) and fixes each file through the LibCST codemod in `codemod`; `policy` says
which findings may be fixed. LibCST is imported only when a file is actually fixed.
"""

from __future__ import annotations

from kerasfix.fixers.policy import FixOptions

__all__ = ["FixOptions"]
