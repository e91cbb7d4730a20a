"""Keras layer knowledge: per-family shape and parameter arithmetic, keyed by class name."""

from kerasfix.layers.registry import LayerSpec, Role, canonical_name, known_names, lookup

__all__ = ["LayerSpec", "Role", "canonical_name", "known_names", "lookup"]
