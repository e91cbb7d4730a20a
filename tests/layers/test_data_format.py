"""The layers that take `data_format` are read off the layer specs, and agree with Keras."""

from __future__ import annotations

import inspect

import pytest

from kerasfix.layers.arithmetic import identity_shape
from kerasfix.layers.registry import canonical_name, data_format_names, known_names, lookup


def test_every_spec_with_a_data_format_argument_is_in_the_set() -> None:
    names = data_format_names()
    for name in known_names():
        spec = lookup(name)
        assert spec is not None
        if "data_format" in spec.positional or "data_format" in spec.keywords:
            assert canonical_name(name) in names, name
        else:
            assert canonical_name(name) not in names, name


def test_the_set_covers_image_layers_and_no_1d_cropping() -> None:
    names = data_format_names()
    taking = {"Conv2D", "MaxPooling2D", "GlobalAveragePooling2D", "Flatten", "UpSampling2D"}
    taking |= {"ZeroPadding1D", "CenterCrop", "Resizing", "RandomCrop", "ConvLSTM2D"}
    assert taking <= names
    # The old name pattern ("Conv|Pool|Cropping|...") also caught these, which Keras's
    # constructors do not give a data_format.
    assert not {"Dense", "Cropping1D", "UpSampling1D", "SpatialDropout1D", "LRN2D"} & names


@pytest.mark.keras
def test_the_set_agrees_with_keras_constructors() -> None:
    keras = pytest.importorskip("keras", reason="needs the keras extra: pip install -e '.[keras]'")
    names = data_format_names()
    checked = 0
    for name in sorted(n for n in known_names() if canonical_name(n) == n):
        target = getattr(keras.layers, name, None)
        if target is None:  # backbones and Keras 1 layers
            continue
        checked += 1
        in_keras = "data_format" in inspect.signature(target).parameters
        spec = lookup(name)
        assert spec is not None
        if name in names:
            assert in_keras, f"{name} takes no data_format in Keras"
        elif in_keras:
            # Augmentation layers keep their input's shape whatever the format.
            assert spec.output_shape is identity_shape, f"{name} takes a data_format in Keras"
    assert checked >= 90  # every Keras layer kerasfix knows was compared
