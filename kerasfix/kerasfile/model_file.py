"""Which Keras format a file is, and its architecture config and self-description.

The one entry from a path to a config: the saved-model reader turns the config into a layer
graph, the rewriter edits it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kerasfix.frontends.base import InputError

NOT_A_MODEL_DIR = (
    "is a directory, not a SavedModel (no saved_model.pb); give a .keras or .h5 model file, "
    "a SavedModel directory, or a .py/.ipynb source file"
)


@dataclass
class ModelFile:
    """A model file's architecture config and what the file says about itself."""

    path: Path
    format: str  # "keras" | "h5" | "savedmodel"
    config: dict[str, Any]
    facts: dict[str, str] = field(default_factory=dict)  # keras_version, backend...


def load_model_file(path: Path) -> ModelFile:
    """The architecture config of a model file or SavedModel directory."""
    from kerasfix.kerasfile.sniff import EMPTY_ZIP, ZIP_SIGNATURE, head, is_hdf5

    if path.is_dir():
        if not (path / "saved_model.pb").is_file():
            raise InputError(NOT_A_MODEL_DIR)
        from kerasfix.kerasfile.savedmodel import read_savedmodel

        config, facts = read_savedmodel(path)
        return ModelFile(path, "savedmodel", config, facts)
    data = head(path)
    if data.startswith((ZIP_SIGNATURE, EMPTY_ZIP)):
        from kerasfix.kerasfile.keras_archive import read_archive

        config, metadata = read_archive(path)
        facts = {k: str(v) for k, v in metadata.items() if k == "keras_version" and v}
        return ModelFile(path, "keras", config, facts)
    if is_hdf5(path, data):
        from kerasfix.kerasfile.h5_legacy import read_h5

        config, facts = read_h5(path)
        return ModelFile(path, "h5", config, facts)
    if path.suffix.lower() == ".keras":
        raise InputError("not a Keras archive (not a zip file)")
    raise InputError("not a Keras model file (neither a .keras zip nor HDF5)")
