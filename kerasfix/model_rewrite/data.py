"""The user's data for `rewrite --data`: inputs (and labels, if any), read a batch at a time.

`.npy` files are memory-mapped and `.npz` members stored uncompressed are mapped straight out
of the archive, so a data set larger than memory is read one batch of rows at a time. A
directory of images is listed the way `keras.utils.image_dataset_from_directory` lists it
(class sub-directories become labels) and each batch is decoded and resized to the model's
input as that function does. Nothing here runs code from the data (`allow_pickle=False`).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kerasfix.model_rewrite.errors import RewriteError

MIN_SAMPLES = 5


@dataclass
class Inputs:
    """Row-addressable inputs: `x[rows]` gives a batch as a numpy array."""

    path: Path
    x: Any  # np.ndarray / np.memmap / ImageFiles / data_tf.RowFile
    y: np.ndarray | None

    def __len__(self) -> int:
        return len(self.x)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """The inputs at `rows` (sorted first, so a memory map reads forward)."""
        order = np.argsort(rows, kind="stable")
        batch = np.asarray(self.x[rows[order]])
        out = np.empty_like(batch)
        out[order] = batch
        return out


def open_inputs(path: Path, image_shape: tuple[int, ...] | None = None) -> Inputs:
    """`.npy`, `.npz` (`x`, optional `y`), an image directory (needs `image_shape`), a saved
    `tf.data.Dataset` or a TFRecord file (`data_tf.py`; `image_shape` is the model's input)."""
    from kerasfix.model_rewrite import data_tf

    if data_tf.is_saved_dataset(path) or data_tf.is_tfrecord(path):
        x, y = data_tf.read_tf_data(path, image_shape)
        if len(x) < MIN_SAMPLES:
            raise RewriteError(f"{path}: need at least {MIN_SAMPLES} samples, got {len(x)}")
        return Inputs(path, x, y)
    if path.is_dir():
        if image_shape is None:
            raise RewriteError(f"{path}: an image directory needs a model with image input")
        return _image_directory(path, image_shape)
    try:
        if path.suffix.lower() == ".npz":
            x, y = _npz_arrays(path)
        else:
            x, y = np.load(path, mmap_mode="r", allow_pickle=False), None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise RewriteError(f"--data {path}: {_unreadable(path, exc)}") from None
    if not isinstance(x, np.ndarray) or x.ndim < 1:
        raise RewriteError(f"{path}: expected an array of samples")
    if len(x) < MIN_SAMPLES:
        raise RewriteError(f"{path}: need at least {MIN_SAMPLES} samples, got {len(x)}")
    if y is not None and len(y) != len(x):
        raise RewriteError(f"{path}: {len(x)} inputs but {len(y)} labels")
    return Inputs(path, x, y)


def _unreadable(path: Path, exc: BaseException) -> str:
    """Why the file is not data we read, in the user's terms: numpy's own text for a file
    that is no .npy at all advises `allow_pickle`, which kerasfix never sets."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read ({exc.strerror})"
    try:
        with path.open("rb") as handle:
            head = handle.read(6)
    except OSError as error:
        return f"cannot read ({error.strerror or type(error).__name__})"
    if path.suffix.lower() == ".npz":
        if not head.startswith(b"PK"):
            return "not a .npz archive (not a zip file)"
        return "a damaged .npz archive (its arrays cannot be read)"
    if not head.startswith(b"\x93NUMPY"):
        return (
            "not a NumPy .npy file (no .npy header); give .npy, .npz, an image directory, "
            "a tf.data.Dataset.save directory or a .tfrecord file"
        )
    if "object" in str(exc).lower() or "pickle" in str(exc).lower():
        return "holds Python objects (refused: reading them could run code)"
    return "a damaged or truncated .npy file (its header or data cannot be read)"


def split(n: int, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, held-out rows), a seeded random split; both sorted and non-empty."""
    if not 0 < holdout < 1:
        raise RewriteError(f"--holdout must be between 0 and 1, got {holdout}")
    order = np.random.default_rng(seed).permutation(n)
    cut = min(n - 1, max(1, round(n * holdout)))
    return np.sort(order[cut:]), np.sort(order[:cut])


def _npz_arrays(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    with np.load(path, allow_pickle=False) as loaded:
        keys = list(loaded.keys())
    if not keys:
        raise RewriteError(f"{path} holds no arrays")
    name = "x" if "x" in keys else keys[0]
    x = _npz_member(path, name)
    y = np.asarray(_npz_member(path, "y")) if "y" in keys else None
    return x, y


def _npz_member(path: Path, name: str) -> np.ndarray:
    """One member, memory-mapped when stored uncompressed (np.savez), else read."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(f"{name}.npy")
        if info.compress_type != zipfile.ZIP_STORED:
            with archive.open(info) as member:
                return np.lib.format.read_array(member, allow_pickle=False)
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(member)
            header = member.tell()
    with open(path, "rb") as raw:
        raw.seek(info.header_offset + 26)
        name_len, extra_len = np.frombuffer(raw.read(4), "<u2")
    start = info.header_offset + 30 + int(name_len) + int(extra_len) + header
    if dtype.hasobject:
        raise RewriteError(f"{path}: '{name}' holds Python objects (refused)")
    order = "F" if fortran else "C"
    return np.memmap(path, dtype=dtype, mode="r", offset=start, shape=shape, order=order)


class ImageFiles:
    """Image files decoded and resized per batch, as image_dataset_from_directory does."""

    def __init__(self, files: list[str], size: tuple[int, int], channels: int) -> None:
        self.files = files
        self.size = size
        self.channels = channels

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, rows: Any) -> np.ndarray:
        import tensorflow as tf

        images = []
        for row in np.atleast_1d(rows):
            raw = tf.io.read_file(self.files[int(row)])
            image = tf.io.decode_image(raw, channels=self.channels, expand_animations=False)
            images.append(tf.image.resize(image, self.size, method="bilinear").numpy())
        return np.stack(images).astype("float32")


def _image_directory(path: Path, shape: tuple[int, ...]) -> Inputs:
    if len(shape) != 3 or shape[-1] not in (1, 3, 4):
        raise RewriteError(
            f"{path}: the model's input {shape} is not a channels-last image (H, W, 1|3|4)"
        )
    import keras

    labelled = any(p.is_dir() for p in path.iterdir())
    color = {1: "grayscale", 3: "rgb", 4: "rgba"}[shape[-1]]
    try:
        listing = keras.utils.image_dataset_from_directory(
            path,
            labels="inferred" if labelled else None,
            image_size=shape[:2],
            color_mode=color,
            shuffle=False,
            batch_size=None,
            verbose=False,
        )
    except ValueError as exc:
        raise RewriteError(f"{path}: {' '.join(str(exc).split())}") from None
    files = list(listing.file_paths)
    if len(files) < MIN_SAMPLES:
        raise RewriteError(f"{path}: need at least {MIN_SAMPLES} images, got {len(files)}")
    y = None
    if labelled:
        classes = {name: i for i, name in enumerate(listing.class_names)}
        y = np.array([classes[Path(f).relative_to(path).parts[0]] for f in files])
    return Inputs(path, ImageFiles(files, (shape[0], shape[1]), shape[-1]), y)
