"""How legacy Keras code is read: Keras 1 positional arguments and the image data format.

Keras 1 wrote `Convolution2D(64, 3, 3)` for a 3x3 kernel and mostly targeted Theano's
channels-first ordering; tf.keras and Keras 3 read the same call as strides 3. These rules
decide which reading a file gets, and record every assumption so findings can state it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerasfix.graph.model import Graph, Layer, Node, Unknown
from kerasfix.layers import legacy
from kerasfix.layers.registry import data_format_names

# Layers whose data_format follows the file's `set_image_data_format()`: read off the specs.
_TAKES_DATA_FORMAT = data_format_names()
_KERAS1_NAMES = frozenset(
    {"Convolution1D", "Convolution2D", "Convolution3D", "Deconvolution2D", "AtrousConvolution2D"}
)
_KERAS1_KWARGS = frozenset({"border_mode", "subsample", "nb_filter", "nb_row", "nb_col", "init"})
# Keras 1.2's short aliases (keras/layers/convolutional.py: `Conv2D = Convolution2D`): in
# Keras 1 code `Conv2D(2, 3, 3, border_mode="valid")` is a 3x3 kernel, as the long name.
KERAS1_ALIASES = {
    "Conv1D": "Convolution1D",
    "Conv2D": "Convolution2D",
    "Conv3D": "Convolution3D",
    "AtrousConv2D": "AtrousConvolution2D",
    "Deconv2D": "Deconvolution2D",
}
# Keywords standalone Keras 2 refused next to the positional legacy form.
_KERAS2_REFUSED_WITH_LEGACY_FORM = frozenset({"padding", "strides", "data_format"})


class Keras1Reading:
    """Mixed into the interpreter: the file's data format and its Keras 1 reading."""

    keras1: bool  # a Keras 1 spelling was seen in a layer call
    keras1_code: Callable[[], bool]  # the frontend's whole-file verdict (is_keras1_code)
    _keras1_answer: bool | None
    made_layers: list[Layer]
    data_format: str | Unknown | None
    conditional: list[int]

    def keras1_semantics(self, qualname: str, kwargs: dict[str, Any]) -> bool:
        """Whether a legacy layer name is read with Keras 1 arguments: tf.keras never is.
        Standalone Keras 2.0-2.3 converted `Convolution2D(64, 3, 3)` to a 3x3 kernel too (its
        legacy interface; it refused the form next to padding=/strides=/data_format=), so
        that spelling in a standalone-keras file is read the legacy way even without a
        Keras-1-only keyword; Keras 2.4+ and 3 read strides, but code spelled so was not
        written for them."""
        if qualname.startswith("tensorflow."):
            return False
        leaf = qualname.rsplit(".", 1)[-1]
        if leaf in legacy.KERAS2_CONVERTED and not _KERAS2_REFUSED_WITH_LEGACY_FORM & set(kwargs):
            return True
        return self._is_keras1_code()

    def _is_keras1_code(self) -> bool:
        """The frontend's whole-file verdict, asked once and only when a call needs it."""
        if self._keras1_answer is None:
            self._keras1_answer = self.keras1_code()
        return self._keras1_answer

    def keras1_alias(self, leaf: str, qualname: str, args: list[Any], kwargs: dict) -> str:
        """The long Keras 1 name of a short alias written in its Keras 1 form (integer
        kernel sizes after the filters) in Keras 1 code; else `leaf` unchanged."""
        legacy_name = KERAS1_ALIASES.get(leaf)
        dims = args[1:3] if leaf != "Conv1D" else args[1:2]
        keras1_form = len(args) >= 3 and all(isinstance(d, int) for d in dims)
        if legacy_name is None or not keras1_form or qualname.startswith("tensorflow."):
            return leaf
        return legacy_name if self._is_keras1_code() else leaf

    def note_keras1_call(self, raw_name: str, keras1: bool, kwargs: dict[str, Any]) -> None:
        """A layer call read the Keras 1 way, or spelled with a Keras-1-only keyword, makes
        this Keras 1 code (for `guess_keras1_data_format`)."""
        if (keras1 and raw_name in _KERAS1_NAMES) or _KERAS1_KWARGS & kwargs.keys():
            self.keras1 = True

    def apply_data_format(self, class_name: str, config: dict[str, Any]) -> None:
        """The file's image data format, for a layer that takes one and does not set it."""
        unset = self.data_format is not None and "data_format" not in config
        if unset and class_name in _TAKES_DATA_FORMAT:
            config["data_format"] = self.data_format

    def set_data_format(self, value: Any) -> None:
        """`K.set_image_data_format(...)` / `set_image_dim_ordering(...)`: applies to the layers
        made afterwards, as in Keras; set under a condition, it is unknown."""
        formats = {"th": "channels_first", "tf": "channels_last"}
        value = formats.get(value, value) if isinstance(value, str) else value
        if self.conditional or value not in ("channels_first", "channels_last"):
            self.data_format = Unknown("the image data format is set at run time")
        else:
            self.data_format = value

    def guess_keras1_data_format(self) -> None:
        """Keras 1 scripts were mostly written for Theano's channels-first ordering: when a
        Keras 1 file declares an image input as (c, h, w) with few channels and sets no
        ordering, read its layers as channels_first."""
        if not self.keras1 or self.data_format is not None:
            return
        for layer in self.made_layers:
            shape = layer.config.get("input_shape")
            if "data_format" in layer.config or not isinstance(shape, tuple) or len(shape) != 3:
                continue
            if all(isinstance(d, int) for d in shape) and few_channels_first(shape):
                self._read_channels_first(
                    f"Keras 1 code with a {shape} input and no image ordering set"
                )
                return
        start = self._input_only_channels_first_builds()
        if start is None:
            return
        shape = start.declared_shape[1:]  # type: ignore[index]
        read = self._read_channels_first(
            f"Keras 1 code with an Input{shape} that only channels_first builds"
        )
        if _fails_to_build(self.graph, start):  # type: ignore[attr-defined]
            for layer in read:  # neither ordering builds: keep the file's own reading
                del layer.config["data_format"], layer.origin["assumed_data_format"]

    def _read_channels_first(self, why: str) -> list[Layer]:
        read = []
        for other in self.made_layers:
            if "data_format" not in other.config and other.class_name in _TAKES_DATA_FORMAT:
                other.config["data_format"] = "channels_first"
                other.origin["assumed_data_format"] = why  # findings must say so
                read.append(other)
        return read

    def _input_only_channels_first_builds(self) -> Node | None:
        """A functional `Input((3, 80, 170))` (few channels ahead of a larger image) whose
        model Keras cannot build channels_last: the ordering the code was written for."""
        for start in self.graph.nodes:  # type: ignore[attr-defined]
            shape = start.declared_shape[1:] if start.declared_shape is not None else ()
            if not start.is_input or len(shape) != 3:
                continue
            if not all(isinstance(d, int) for d in shape) or not few_channels_first(shape):
                continue
            if _fails_to_build(self.graph, start):  # type: ignore[attr-defined]
                return start
        return None


def _fails_to_build(graph: Graph, start: Node) -> bool:
    """Whether a layer fed (directly or not) by `start` is one Keras would refuse."""
    from kerasfix.graph.inference import infer

    infer(graph)
    reached = {id(start)}
    for node in graph.nodes:  # in the order they were made: inputs come first
        if any(id(parent) in reached for parent in node.inputs):
            reached.add(id(node))
            if node.build_error:
                return True
    return False


def few_channels_first(shape: tuple[int, ...]) -> bool:
    """(3, 100, 100) or (5, 100, 100): a few channels ahead of a much larger image."""
    smallest = min(shape[1:])
    return shape[0] <= 4 < smallest or (shape[0] <= 16 and 4 * shape[0] <= smallest)
