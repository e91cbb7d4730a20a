"""Whether a fix did what it set out to do: judged on the findings, not on the whole file.

After the fix the file is linted again. Every finding the fix did not touch must still be
there (matched by what it says, not where: an added import moves lines), the fixed ones must
be gone, and nothing new may appear. A fix of one finding (an editor's quick fix) so leaves
the file's other findings alone instead of being refused because a second pass would fix them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from kerasfix.findings import Finding

# Where a finding is (and the message, which may name a line) moves when lines are added.
_POSITIONAL = frozenset({"path", "line", "column", "end_line", "end_column", "message"})


def identity(finding: Finding) -> str:
    """What a finding is, whatever line it moved to: rule, severity, cell, layer and facts."""
    facts = {k: v for k, v in finding.to_dict().items() if k not in _POSITIONAL}
    return json.dumps(facts, sort_keys=True, default=str)


def unaccounted(after: Sequence[Finding], untouched: Sequence[Finding]) -> list[Finding]:
    """The findings of the fixed file that are not one of `untouched` (the findings the fix
    left alone): a fixed finding still there, or a new one. Counted, so two identical models
    in one file are two findings. Only the rules with a fix are compared: their findings are
    the ones a fix changes, and another rule's facts may name a line an import moved."""
    from kerasfix.fixers.policy import FIXABLE_RULES

    left = Counter(identity(f) for f in untouched if f.rule in FIXABLE_RULES)
    extra = []
    for finding in (f for f in after if f.rule in FIXABLE_RULES):
        key = identity(finding)
        if left[key]:
            left[key] -= 1
        else:
            extra.append(finding)
    return extra
