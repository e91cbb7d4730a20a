"""What can be checked of a written model without Keras loading it: its stored tensors.

Used when Keras cannot load the output without running the user's code (a custom class, a
Lambda layer) and the user did not allow that: every untouched layer's tensors in the
written file are compared bit for bit with the input's, read with h5py only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kerasfix.kerasfile.layout import Key
from kerasfix.model_rewrite.source import WeightSource, open_source


def compare_stored(
    reader_path: str, out_h5: bool, new_config: dict[str, Any], source: WeightSource,
    untouched: list[Key],
) -> tuple[int, int, list[str]]:  # fmt: skip
    """(layers compared, tensors compared, problems) between the output file and `source`."""
    layers = tensors = 0
    problems: list[str] = []
    with _open_output(reader_path, out_h5, new_config) as written:
        for key in untouched:
            before = _arrays(source, key)
            after = _arrays(written, key)
            if [a.tobytes() for a in before] != [a.tobytes() for a in after]:
                problems.append(f"'{'/'.join(key)}' weights differ from the input's")
                continue
            layers += 1
            tensors += len(before)
    return layers, tensors, problems


def _arrays(source: WeightSource, key: Key) -> list[Any]:
    paths = [p for _, p in source.tensors.get(key, [])] + source.subtensors.get(key, [])
    return [source.dataset(p)[()] for p in paths]


@contextlib.contextmanager
def _open_output(path: str, out_h5: bool, config: dict[str, Any]) -> Iterator[WeightSource]:
    """The written file's tensors; a legacy .h5 through a file object (HDF5 cannot open the
    /proc link an unnamed output is reached by)."""
    if not out_h5:
        with open_source(Path(path), "keras", config) as source:
            yield source
        return
    import h5py

    from kerasfix.model_rewrite.source import _locate_h5

    with open(path, "rb") as raw, h5py.File(raw, "r") as handle:
        source = WeightSource(handle, "h5")
        _locate_h5(source, config)
        yield source
