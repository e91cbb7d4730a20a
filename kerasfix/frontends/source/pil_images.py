"""Pillow images: `Image.open(path).convert("RGB").resize((30, 30))` then `np.array(img)`.

A traffic-sign or face dataset is often read with Pillow rather than OpenCV. The file fixes
the image's size with `resize((width, height))` (Pillow's order: width first) and its
channels with `convert(mode)`; an image opened and never converted keeps the file's own mode,
which only the file on disk knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kerasfix.frontends.source.data_values import ImageValue
from kerasfix.frontends.source.sample_arrays import literal_sizes
from kerasfix.frontends.source.values import ArrayValue, ListValue, Unknown

# Channel axes an array of an image in each Pillow mode has (`np.array(img)`).
_MODE_CHANNELS: dict[str, tuple[int, ...]] = {
    "1": (),
    "L": (),
    "P": (),
    "I": (),
    "F": (),
    "LA": (2,),
    "RGB": (3,),
    "YCbCr": (3,),
    "LAB": (3,),
    "HSV": (3,),
    "RGBA": (4,),
    "CMYK": (4,),
}
OPENERS = frozenset({"PIL.Image.open", "PIL.Image.fromarray"})
_KEEPS_IMAGE = frozenset({"copy", "filter"})  # methods that return the image as it was
METHODS = frozenset({"convert", "resize", *_KEEPS_IMAGE})


@dataclass(frozen=True)
class PilImage:
    """A Pillow image: its channel axes once `convert` fixes the mode, its (rows, cols)
    once `resize` fixes them; None while only the image file knows."""

    channels: tuple[int, ...] | None = None
    size: tuple[int, int] | None = None


def pil_image(qualname: str, args: list[Any], kwargs: dict[str, Any]) -> PilImage:
    """`Image.open(path)`: mode and size only the file knows; `Image.fromarray(a)`: an
    array of rows x cols (grayscale) or rows x cols x 3/4 (RGB/RGBA) keeps that shape, a
    decoded image (`cv2.imread(path)`) its channels; `fromarray(a, "RGB")` names the mode."""
    if not qualname.endswith("fromarray"):
        return PilImage()
    array = args[0] if args else kwargs.get("obj")
    image = PilImage()
    if isinstance(array, ArrayValue):
        shape = array.shape
        if len(shape) == 2 or (len(shape) == 3 and shape[2] in (3, 4)):
            image = PilImage(shape[2:], (shape[0], shape[1]))
    elif isinstance(array, ImageValue) and array.channels in ((), (3,), (4,)):
        image = PilImage(array.channels, array.size)
    mode = args[1] if len(args) > 1 else kwargs.get("mode")
    if isinstance(mode, str) and mode in _MODE_CHANNELS:
        return PilImage(_MODE_CHANNELS[mode], image.size)
    return image


def pil_method(image: PilImage, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`img.convert("L")`, `img.resize((w, h))`; other methods' results are not modelled."""
    if name == "convert":
        mode = args[0] if args else kwargs.get("mode")
        channels = _MODE_CHANNELS.get(mode) if isinstance(mode, str) else None
        if channels is None:
            return Unknown("an image converted to a mode not known statically")
        return PilImage(channels, image.size)
    if name == "resize":
        size = args[0] if args else kwargs.get("size")
        if isinstance(size, ListValue):
            size = tuple(size.items)
        if not (isinstance(size, tuple) and len(size) == 2 and literal_sizes(size)):
            return Unknown("an image resized to a size not known statically")
        width, height = size
        return PilImage(image.channels, (height, width))
    if name in _KEEPS_IMAGE:
        return image
    return Unknown(f"the result of {name}() on an image")


def pil_array(image: PilImage, *, keras: bool = False) -> Any:
    """`np.array(img)` (a grayscale image is 2-D), or Keras' `img_to_array(img)` (which
    gives every image a channel axis)."""
    if image.size is None:
        return Unknown("an image whose size is only known at run time")
    if image.channels is None:
        return Unknown("an image whose colour mode is only known from its file")
    channels = image.channels or ((1,) if keras else ())
    return ArrayValue((*image.size, *channels))
