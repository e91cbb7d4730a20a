"""Saved-model frontend: `.keras` archives, legacy `.h5`/`.hdf5` files, SavedModel dirs.

Reads only the architecture (JSON config) and, for `inspect`, weight metadata; never the
weight arrays, never TensorFlow or Keras, never code stored in the file. Every problem
with the input surfaces as a one-line `InputError`.
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.frontends.base import Program
from kerasfix.frontends.saved_model.config_graph import ModelConfigError, graph_from_config
from kerasfix.graph.model import Graph
from kerasfix.kerasfile.model_file import ModelFile, load_model_file

__all__ = ["ModelConfigError", "graph_from_config", "graph_of", "read_model"]


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
