"""Rule options with the defaults the rule catalogue documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kerasfix.findings import Severity


@dataclass(frozen=True)
class RuleOptions:
    """KF001 size thresholds, in parameters of the Dense that follows Flatten.

    Defaults: 10M parameters is 38.1 MiB of float32 weights in one layer, the size at which
    users report out-of-memory errors; 100k is where the Dense starts to dominate a small CNN.
    """

    TABLE: ClassVar[str] = "kf001"  # read from [tool.kerasfix.kf001]

    min_params: int = 0
    warning_params: int = 100_000
    error_params: int = 10_000_000

    def validate(self) -> str | None:
        """Why these values cannot be used together (None when they can)."""
        if self.warning_params > self.error_params:
            return (
                f"'kf001.warning-params' ({self.warning_params}) must not exceed "
                f"'kf001.error-params' ({self.error_params})"
            )
        return None

    def severity_for(self, params: int | None) -> Severity:
        if params is None:
            return Severity.WARNING
        if params >= self.error_params:
            return Severity.ERROR
        if params >= self.warning_params:
            return Severity.WARNING
        return Severity.INFO
