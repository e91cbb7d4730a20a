"""Registry of layer families: one `LayerSpec` per Keras class name.

Each family module (conv, pooling, reshaping, ...) registers the layers it knows, with the
output-shape and parameter arithmetic of that family, mirroring how Keras keeps
`compute_output_shape` beside each layer family. Everything else looks layers up here.
The families are imported on the first lookup (most files kerasfix reads never need them);
they register into `kerasfix.layers.spec`, which this module gives the loader, so the import
graph has no cycle: registry -> families -> each family -> spec.
"""

from __future__ import annotations

from kerasfix.layers import spec
from kerasfix.layers.spec import (
    LayerSpec,
    ParamFn,
    Role,
    RoleFn,
    ShapeFn,
    canonical_name,
    data_format_names,
    known_names,
    lookup,
    register,
)

__all__ = [
    "LayerSpec",
    "ParamFn",
    "Role",
    "RoleFn",
    "ShapeFn",
    "canonical_name",
    "data_format_names",
    "known_names",
    "lookup",
    "register",
]

_loaded = False


def _ensure_loaded() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from kerasfix.layers import families  # noqa: F401  (registers every family)


spec.set_loader(_ensure_loaded)
