"""kerasfix's TensorSlice node (`x[:, :, :16]` in a Lambda or a `call()`): its output shape
is NumPy's basic indexing of the input shape, checked against NumPy on real arrays."""

from __future__ import annotations

import numpy as np
import pytest

from kerasfix.layers.registry import Role, lookup
from kerasfix.layers.tensor_slice import TENSOR_SLICE, slice_items

INDEXES = [
    (slice(None), slice(None), slice(None, 16)),
    (slice(None), slice(None), slice(16, None)),
    (slice(None), slice(None, None, 2), slice(None, None, 2), slice(None)),
    (slice(None), slice(3, -3), Ellipsis),
    (slice(None), Ellipsis, 0),
    (slice(None), -1),
    (slice(None), None, slice(2, 5)),
    (slice(None), slice(10, 2)),
    (slice(None), slice(-100, 100, 3)),
]


@pytest.mark.parametrize("index", INDEXES, ids=repr)
def test_shape_is_numpys(index: tuple[object, ...]) -> None:
    array = np.zeros((2, 9, 11, 32))
    spec = lookup(TENSOR_SLICE)
    assert spec is not None
    items = slice_items(index)
    assert items is not None
    shape = spec.output_shape({"items": items}, [(None, 9, 11, 32)])
    assert shape == (None, *array[index].shape[1:])


def test_unknown_dims_stay_unknown_and_the_batch_axis_is_kept_whole() -> None:
    spec = lookup(TENSOR_SLICE)
    assert spec is not None
    channels = slice_items((slice(None), slice(None), slice(None, 16)))
    assert spec.output_shape({"items": channels}, [(None, None, 32)]) == (None, None, 16)
    assert spec.output_shape({"items": channels}, [(None, 40, None)]) == (None, 40, None)
    first_sample = slice_items(0)
    assert spec.output_shape({"items": first_sample}, [(None, 40, 3)]) is None
    out_of_range = slice_items((slice(None), 5))
    assert spec.output_shape({"items": out_of_range}, [(None, 5, 3)]) is None


def test_only_literal_indexes_are_read() -> None:
    assert slice_items((slice(None), slice(0, object()))) is None  # type: ignore[call-overload]
    assert slice_items((Ellipsis, Ellipsis)) is None
    assert slice_items((slice(None), slice(None, None, 0))) is None


def test_slices_keep_a_feature_map_and_an_index_does_not() -> None:
    spec = lookup(TENSOR_SLICE)
    assert spec is not None
    assert spec.role_for({"items": slice_items((slice(None), slice(2, 9)))}) is Role.PRESERVING
    assert spec.role_for({"items": slice_items((slice(None), 0))}) is Role.OTHER
