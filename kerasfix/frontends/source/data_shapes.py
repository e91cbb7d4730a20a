"""The shape of the data a file loads, read without loading it.

Half the "unknown" input sizes of a Sequential with no declared input are fixed by what it is
fitted on: `cv2.resize(img, (128, 128))` appended in a loop and `np.array`-ed, a directory
read at `image_size=(180, 180)`, an `ImageDataGenerator` flowing at `target_size=(150, 150)`.
Only what the call spells out is read; a value the file does not fix stays unknown, and so
does anything whose meaning changed between Keras generations (the channel order of a
generator in Keras 1 code, or under `set_image_data_format("channels_first")`).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kerasfix.frontends.source.audio_features import (
    FeatureFrames,
    FrameImage,
    feature_frames,
    frame_image,
    padded_frames,
)
from kerasfix.frontends.source.data_values import (
    DatasetBunch,
    DataValue,
    FeatureScaler,
    ImageGenerator,
    ImageValue,
    LossValue,
    OneHotLabels,
)
from kerasfix.frontends.source.dataset_map import mapped
from kerasfix.frontends.source.model_layers import ModelLayers
from kerasfix.frontends.source.pandas_columns import ColumnSelection, as_array
from kerasfix.frontends.source.pil_images import METHODS as PIL_METHODS
from kerasfix.frontends.source.pil_images import OPENERS as PIL_OPENERS
from kerasfix.frontends.source.pil_images import PilImage, pil_array, pil_image, pil_method
from kerasfix.frontends.source.sample_arrays import (
    joined_samples,
    literal_sizes,
    reshaped_samples,
    sample_of,
    stacked,
    transposed,
    unknown_count_array,
)
from kerasfix.frontends.source.sklearn_datasets import IMAGE_DATASETS, image_dataset
from kerasfix.frontends.source.tfds_datasets import tfds_load
from kerasfix.frontends.source.value_ops import expand_shape, is_number
from kerasfix.frontends.source.values import (
    ArrayValue,
    BoundMethod,
    ListValue,
    Ref,
    RunTimeNumber,
    Unknown,
)

# What the hooks return for a value or call they do not model.
NOT_DATA = object()
DATA_TYPES = (DataValue, ImageValue, ImageGenerator, DatasetBunch, FeatureScaler, PilImage)
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
_LOSS_CLASSES = {
    "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "BinaryCrossentropy": "binary_crossentropy",
    "MeanSquaredError": "mean_squared_error",
}
# The Keras data names `data_function` reads: a `from keras.utils import *` defines them.
KERAS_DATA_NAMES = frozenset(
    {*_LOSS_CLASSES, "image_dataset_from_directory", "pad_sequences", "ImageDataGenerator",
     "load_img", "img_to_array"}
)  # fmt: skip
# Dataset methods that keep the elements as they are.
_KEEPS_ELEMENTS = frozenset(
    {"cache", "prefetch", "shuffle", "repeat", "take", "skip", "with_options", "apply_options"}
)
# scikit-learn scalers: value by value, so the data keeps its shape.
_SCALERS = frozenset({"MinMaxScaler", "StandardScaler", "RobustScaler", "MaxAbsScaler"})
_SCALING_METHODS = frozenset({"fit_transform", "transform", "inverse_transform", "fit"})
# NumPy calls `_numpy` reads: arrays of loaded samples and the shapes they make.
_NUMPY_SHAPERS = frozenset({"array", "asarray", "stack", "expand_dims", "repeat", "pad"})
# TensorFlow's image decoders: `channels=` fixes the image's channel axis.
_TF_DECODERS = frozenset({"decode_jpeg", "decode_png", "decode_image", "decode_bmp"})
# cv2 colour conversions by what they leave: three channels or one plane.
_TO_COLOUR = ("2RGB", "2BGR")
_TO_GRAY = ("2GRAY",)


class DataReading:
    """Mixed into the interpreter: data-loading calls and the values they return."""

    if TYPE_CHECKING:
        data_format: Any

        def keras1_code(self) -> bool: ...

    def data_function(
        self, qualname: str, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        """The value a data-loading call returns, or NOT_DATA for a call it does not model."""
        leaf = qualname.rsplit(".", 1)[-1]
        root = qualname.split(".", 1)[0]
        keras = "keras" in qualname.split(".")
        if root == "cv2":
            return _cv2(leaf, args, kwargs)
        if qualname == "tensorflow_datasets.load":
            return tfds_load(args, kwargs, expr.lineno)
        if qualname in PIL_OPENERS:
            return pil_image(qualname, args, kwargs)
        if root == "librosa" and (frames := feature_frames(qualname, args, kwargs, expr.lineno)):
            return frames
        if qualname in ("skimage.transform.resize", "skimage.transform._warps.resize"):
            return _skimage_resize(args, kwargs)
        if root == "tensorflow" and leaf in _TF_DECODERS:  # `tf.io.decode_jpeg(raw, channels=3)`
            channels = kwargs.get("channels", args[1] if len(args) > 1 else 0)
            known = isinstance(channels, int) and not isinstance(channels, bool) and channels > 0
            return ImageValue((channels,)) if known else NOT_DATA
        if qualname in ("tensorflow.image.resize", "tensorflow.image.resize_with_pad") and args:
            return _tf_resized(args, kwargs)
        if root == "tensorflow" and args and isinstance(args[0], ArrayValue | DataValue):
            if leaf == "expand_dims":  # tf.expand_dims(x_train, -1) of arrays the file loads
                return expanded(args[0], args[1] if len(args) > 1 else kwargs.get("axis"))
            if leaf in ("cast", "convert_to_tensor", "identity") and sample_of(args[0]):
                return args[0]
        if root in ("numpy", "np") and leaf == "stack" and (joined := stacked(args, kwargs)):
            return joined
        if root in ("numpy", "np") and leaf in _NUMPY_SHAPERS:
            return _numpy(leaf, args, kwargs, expr)
        if root in ("numpy", "np") and leaf in ("concatenate", "vstack", "row_stack"):
            return joined_samples(leaf, args, kwargs, expr) or NOT_DATA
        if root in ("numpy", "np") and leaf == "reshape" and args:
            target = args[1] if len(args) > 1 else kwargs.get("newshape", kwargs.get("shape"))
            if isinstance(args[0], DataValue) and not args[0].batched:
                return _reshape(args[0], target)
            if type(args[0]) is Unknown:
                return reshaped_samples(target, expr)
        if root in ("numpy", "np") and (array := unknown_count_array(leaf, args, kwargs, expr)):
            return array
        if root in ("numpy", "np") and leaf in ("eye", "identity"):
            size = args[0] if args else kwargs.get("N", kwargs.get("n"))
            square = isinstance(size, int) and not isinstance(size, bool) and size > 0
            return ArrayValue((size, size)) if square and len(args) < 2 else NOT_DATA
        if qualname == "sklearn.model_selection.train_test_split":
            return _split(args, kwargs, expr)
        if leaf == "list_files" and "Dataset" in qualname.split("."):  # file names, one by one
            source = f"Dataset.list_files() (line {expr.lineno})"
            return DataValue((), source, batched=True, slices=True)
        if leaf == "from_tensor_slices" and "Dataset" in qualname.split("."):
            return _tensor_slices(args[0] if args else kwargs.get("tensors"), expr)
        if qualname.startswith("sklearn.preprocessing.") and leaf in _SCALERS:
            return FeatureScaler(leaf)
        if qualname.startswith("sklearn.datasets.") and leaf in IMAGE_DATASETS:
            return image_dataset(leaf, kwargs, expr)
        if not keras:
            return NOT_DATA
        if leaf in _LOSS_CLASSES:
            return LossValue(_LOSS_CLASSES[leaf])
        if leaf == "image_dataset_from_directory":
            return self._directory_dataset(kwargs, expr)
        if leaf == "pad_sequences":
            # every sequence padded or cut to `maxlen` (without it, the longest one's length)
            maxlen = kwargs.get("maxlen", args[1] if len(args) > 1 else None)
            if isinstance(maxlen, int) and not isinstance(maxlen, bool) and maxlen > 0:
                return DataValue((maxlen,), f"pad_sequences(maxlen={maxlen}) (line {expr.lineno})")
            return Unknown("the longest sequence's length, which pad_sequences() pads to")
        if leaf == "ImageDataGenerator":
            fmt = kwargs.get("data_format")
            return ImageGenerator(channels_last=self._channels_last(fmt))
        if leaf == "load_img":
            return _load_img(kwargs)
        if leaf == "img_to_array" and args and isinstance(args[0], ImageValue | PilImage):
            if not self._channels_last(kwargs.get("data_format")):
                return Unknown("the channel order of img_to_array() depends on the Keras config")
            if isinstance(args[0], PilImage):
                return pil_array(args[0], keras=True)
            return _image_array(args[0])
        return NOT_DATA

    def data_attribute(self, value: Any, attr: str) -> Any:
        """An attribute of a data value (`x.shape`, `ds.cache`, `gen.flow_from_directory`)."""
        if isinstance(value, DatasetBunch):
            return value.field(attr)
        if isinstance(value, FeatureScaler) and attr in _SCALING_METHODS:
            return BoundMethod(value, attr)
        generator_methods = ("flow_from_directory", "flow_from_dataframe", "flow", "fit")
        if isinstance(value, ImageGenerator) and attr in generator_methods:
            return BoundMethod(value, attr)
        if isinstance(value, PilImage) and attr in PIL_METHODS:
            return BoundMethod(value, attr)
        if isinstance(value, DataValue):
            one_by_one = attr == "batch" and value.slices
            if value.batched and (attr in _KEEPS_ELEMENTS or one_by_one or attr == "map"):
                return BoundMethod(value, attr)
            if value.image_shape and attr == "image_shape":
                return value.sample
            if not value.batched:
                if attr == "shape":
                    return (Unknown("the number of samples is only known at run time"),
                            *value.sample)  # fmt: skip
                if attr == "ndim":
                    return len(value.sample) + 1
                if attr in ("reshape", "astype", "copy", "transpose"):
                    return BoundMethod(value, attr)
        return Unknown(f"attribute '{attr}' of loaded data")

    def data_method(
        self, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> Any:
        """A method of a data value, or NOT_DATA when the receiver is not one."""
        if isinstance(receiver, ImageGenerator):
            return self._generator_method(receiver, name, args, kwargs, expr)
        if isinstance(receiver, PilImage):
            return pil_method(receiver, name, args, kwargs)
        if isinstance(receiver, FeatureScaler):
            return _scaled(receiver, name, args)
        if isinstance(receiver, ColumnSelection) and name == "to_numpy":
            return as_array(receiver)
        if type(receiver) is Unknown and name == "reshape":
            return reshaped_samples(tuple(args) if len(args) != 1 else args[0], expr)
        if not isinstance(receiver, DataValue):
            return NOT_DATA
        if name in _KEEPS_ELEMENTS or name in ("astype", "copy"):
            return receiver
        if name == "batch" and receiver.slices:
            return replace(receiver, slices=False)
        if name == "map" and receiver.batched:
            return mapped(self, receiver, args, expr)
        if name == "reshape":
            return _reshape(receiver, tuple(args) if len(args) != 1 else args[0])
        if name == "transpose":
            return transposed(receiver, tuple(args) if len(args) != 1 else args[0])
        return Unknown(f"the result of {name}() on loaded data")

    def element_of(self, value: Any) -> Any:
        """What a loop over a dataset binds (`for images, labels in train_ds:`): a batch
        of samples (or one sample, before `.batch()`), paired with its targets."""
        if not isinstance(value, DataValue) or not value.batched:
            return super().element_of(value)  # type: ignore[misc]
        if value.slices:
            inputs: Any = ArrayValue(value.sample)
            targets: Any = ArrayValue(value.labels) if value.labels is not None else None
        else:
            inputs = DataValue(value.sample, value.source)
            targets = DataValue(value.labels, value.source) if value.labels is not None else None
        if not value.pairs:
            return inputs
        return inputs, targets if targets is not None else Unknown("a dataset's targets")

    def data_arithmetic(self, left: Any, right: Any) -> Any:
        """`x / 255.0` keeps the samples' shape."""
        for value, other in ((left, right), (right, left)):
            scalar = is_number(other) or isinstance(other, RunTimeNumber)
            if isinstance(value, DataValue) and not value.batched and scalar:
                return value
            if isinstance(value, DataValue) and not value.batched and _per_feature(other, value):
                return value  # `(x - mean) / std` with `mean = np.mean(x, axis=0)`
            if isinstance(value, OneHotLabels | ModelLayers):
                return Unknown(value.reason)  # not known to keep the rank or the items
        return NOT_DATA

    # ----------------------------------------------------------------- Keras loaders

    def _channels_last(self, data_format: Any) -> bool:
        """Whether images come channels last: said so, or the Keras default (never assumed
        for Keras 1 code or a file that sets its own ordering)."""
        if data_format is not None:
            return data_format == "channels_last"
        return self.data_format in (None, "channels_last") and not self._keras1_file()

    def _keras1_file(self) -> bool:
        answer = getattr(self, "_data_keras1", None)
        if answer is None:
            answer = self._data_keras1 = bool(self.keras1_code())
        return answer

    def _directory_dataset(self, kwargs: dict[str, Any], expr: ast.Call) -> Any:
        size = kwargs.get("image_size", (256, 256))
        channels = _CHANNELS.get(kwargs.get("color_mode", "rgb"))
        if "batch_size" in kwargs and not isinstance(kwargs["batch_size"], int):
            return Unknown("a dataset whose batching is not known statically")
        if not _size(size) or channels is None or not self._channels_last(None):
            return Unknown("a dataset whose image size is not known statically")
        mode = kwargs.get("label_mode", "int")
        inferred = kwargs.get("labels", "inferred") == "inferred" and isinstance(mode, str)
        labels = {"int": (), "binary": (1,)}.get(mode) if inferred else None
        text = f"image_dataset_from_directory(image_size={tuple(size)}) (line {expr.lineno})"
        return DataValue((*size, channels), text, labels, batched=True, pairs=inferred)

    def _generator_method(
        self,
        generator: ImageGenerator,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        expr: ast.Call,
    ) -> Any:
        if name == "fit":
            return None
        if name == "flow":
            data = args[0] if args else kwargs.get("x")
            sample = sample_of(data)
            if sample is None:
                return Unknown("a generator over data not known statically")
            target = args[1] if len(args) > 1 else kwargs.get("y")
            labels = sample_of(target)
            text = f"flow() (line {expr.lineno})"
            # it yields (x, y) batches when given targets, else x batches
            return DataValue(sample, text, labels=labels, batched=True, pairs=target is not None)
        if name == "flow_from_directory":
            size = args[1] if len(args) > 1 else kwargs.get("target_size", (256, 256))
            colour = args[2] if len(args) > 2 else kwargs.get("color_mode", "rgb")
            mode = args[4] if len(args) > 4 else kwargs.get("class_mode", "categorical")
        else:  # flow_from_dataframe: everything after the frame by keyword
            size = kwargs.get("target_size", (256, 256))
            colour = kwargs.get("color_mode", "rgb")
            mode = kwargs.get("class_mode", "categorical")
        channels = _CHANNELS.get(colour) if isinstance(colour, str) else None
        if not _size(size) or channels is None or not generator.channels_last:
            return Unknown(f"the images of {name}() are not sized statically")
        labels = {"binary": (), "sparse": ()}.get(mode) if isinstance(mode, str) else None
        text = f"{name}(target_size={tuple(size)}) (line {expr.lineno})"
        pairs = mode is not None  # `class_mode=None` yields images alone
        return DataValue(
            (*size, channels), text, labels, batched=True, image_shape=True, pairs=pairs
        )


def _tensor_slices(tensors: Any, expr: ast.Call) -> Any:
    """`Dataset.from_tensor_slices(x)` or `((x, y))`: one sample of `x` (and of `y`) per
    element, when the arrays' samples are known."""
    items = tensors.items if isinstance(tensors, ListValue) else tensors
    pair = isinstance(items, tuple | list) and len(items) == 2
    inputs = items[0] if pair else tensors
    sample = sample_of(inputs)
    if sample is None:
        return NOT_DATA
    labels = sample_of(items[1]) if pair else None
    text = f"Dataset.from_tensor_slices() (line {expr.lineno})"
    return DataValue(sample, text, labels, batched=True, pairs=pair, slices=True)


def _per_feature(other: Any, data: DataValue) -> bool:
    """An array that broadcasts over each sample: its shape a suffix of the samples'."""
    if not isinstance(other, ArrayValue) or not other.shape:
        return False
    return len(other.shape) <= len(data.sample) and data.sample[-len(other.shape) :] == other.shape


def _scaled(scaler: FeatureScaler, name: str, args: list[Any]) -> Any:
    """`scaler.fit(x)` is the scaler; its transforms are `x` rescaled, of the same shape."""
    if name == "fit":
        return scaler
    data = args[0] if args else None
    if isinstance(data, ArrayValue) or (isinstance(data, DataValue) and not data.batched):
        return data
    return Unknown(f"the result of {scaler.name}.{name}()")


def _size(value: Any) -> bool:
    return (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in value)
    )


def _split(arrays: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
    """`train_test_split(X, y)`: each array in two parts of the same sample shape, in
    scikit-learn's order (X_train, X_test, y_train, y_test); how many samples each part
    holds where every array's count and the sizes are known, else left open. A list of
    samples (`[cv2.resize(img, (256, 256)) for img in imgs]`) splits into two lists of them."""
    if arrays and all(_sample_list(a) for a in arrays):
        return tuple(ListValue(list(a.items), open_ended=True) for a in arrays for _ in (0, 1))
    samples = [sample_of(a) for a in arrays]
    if not arrays or all(s is None for s in samples):
        return Unknown("a split of data not known statically")
    if any(s is None for s in samples):  # each array is split alone: the known ones stay known
        text = f"train_test_split() (line {expr.lineno})"
        unknown = Unknown("a split of data not known statically")
        parts = [DataValue(s, text) if s is not None else unknown for s in samples]
        return tuple(part for part in parts for _ in (0, 1))
    counts = {a.shape[0] if isinstance(a, ArrayValue) else None for a in arrays}
    n = counts.pop() if len(counts) == 1 else None
    parts = _split_counts(n, kwargs) if isinstance(n, int) else None
    if parts is not None:
        return tuple(ArrayValue((k, *s)) for s in samples for k in parts)  # type: ignore[misc]
    text = f"train_test_split() (line {expr.lineno})"
    return tuple(DataValue(s, text) for s in samples for _ in (0, 1))  # type: ignore[arg-type]


def _sample_list(value: Any) -> bool:
    """A list of samples of one known shape (what `np.array` of it reads as data)."""
    return isinstance(value, ListValue) and value.open_ended and bool(value.items)


def _split_counts(n: int, kwargs: dict[str, Any]) -> tuple[int, int] | None:
    """(train, test) sample counts as scikit-learn computes them: a float test_size is
    ceil(test_size * n), a float train_size floor(train_size * n), 0.25 for the test part
    when neither is given; None when a size is not a plain number or the split is refused."""
    test, train = kwargs.get("test_size"), kwargs.get("train_size")
    if test is None and train is None:
        test = 0.25
    n_test = _part(test, n, math.ceil)
    n_train = _part(train, n, math.floor)
    if (test is not None and n_test is None) or (train is not None and n_train is None):
        return None  # a size given but not a plain number
    if n_test is None and n_train is not None:
        n_test = n - n_train
    if n_train is None and n_test is not None:
        n_train = n - n_test
    if n_train is None or n_test is None:
        return None
    if n_train < 1 or n_test < 1 or n_train + n_test > n:
        return None
    return n_train, n_test


def _part(size: Any, n: int, rounding: Any) -> int | None:
    if isinstance(size, bool) or not isinstance(size, int | float):
        return None
    if isinstance(size, float):
        return int(rounding(size * n)) if 0.0 < size < 1.0 else None
    return size if 0 < size < n else None


def _load_img(kwargs: dict[str, Any]) -> Any:
    colour = "grayscale" if kwargs.get("grayscale") is True else kwargs.get("color_mode", "rgb")
    channels = _CHANNELS.get(colour) if isinstance(colour, str) else None
    if channels is None:
        return Unknown("an image whose colour mode is not known statically")
    size = kwargs.get("target_size")
    return ImageValue((channels,), tuple(size) if _size(size) else None)  # type: ignore[arg-type]


def _image_array(image: ImageValue) -> Any:
    if image.size is None:
        return Unknown("an image whose size is only known at run time")
    return ArrayValue((*image.size, *image.channels))


# ----------------------------------------------------------------- OpenCV


def _cv2(leaf: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if leaf == "imread":
        flag = args[1] if len(args) > 1 else kwargs.get("flags", 1)
        name = flag.qualname.rsplit(".", 1)[-1] if isinstance(flag, Ref) else flag
        if name in (1, "IMREAD_COLOR"):
            return ImageValue((3,))
        if name in (0, "IMREAD_GRAYSCALE"):
            return ImageValue(())
        return Unknown("an image read with flags that keep its own channels")
    source = args[0] if args else kwargs.get("src")
    if leaf == "resize":
        size = args[1] if len(args) > 1 else kwargs.get("dsize")
        channels = _channels_of(source)
        if not _size(size) or channels is None:
            return Unknown("a resized image whose shape is not known statically")
        width, height = size
        return ArrayValue((height, width, *channels))
    if leaf == "cvtColor":
        code = args[1] if len(args) > 1 else kwargs.get("code")
        name = code.qualname.rsplit(".", 1)[-1] if isinstance(code, Ref) else ""
        channels = _channels_of(source)
        if channels is None or not name.startswith("COLOR_"):
            return Unknown("a colour conversion not known statically")
        if name.endswith(_TO_GRAY):
            channels = ()
        elif name.endswith(_TO_COLOUR) and "GRAY2" in name:
            channels = (3,)
        elif not name.endswith(_TO_COLOUR):
            return Unknown("a colour conversion not known statically")
        if isinstance(source, ImageValue):
            return ImageValue(channels, source.size)
        assert isinstance(source, ArrayValue)
        return ArrayValue((*source.shape[:2], *channels))
    return NOT_DATA


def _tf_resized(args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`tf.image.resize(image, [64, 64])`: rows and cols as given, the channels kept, of one
    decoded image, one array image, or a batch (`resize_with_pad` takes them apart)."""
    image = args[0]
    size = (args[1], args[2]) if len(args) > 2 else args[1] if len(args) > 1 else kwargs.get("size")
    if kwargs.get("target_height") is not None:
        size = (kwargs.get("target_height"), kwargs.get("target_width"))
    if isinstance(size, ListValue):
        size = tuple(size.items)
    if not _size(size):
        return NOT_DATA
    rows, cols = size
    if isinstance(image, ImageValue):
        return ArrayValue((rows, cols, *image.channels))
    if isinstance(image, FrameImage):  # `resize(np.expand_dims(spectrogram, -1), (148, 148))`
        return ArrayValue((rows, cols, 1))
    if isinstance(image, ArrayValue) and len(image.shape) in (3, 4):
        return ArrayValue((*image.shape[:-3], rows, cols, image.shape[-1]))
    if isinstance(image, DataValue) and not image.batched and len(image.sample) == 3:
        return DataValue((rows, cols, image.sample[-1]), image.source)
    return NOT_DATA


def _skimage_resize(args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`skimage.transform.resize(image, (64, 64, 3))`: the output shape as written; a
    (rows, cols) shape keeps the image's own channels, when known."""
    shape = args[1] if len(args) > 1 else kwargs.get("output_shape")
    if isinstance(shape, ListValue):
        shape = tuple(shape.items)
    if not isinstance(shape, tuple) or not literal_sizes(shape) or len(shape) not in (2, 3):
        return Unknown("a resized image whose shape is not known statically")
    if len(shape) == 3:
        return ArrayValue(shape)
    channels = _channels_of(args[0] if args else kwargs.get("image"))
    if channels is None:
        return Unknown("a resized image whose channels are not known statically")
    return ArrayValue((*shape, *channels))


def _channels_of(image: Any) -> tuple[int, ...] | None:
    if isinstance(image, ImageValue):
        return image.channels
    if isinstance(image, ArrayValue) and len(image.shape) in (2, 3):
        return image.shape[2:]
    return None


# ----------------------------------------------------------------- NumPy


def _numpy(leaf: str, args: list[Any], kwargs: dict[str, Any], expr: ast.Call) -> Any:
    value = args[0] if args else kwargs.get("a", kwargs.get("object"))
    if leaf == "expand_dims":
        return expanded(value, args[1] if len(args) > 1 else kwargs.get("axis"))
    if leaf == "pad":
        return padded(value, args[1] if len(args) > 1 else kwargs.get("pad_width"))
    if leaf == "repeat":
        count = args[1] if len(args) > 1 else kwargs.get("repeats")
        return repeated(value, count, args[2] if len(args) > 2 else kwargs.get("axis"))
    if isinstance(value, ImageValue):
        return _image_array(value)
    if isinstance(value, PilImage):
        return pil_array(value)
    if isinstance(value, DataValue | OneHotLabels):
        return value
    if not isinstance(value, ListValue) or not value.items:
        return NOT_DATA
    literal = None if value.open_ended else _literal_shape(value)
    if literal is not None:
        return ArrayValue(literal)
    shapes = {_one_sample(item) for item in value.items}
    if len(shapes) != 1 or None in shapes:
        return NOT_DATA
    (sample,) = shapes
    assert sample is not None
    return DataValue(sample, f"np.{leaf}() of a list (line {expr.lineno})")


def expanded(value: Any, axis: Any) -> Any:
    """`np.expand_dims(x, -1)` / `tf.expand_dims(x, axis=-1)`: a new axis of size 1."""
    if isinstance(value, FeatureFrames) and (image := frame_image(value, axis)):
        return image  # a spectrogram made an image, to be resized
    known = isinstance(value, ArrayValue) or (isinstance(value, DataValue) and not value.batched)
    if not known or not isinstance(axis, int) or isinstance(axis, bool):
        return NOT_DATA
    grown = _whole_shape(value, lambda shape: expand_shape(shape, axis))
    if grown is not None:
        return grown
    if isinstance(value, ArrayValue):
        return Unknown("an expand_dims() outside the array's axes")
    return Unknown("np.expand_dims() on the samples' axis")


def padded(value: Any, widths: Any) -> Any:
    """`np.pad(x, ((0, 0), (2, 2), (2, 2)))`: each axis longer by its two literal widths."""
    if isinstance(value, FeatureFrames) and (frames := padded_frames(value, widths)):
        return frames  # `np.pad(mfcc, ((0, 0), (0, max_pad_len - mfcc.shape[1])))`
    pairs = widths if isinstance(widths, tuple) else ()
    if not all(isinstance(p, tuple) and len(p) == 2 and literal_sizes(p, 0) for p in pairs):
        return NOT_DATA

    def grow(shape: tuple[int | None, ...]) -> tuple[int | None, ...] | None:
        if not pairs or len(pairs) != len(shape):
            return None
        return tuple(
            None if size is None else size + before + after
            for size, (before, after) in zip(shape, pairs, strict=True)
        )

    return _whole_shape(value, grow) or NOT_DATA


def repeated(value: Any, count: Any, axis: Any) -> Any:
    """`np.repeat(x, 3, axis=-1)` (grey images made RGB): that axis `count` times longer."""
    literal = isinstance(count, int) and not isinstance(count, bool) and count > 0
    if not literal or not isinstance(axis, int) or isinstance(axis, bool):
        return NOT_DATA

    def lengthen(shape: tuple[int | None, ...]) -> tuple[int | None, ...] | None:
        if not -len(shape) <= axis < len(shape) or shape[axis] is None:
            return None
        longer = list(shape)
        longer[axis] = shape[axis] * count  # type: ignore[operator]
        return tuple(longer)

    return _whole_shape(value, lengthen) or NOT_DATA


def _whole_shape(value: Any, change: Callable[[tuple[int | None, ...]], Any]) -> Any:
    """`change` applied to an array's whole shape, or to loaded samples as `(None, *sample)`
    (the count unknown); None when it does not apply, or would move the samples' axis."""
    if isinstance(value, ArrayValue):
        shape = change(value.shape)
        return ArrayValue(shape) if shape is not None else None
    if not isinstance(value, DataValue) or value.batched:
        return None
    shape = change((None, *value.sample))
    if shape is None or shape[0] is not None:
        return None
    return DataValue(shape[1:], value.source)


def _literal_shape(value: Any) -> tuple[int, ...] | None:
    """`np.array([6, 148, 72])` -> (3,); a list of equal-length rows of numbers -> (n, m)."""
    items = value.items if isinstance(value, ListValue) else value
    if not isinstance(items, list | tuple) or not items:
        return None
    if all(is_number(item) for item in items):
        return (len(items),)
    rows = {_literal_shape(item) for item in items}
    if len(rows) != 1 or None in rows:
        return None
    (row,) = rows
    assert row is not None
    return (len(items), *row)


def _one_sample(item: Any) -> tuple[int, ...] | None:
    if isinstance(item, ArrayValue):
        return item.shape
    if isinstance(item, ImageValue) and item.size is not None:
        return (*item.size, *item.channels)
    if isinstance(item, PilImage) and isinstance(array := pil_array(item), ArrayValue):
        return array.shape
    return None


def _reshape(data: DataValue, target: Any) -> Any:
    """`x.reshape(-1, 28, 28, 1)` / `x.reshape(x.shape[0], ...)` / `x.reshape(len(x), ...)`."""
    if isinstance(target, ListValue):
        target = tuple(target.items)
    if not isinstance(target, tuple) or len(target) < 2:
        return Unknown("a reshape of loaded data")
    rest = target[1:]
    if not literal_sizes(rest):
        return Unknown("a reshape whose target is not known statically")
    size, new = math.prod(data.sample), math.prod(rest)
    count = target[0]
    literal_count = isinstance(count, int) and not isinstance(count, bool) and count > 0
    regrouped = size % new == 0 or new % size == 0  # samples split or joined whole
    if (count == -1 or literal_count) and regrouped:
        return DataValue(rest, data.source)
    # `series.values.reshape((n, 4096))`: a series cut into rows; else the same samples
    if isinstance(count, Unknown) and (size == new or not data.sample):
        return DataValue(rest, data.source)
    return Unknown("a reshape of loaded data")
