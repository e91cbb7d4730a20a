"""Size limits that keep reading a hostile model file bounded in time and memory.

A real config.json is kilobytes to a few megabytes (EfficientNetB7: about 1 MB); 64 MiB
leaves room for huge graphs while refusing anything that would exhaust memory.
`KERASFIX_MAX_CONFIG_BYTES` raises or lowers the cap.
"""

from __future__ import annotations

DEFAULT_MAX_CONFIG_BYTES = 64 * 1024 * 1024
MAX_METADATA_BYTES = 1024 * 1024
# JSON compresses well, but not this well: a higher ratio on a big member is a zip bomb.
MAX_COMPRESSION_RATIO = 200
MAX_MEMBERS = 100_000


def max_config_bytes() -> int:
    from kerasfix.limits import max_config_bytes as configured

    return configured()
