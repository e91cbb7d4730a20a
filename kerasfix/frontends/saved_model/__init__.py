"""Saved-model frontend: `.keras` archives, legacy `.h5`/`.hdf5` files, SavedModel dirs.

Reads only the architecture (JSON config) and, for `inspect`, weight metadata; never the
weight arrays, never TensorFlow or Keras, never code stored in the file. Every problem
with the input surfaces as a one-line `InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kerasfix.frontends.base import InputError, Program
from kerasfix.frontends.saved_model.config_graph import ConfigError, graph_from_config
from kerasfix.graph.model import Graph

__all__ = ["ConfigError", "ModelFile", "graph_from_config", "load_model_file", "read_model"]


@dataclass
class ModelFile:
    """A model file's architecture config and what the file says about itself."""

    path: Path
    format: str  # "keras" | "h5" | "savedmodel"
    config: dict[str, Any]
    facts: dict[str, str] = field(default_factory=dict)  # keras_version, backend...


def load_model_file(path: Path) -> ModelFile:
    """The architecture config of a model file or SavedModel directory."""
    from kerasfix.frontends.saved_model.sniff import EMPTY_ZIP, ZIP_SIGNATURE, head, is_hdf5

    if path.is_dir():
        from kerasfix.frontends.saved_model.savedmodel import read_savedmodel

        config, facts = read_savedmodel(path)
        return ModelFile(path, "savedmodel", config, facts)
    data = head(path)
    if data.startswith((ZIP_SIGNATURE, EMPTY_ZIP)):
        from kerasfix.frontends.saved_model.keras_archive import read_archive

        config, metadata = read_archive(path)
        facts = {k: str(v) for k, v in metadata.items() if k == "keras_version" and v}
        return ModelFile(path, "keras", config, facts)
    if is_hdf5(path, data):
        from kerasfix.frontends.saved_model.h5_legacy import read_h5

        config, facts = read_h5(path)
        return ModelFile(path, "h5", config, facts)
    if path.suffix.lower() == ".keras":
        raise InputError("not a Keras archive (not a zip file)")
    raise InputError("not a Keras model file (neither a .keras zip nor HDF5)")


def graph_of(model_file: ModelFile) -> Graph:
    """The layer graph of a loaded model file."""
    return graph_from_config(model_file.config)


def read_model(path: Path) -> Program:
    """Frontend entry point: a model file as a `Program` the rules can lint."""
    model_file = load_model_file(path)
    graph = graph_of(model_file)
    notes: list[str] = []  # warnings `lint` shows (the file's facts are inspect's business)
    if model_file.format == "h5":
        from kerasfix.frontends.saved_model.crosscheck import weight_mismatches

        notes.extend(weight_mismatches(path, graph))
    return Program(path.as_posix(), "model", graph, notes=notes)
