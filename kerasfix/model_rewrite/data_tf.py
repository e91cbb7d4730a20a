"""TensorFlow's own data formats for `rewrite --data`: a `tf.data.Dataset` saved with
`tf.data.Dataset.save` (a directory) and TFRecord files of `tf.train.Example` records.

Both are read once, a batch at a time, into a scratch file of rows on disk (deleted with the
run), so a data set larger than memory is never held in it: distillation needs the same
sample again by row number (held-out split, mixes, reshuffled epochs), which these formats
only give in order. A TFRecord's features are taken only when the records say unambiguously
which feature is the input (else the run is refused with the features found). Nothing here
runs code from the data: a saved dataset is read by TensorFlow's loader, records are parsed
as protocol buffers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from kerasfix.model_rewrite.errors import RewriteError

TFRECORD_SUFFIXES = (".tfrecord", ".tfrecords", ".tfrec")
READ_BATCH = 256  # rows decoded at once while copying to the scratch file
LABEL_NAMES = ("label", "labels", "y", "class", "target")
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")


def is_saved_dataset(path: Path) -> bool:
    return path.is_dir() and (path / "dataset_spec.pb").is_file()


def is_tfrecord(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in TFRECORD_SUFFIXES


class RowFile:
    """Rows of one shape and dtype in a raw file, read with `pread` (no memory map, so the
    pages read are not counted as the process's memory); deleted when garbage collected."""

    def __init__(self, folder: str, shape: tuple[int, ...], dtype: np.dtype, rows: int) -> None:
        self.folder, self.dtype = folder, np.dtype(dtype)
        self.shape = (rows, *shape)
        self.row_bytes = int(np.prod(shape, dtype=np.int64)) * self.dtype.itemsize
        self.fd = os.open(Path(folder) / "rows.bin", os.O_RDONLY)
        weakref.finalize(self, _remove, self.fd, folder)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: Any) -> np.ndarray:
        picked = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        out = np.empty((len(picked), *self.shape[1:]), self.dtype)
        for i, row in enumerate(picked):
            raw = os.pread(self.fd, self.row_bytes, int(row) * self.row_bytes)
            out[i] = np.frombuffer(raw, self.dtype).reshape(self.shape[1:])
        return out


def _remove(fd: int, folder: str) -> None:
    os.close(fd)
    shutil.rmtree(folder, ignore_errors=True)


def read_tf_data(path: Path, shape: tuple[int, ...] | None) -> tuple[RowFile, np.ndarray | None]:
    """(inputs as rows on disk, labels or None) from a saved dataset or a TFRecord file."""
    import tensorflow as tf

    try:
        if is_saved_dataset(path):
            batches = _saved_batches(tf, path, shape)
        else:
            batches = _record_batches(tf, path, shape)
        return _spill(path, batches)
    except RewriteError:
        raise
    except (tf.errors.OpError, ValueError, TypeError) as exc:
        text = " ".join(str(getattr(exc, "message", exc)).split())[:200]
        raise RewriteError(f"--data {path}: cannot be read by TensorFlow ({text})") from None


def _spill(path: Path, batches: Iterator[tuple[np.ndarray, Any]]) -> tuple[RowFile, Any]:
    folder = tempfile.mkdtemp(prefix="kerasfix-data-")
    count, labels, first = 0, [], None
    try:
        with open(Path(folder) / "rows.bin", "wb") as handle:
            for x, y in batches:
                x = np.ascontiguousarray(x)
                if first is None:
                    first = x
                elif x.shape[1:] != first.shape[1:] or x.dtype != first.dtype:
                    raise RewriteError(
                        f"--data {path}: samples of shape {first.shape[1:]} and {x.shape[1:]}; "
                        "every sample must have one shape"
                    )
                handle.write(x.tobytes())
                count += len(x)
                if y is not None:
                    labels.append(np.asarray(y).reshape(-1))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if first is None:
        shutil.rmtree(folder, ignore_errors=True)
        raise RewriteError(f"--data {path}: holds no samples")
    y = np.concatenate(labels) if labels and sum(map(len, labels)) == count else None
    return RowFile(folder, first.shape[1:], first.dtype, count), y


def _saved_batches(tf: Any, path: Path, shape: tuple[int, ...] | None) -> Iterator[Any]:
    """Elements x, (x, y) or {"x": ..., "y": ...}; batched datasets are unbatched."""
    dataset = tf.data.Dataset.load(str(path))
    spec = dataset.element_spec
    x_spec, y_key = _split_spec(path, spec)
    rank = len(x_spec.shape)
    if shape is not None and rank == len(shape) + 1:
        dataset, rank = dataset.unbatch(), rank - 1
    if not x_spec.dtype.is_floating and not x_spec.dtype.is_integer:
        raise RewriteError(f"--data {path}: inputs of type {x_spec.dtype.name}, not numbers")
    for element in dataset.batch(READ_BATCH).as_numpy_iterator():
        if isinstance(element, (tuple, dict)):
            x_key = "x" if isinstance(element, dict) else 0
            yield element[x_key], (element[y_key] if y_key is not None else None)
        else:
            yield element, None


def _split_spec(path: Path, spec: Any) -> tuple[Any, Any]:
    """(the input's spec, the label's key or None) of an element spec."""
    if isinstance(spec, tuple) and len(spec) in (1, 2):
        return spec[0], (1 if len(spec) == 2 else None)
    if isinstance(spec, dict) and "x" in spec and set(spec) <= {"x", "y"}:
        return spec["x"], ("y" if "y" in spec else None)
    if hasattr(spec, "shape") and hasattr(spec, "dtype"):
        return spec, None
    raise RewriteError(
        f"--data {path}: elements are {_describe(spec)}; kerasfix reads x, (x, y) or "
        '{"x": ..., "y": ...} (map the dataset to one of them and save it again)'
    )


def _describe(spec: Any) -> str:
    if isinstance(spec, dict):
        return "{" + ", ".join(f"{k!r}: ..." for k in spec) + "}"
    if isinstance(spec, tuple):
        return f"tuples of {len(spec)}"
    return type(spec).__name__


def _record_batches(tf: Any, path: Path, shape: tuple[int, ...] | None) -> Iterator[Any]:
    compression = _compression(tf, path)
    samples = _first_examples(tf, path, compression)
    x_name, x_kind, y_name = _feature_spec(path, samples, shape)
    features = {x_name: _fixed(tf, x_kind, shape)}
    if y_name is not None:
        features[y_name] = tf.io.FixedLenFeature([1], tf.int64)

    def parse(record: Any) -> Any:
        parsed = tf.io.parse_single_example(record, features)
        x = parsed[x_name]
        if x_kind == "image":
            channels = shape[-1] if shape is not None else 3
            x = tf.io.decode_image(x, channels=channels, expand_animations=False)
            x = tf.image.resize(x, shape[:2], method="bilinear")
        elif shape is not None:
            x = tf.reshape(x, shape)
        return x, (parsed[y_name] if y_name is not None else tf.constant([-1], tf.int64))

    dataset = tf.data.TFRecordDataset(str(path), compression_type=compression)
    for x, y in dataset.map(parse).batch(READ_BATCH).as_numpy_iterator():
        yield x, (y if y_name is not None else None)


def _fixed(tf: Any, kind: str, shape: tuple[int, ...] | None) -> Any:
    if kind == "image":
        return tf.io.FixedLenFeature([], tf.string)
    size = int(np.prod(shape)) if shape is not None else 1
    return tf.io.FixedLenFeature([size], tf.float32 if kind == "float" else tf.int64)


def _compression(tf: Any, path: Path) -> str:
    with path.open("rb") as handle:
        gzip = handle.read(2) == b"\x1f\x8b"
    return "GZIP" if gzip else ""


def _first_examples(tf: Any, path: Path, compression: str) -> list[Any]:
    """The first records parsed as tf.train.Example (refused when they are not)."""
    from google.protobuf.message import DecodeError

    out = []
    records = tf.data.TFRecordDataset(str(path), compression_type=compression).take(8)
    for raw in records.as_numpy_iterator():
        try:
            example = tf.train.Example.FromString(raw)
        except DecodeError:
            example = None
        if example is None or not example.features.feature:
            raise RewriteError(
                f"--data {path}: its records are not tf.train.Example with features "
                "(kerasfix reads Example records only)"
            )
        out.append(example)
    if not out:
        raise RewriteError(f"--data {path}: holds no records")
    return out


def _feature_spec(
    path: Path, examples: list[Any], shape: tuple[int, ...] | None
) -> tuple[str, str, str | None]:
    """(input feature, its kind "float"|"int"|"image", label feature or None), when the
    records say it unambiguously: one feature holding a whole sample (shape's size of
    numbers, or one encoded image), and one integer scalar (or one named as a label)."""
    found: dict[str, tuple[str, int, bytes]] = {}
    for name, feature in examples[0].features.feature.items():
        kind = feature.WhichOneof("kind")
        values = getattr(feature, kind).value if kind else []
        head = values[0][:4] if kind == "bytes_list" and len(values) else b""
        found[name] = (kind or "empty", len(values), head)
    for example in examples[1:]:
        names = set(example.features.feature)
        if names != set(found):
            raise RewriteError(f"--data {path}: records hold different features ({_list(found)})")
    size = int(np.prod(shape)) if shape is not None else None
    inputs = []
    for name, (kind, length, head) in found.items():
        if kind == "bytes_list" and length == 1 and head.startswith(IMAGE_MAGIC):
            if shape is not None and len(shape) == 3 and shape[-1] in (1, 3, 4):
                inputs.append((name, "image"))
        elif kind in ("float_list", "int64_list") and size is not None and length == size > 1:
            inputs.append((name, "float" if kind == "float_list" else "int"))
    if len(inputs) != 1:
        what = "no feature" if not inputs else f"{len(inputs)} features"
        need = f"{size} numbers" if size else "a whole sample"
        raise RewriteError(
            f"--data {path}: {what} holds one sample for the model's input {shape} ({need} "
            f"or one encoded image); features: {_list(found)}. Save the data with "
            "tf.data.Dataset.save as (x, y) instead"
        )
    scalars = [n for n, (k, length, _) in found.items() if k == "int64_list" and length == 1]
    named = [n for n in scalars if n.lower() in LABEL_NAMES]
    label = scalars[0] if len(scalars) == 1 else (named[0] if len(named) == 1 else None)
    return inputs[0][0], inputs[0][1], label


def _list(found: dict[str, tuple[str, int, bytes]]) -> str:
    kinds = {"float_list": "float", "int64_list": "int64", "bytes_list": "bytes"}
    return ", ".join(
        f"{n} ({kinds.get(k, k)} x{length})" for n, (k, length, _) in sorted(found.items())
    )
