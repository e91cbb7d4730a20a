"""Keras layer knowledge: per-family shape and parameter arithmetic, keyed by class name.

Importing the package registers every family (`families`), so a lookup through
`kerasfix.layers.registry` always sees them all.
"""

from kerasfix.layers import families  # noqa: F401  (registers every family)
from kerasfix.layers.registry import LayerSpec, Role, canonical_name, known_names, lookup

__all__ = ["LayerSpec", "Role", "canonical_name", "known_names", "lookup"]
