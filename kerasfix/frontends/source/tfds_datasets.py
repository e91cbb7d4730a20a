"""TensorFlow Datasets: `tfds.load("omniglot", with_info=True)` names a catalogue dataset whose
images have one fixed shape (`ds_info.features["image"].shape` is (105, 105, 3)), or images of
their own sizes and known channels (`tf_flowers`: (None, None, 3)), which a mapped
`tf.image.resize` then fixes. Datasets not listed stay unknown."""

from __future__ import annotations

from typing import Any

from kerasfix.frontends.source.data_values import DatasetBunch, DataValue
from kerasfix.frontends.source.values import ListValue, Unknown

# The image shape and class count of catalogue datasets of fixed-size images.
TFDS_IMAGES: dict[str, tuple[tuple[int | None, int | None, int], int]] = {
    "mnist": ((28, 28, 1), 10),
    "fashion_mnist": ((28, 28, 1), 10),
    "kmnist": ((28, 28, 1), 10),
    "emnist": ((28, 28, 1), 62),
    "cifar10": ((32, 32, 3), 10),
    "cifar100": ((32, 32, 3), 100),
    "svhn_cropped": ((32, 32, 3), 10),
    "stl10": ((96, 96, 3), 10),
    "omniglot": ((105, 105, 3), 1623),
    "eurosat": ((64, 64, 3), 10),
    "eurosat/rgb": ((64, 64, 3), 10),
    "rock_paper_scissors": ((300, 300, 3), 3),
    "horses_or_humans": ((300, 300, 3), 2),
    "beans": ((500, 500, 3), 3),
    "colorectal_histology": ((150, 150, 3), 8),
    "patch_camelyon": ((96, 96, 3), 2),
    "deep_weeds": ((256, 256, 3), 9),
    "binary_alpha_digits": ((20, 16, 1), 36),
    "tf_flowers": ((None, None, 3), 5),
    "cats_vs_dogs": ((None, None, 3), 2),
    "oxford_flowers102": ((None, None, 3), 102),
    "caltech101": ((None, None, 3), 102),
    "food101": ((None, None, 3), 101),
    "stanford_dogs": ((None, None, 3), 120),
    "malaria": ((None, None, 3), 2),
}


def tfds_load(args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    """`tfds.load(name, split=..., as_supervised=..., with_info=...)`: the datasets (pairs
    of an image and its label when `as_supervised=True`) and, asked for, their info."""
    name = args[0] if args else kwargs.get("name")
    known = TFDS_IMAGES.get(name.split(":")[0]) if isinstance(name, str) else None
    if known is None:
        return Unknown("a TensorFlow Datasets dataset whose images are sized at run time")
    shape, classes = known
    source = f"tfds.load({name!r}) (line {line})"
    if kwargs.get("as_supervised") is True:
        one: Any = DataValue(shape, source, labels=(), batched=True, pairs=True, slices=True)
    else:
        one = Unknown(f"{source}: a dataset of feature dictionaries")
    split = kwargs.get("split", args[1] if len(args) > 1 else None)
    if isinstance(split, ListValue):
        split = tuple(split.items)
    if split is None:  # every split, by name
        datasets: Any = {"train": one, "test": one}
    else:
        datasets = tuple(one for _ in split) if isinstance(split, tuple) else one
    if kwargs.get("with_info") is not True:
        return datasets
    image = DatasetBunch((("shape", shape), ("dtype", Unknown("an image's dtype"))))
    label = DatasetBunch((("num_classes", classes), ("shape", ())))
    info = DatasetBunch((("features", {"image": image, "label": label}), ("name", name)))
    return datasets, info
