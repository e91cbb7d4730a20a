"""Abstract values for the data a file loads: what one sample of it looks like.

A model with no declared input is sized by the first batch it is fitted on or called with,
and a model fed data it cannot take crashes there: both need the shape of one sample, which
the file often fixes (`cv2.resize(img, (128, 128))` appended in a loop, a directory read at
`image_size=(180, 180)`) while the number of samples stays a run-time fact. `ArrayValue`
(values.py) is an array whose whole shape is known; these carry the per-sample shape only.
"""

from __future__ import annotations

from dataclasses import dataclass

from kerasfix.graph.model import Unknown


@dataclass(frozen=True)
class DataValue:
    """Samples of a known shape, in an unknown number: an array built from a list, a
    `tf.data` dataset, a Keras image generator. `labels` is one target's shape when the
    source yields targets whose shape is known (`class_mode="binary"` -> `()`), else None;
    `batched` says the source yields batches (a dataset or generator, not an array)."""

    sample: tuple[int, ...]
    source: str  # how the file made it, with its line: for messages
    labels: tuple[int, ...] | None = None
    batched: bool = False
    # A Keras DirectoryIterator (`flow_from_directory`/`flow_from_dataframe`): its
    # `image_shape` attribute is the sample shape, often passed on as an input shape.
    image_shape: bool = False
    # A `tf.data` dataset: its elements are (samples, targets) pairs (`pairs`), and it
    # yields single samples until `.batch()` (`slices`, from `from_tensor_slices`).
    pairs: bool = False
    slices: bool = False

    def subscript(self, index: object) -> object:
        """`x[:700]`, `x[train_idx]`: samples taken, each of the same shape; `x[0]`: one
        sample (`Input(shape=x_train[0].shape)`); else unknown."""
        if not self.batched and isinstance(index, slice):
            return self
        if not self.batched and (grown := _new_axes_at_end(index, len(self.sample))):
            return DataValue((*self.sample, *(1,) * grown), self.source)  # `x[..., None]`
        if not self.batched and isinstance(index, tuple) and len(index) <= len(self.sample) + 1:
            # `x[train, :, :, :]`: samples picked on the first axis, every other axis whole
            whole = all(isinstance(i, slice) and i == slice(None) for i in index[1:])
            if whole and not isinstance(index[0], int | str | tuple):
                return self
        if not self.batched and not isinstance(index, int | str | tuple | slice):
            return self  # `x[train_idx]`, `x[mask]`: some samples, each as it was
        if not self.batched and isinstance(index, int) and not isinstance(index, bool):
            from kerasfix.frontends.source.values import ArrayValue

            return ArrayValue(self.sample)
        return Unknown("part of loaded data")


def _new_axes_at_end(index: object, rank: int) -> int:
    """How many axes `x[..., None]` / `x[:, :, :, np.newaxis]` adds after every sample
    axis (0: the index is something else)."""
    if not isinstance(index, tuple):
        return 0
    head = index
    while head and head[-1] is None:
        head = head[:-1]
    added = len(index) - len(head)
    every_axis = len(head) == rank + 1 and all(i == slice(None) for i in head)
    return added if added and (head == (Ellipsis,) or every_axis) else 0


@dataclass(frozen=True)
class ImageValue:
    """One decoded image (`cv2.imread`, `load_img`) before it is resized: its channel axes
    (`(3,)` colour, `()` grayscale) and, where the call fixes it, its size (rows, cols)."""

    channels: tuple[int, ...]
    size: tuple[int, int] | None = None


@dataclass(frozen=True)
class ImageGenerator:
    """`ImageDataGenerator(...)`: its `flow_from_directory` yields batches of a known shape."""

    channels_last: bool = True


@dataclass(frozen=True)
class LossValue:
    """A loss given as an object (`keras.losses.CategoricalCrossentropy()`), by its
    function's name."""

    name: str


@dataclass(frozen=True, eq=False)
class OneHotLabels(Unknown):
    """`to_categorical(labels)` of one label per sample, without `num_classes`: rows whose
    width the data decides, so only their rank (2) is known; an `Unknown` to everything
    but the targets KF003 reads (a rank-2 target against a rank-4 output is refused by
    every Keras whatever the width). Any part or attribute of it is a plain `Unknown`:
    `y[:70]`, `y.reshape(...)` are not known to keep the rank."""

    reason: str = "one-hot labels whose width the data decides"

    def subscript(self, index: object) -> Unknown:
        return Unknown(self.reason)

    def attribute(self, attr: str) -> Unknown:
        return Unknown(self.reason)


@dataclass(frozen=True)
class DatasetBunch:
    """A scikit-learn dataset loader's result (`fetch_lfw_people(resize=0.4)`): its fields
    (`images`, `data`, `target`) by name, each samples of a shape the loader fixes."""

    fields: tuple[tuple[str, object], ...]

    def field(self, name: str) -> object:
        return dict(self.fields).get(name, Unknown(f"field '{name}' of a scikit-learn dataset"))


@dataclass(frozen=True)
class FeatureScaler:
    """A scikit-learn scaler (`MinMaxScaler()`, `StandardScaler()`): its `fit_transform`,
    `transform` and `inverse_transform` rescale every value and keep the data's shape."""

    name: str
