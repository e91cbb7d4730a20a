"""Which findings a fix run may touch, and what each one becomes (after Ruff's fix safety).

Both fixes change behaviour ("unsafe" in the rule catalogue). KF001's is still applied by
plain `--fix`, as if Ruff's `extend-safe-fixes = ["KF001"]` were set: the sizes are known,
the rewrite is local, and replacing `Flatten` is why the rule exists. The architecture does
change (saved weights no longer fit, the model must be retrained), so every fix report says
so. KF002 needs `--unsafe-fixes`: with the size unknown, the saving cannot be shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from kerasfix.checks.flatten_dense import PoolingFacts
from kerasfix.checks.sequence_heads import VOLUME_SEQUENCE_POOLING
from kerasfix.findings import Finding
from kerasfix.rule_registry import all_rules

POOLING_PREFIX = {"avg": "GlobalAveragePooling", "max": "GlobalMaxPooling"}
# The rules with a fix, and those whose fix waits for `--unsafe-fixes`, as registered (a
# test holds the registry and each rule's page together, so `kerasfix rule`, SARIF
# metadata and this policy cannot disagree).
FIXABLE_RULES = tuple(rule.code for rule in all_rules() if rule.fix != "never")
UNSAFE_RULES = frozenset(
    rule.code for rule in all_rules() if rule.fix != "never" and rule.fix_applied_by != "--fix"
)


@dataclass(frozen=True)
class FixOptions:
    """What the user asked for: `--pooling avg|max` and `--unsafe-fixes`."""

    pooling: str = "avg"
    unsafe_fixes: bool = False


def target_name(finding: Finding, pooling: str = "avg") -> str | None:
    """`GlobalAveragePooling2D` (or the max variant) for a finding, None if the rank is unknown."""
    data = finding.data
    suggestion = (data.suggestion if isinstance(data, PoolingFacts) else None) or ""
    if isinstance(data, PoolingFacts) and data.time_first:  # "Permute((2, 1, 3, 4)) then ..."
        suggestion = suggestion.rpartition(" then ")[2].partition("(")[0]
    prefix = "GlobalAveragePooling"
    if not suggestion.startswith(prefix) or suggestion[len(prefix) :] not in ("1D", "2D", "3D"):
        return None
    return POOLING_PREFIX[pooling] + suggestion[len(prefix) :]


def permute_dims(finding: Finding) -> tuple[int, ...] | None:
    """The `Permute` written before the pooling of a (time, channels, *spatial) map: time
    and channels swap, so channels_first pooling keeps the channels; None for other maps."""
    data = finding.data
    if not isinstance(data, PoolingFacts) or not data.time_first or data.shape is None:
        return None
    return (2, 1, *range(3, len(data.shape) + 1))


def replacement(finding: Finding, pooling: str = "avg") -> str | None:
    """What the fix writes for Flatten, as reports and editor actions name it:
    `GlobalAveragePooling2D`, or `Permute((2, 1, 3, 4)) + GlobalAveragePooling3D`."""
    name, dims = target_name(finding, pooling), permute_dims(finding)
    return f"Permute({dims}) + {name}" if name is not None and dims is not None else name


def has_fix(finding: Finding) -> bool:
    """A source-code site with a known rank: a fix exists (whether or not it is applied)."""
    return (
        finding.rule in FIXABLE_RULES
        and finding.span is not None
        and target_name(finding) is not None
        and not (
            isinstance(finding.data, PoolingFacts)
            and (finding.data.fixed_width_head or finding.data.row_reshape)
        )
    )


def why_no_fix(finding: Finding) -> str | None:
    """Why a KF001/KF002 finding has no automatic fix (None when it has one)."""
    if finding.rule not in FIXABLE_RULES or has_fix(finding):
        return None
    if finding.span is None:
        return "it is in a saved model: `kerasfix rewrite` rewrites model files"
    data = finding.data
    if isinstance(data, PoolingFacts) and data.fixed_width_head:
        return (
            f"the Dense is in the nested model '{data.fixed_width_head}', which declares its "
            "input width; replace Flatten and that input by hand"
        )
    if isinstance(data, PoolingFacts) and data.row_reshape:
        return (
            f"the flattened vector passes through {data.row_reshape}, a Reshape to one row "
            "of its exact width, which pooling would change; replace Flatten and that "
            "Reshape by hand"
        )
    if isinstance(data, PoolingFacts) and data.suggestion == VOLUME_SEQUENCE_POOLING:
        return (
            "pooling a sequence of volumes keeping its channels takes two layers "
            f"({data.suggestion}), which the fix does not write; replace Flatten by hand"
        )
    return (
        "the rank of the feature map entering Flatten is unknown, so the pooling layer "
        "(1D, 2D or 3D) cannot be chosen; replace it by hand or suppress it"
    )


def needs_unsafe_flag(finding: Finding) -> bool:
    """True where only `--unsafe-fixes` applies the fix (KF002: the size is unknown)."""
    return finding.rule in UNSAFE_RULES


def should_fix(finding: Finding, options: FixOptions) -> bool:
    if not has_fix(finding):
        return False
    return options.unsafe_fixes or not needs_unsafe_flag(finding)
