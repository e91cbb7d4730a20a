"""Issue 25 section 5: `rewrite` of a ConvLSTM returning sequences, saved by Keras.

channels_first, its output is (batch, time, filters, rows, cols): the pooling that keeps the
filters is a Permute then channels_first pooling, two layers where rewrite puts one, so the
site is refused with a one-line reason naming the layer and nothing is written (a pooling
that kept the time steps was written before); `lint --fix` writes the two layers in source.
channels_last, (batch, time, rows, cols, filters), one GlobalAveragePooling3D keeps the
filters and the site is rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.rewrite.test_matrix import SUFFIXES, check_rewrite

pytestmark = pytest.mark.keras


def _model(keras: Any, data_format: str) -> Any:
    layers = keras.layers
    shape = (3, 1, 5, 5) if data_format == "channels_first" else (3, 5, 5, 1)
    return keras.Sequential(
        [
            keras.Input(shape),
            layers.ConvLSTM2D(4, 3, data_format=data_format, return_sequences=True, name="clstm"),
            layers.Flatten(name="flat"),
            layers.Dense(2, name="fc"),
        ],
        name="seq",
    )


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_channels_first_sequence_is_refused_naming_the_layer(
    keras: Any, tmp_path: Path, suffix: str
) -> None:
    report = check_rewrite(keras, _model(keras, "channels_first"), tmp_path, suffix, "cf")
    assert not isinstance(report, str) and not report.sites
    assert report.skipped == [
        "flat: 'clstm' (ConvLSTM2D, channels_first, return_sequences=True) outputs time "
        "steps before filters: keeping the filters needs Permute((2, 1, 3, 4)) then "
        'GlobalAveragePooling3D(data_format="channels_first"), two layers where rewrite puts '
        "one: fix the source (kerasfix lint --fix writes both)"
    ]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_channels_last_sequence_keeps_the_filters(keras: Any, tmp_path: Path, suffix: str) -> None:
    from kerasfix.model_rewrite.calibrate import load_model_path

    model = _model(keras, "channels_last")
    report = check_rewrite(keras, model, tmp_path, suffix, "cl", constant=False)
    assert not isinstance(report, str), report
    [site] = report.sites
    # (3, 3, 3, 4) entering Flatten: 108 * 2 + 2 before; the 4 filters kept, 4 * 2 + 2 after.
    assert (site.dense_input_before, site.params_before, site.params_after) == (108, 218, 10)
    new = load_model_path(keras, str(tmp_path / f"cl_gap{suffix}"))
    pooling = new.get_layer(site.pooling_layer)
    assert type(pooling).__name__ == "GlobalAveragePooling3D"
    assert pooling.data_format == "channels_last" and pooling.output.shape == (None, 4)
    assert new.get_layer("fc").count_params() == 10


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_time_distributed_channels_first_frames_keep_the_filters(
    keras: Any, tmp_path: Path, suffix: str
) -> None:
    """TimeDistributed(Conv2D(channels_first)) -> TimeDistributed(Flatten): each frame is
    (filters, rows, cols), read from the wrapped layer's data_format (the columns were kept)."""
    import numpy as np

    from kerasfix.model_rewrite.calibrate import load_model_path
    from kerasfix.model_rewrite.keras_runtime import runnable

    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((3, 1, 5, 5)),
            layers.TimeDistributed(layers.Conv2D(4, 1, data_format="channels_first")),
            layers.TimeDistributed(layers.Flatten(), name="td_flat"),
            layers.TimeDistributed(layers.Dense(2), name="td_fc"),
        ]
    )
    report = check_rewrite(keras, model, tmp_path, suffix, "td", constant=False)
    assert not isinstance(report, str), report
    [site] = report.sites
    assert (site.dense_input_after, site.params_after) == (4, 10)
    new = load_model_path(keras, str(tmp_path / f"td_gap{suffix}"))
    # The same value at every position of a frame: the fold is exact.
    frames = np.random.default_rng(0).standard_normal((2, 3, 1, 1, 1))
    x = np.broadcast_to(frames, (2, 3, 1, 5, 5)).astype("float32")
    got, want = (runnable(m).predict(x, verbose=0) for m in (new, model))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_sequence_of_volumes_is_refused_naming_the_two_layers(keras: Any, tmp_path: Path) -> None:
    # ConvLSTM3D(return_sequences=True): (time, depth, rows, cols, filters), no one layer pools
    # the four axes keeping the filters; the site is skipped with its reason, nothing written.
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((2, 4, 4, 4, 1)),
            layers.ConvLSTM3D(2, 3, return_sequences=True, name="clstm3"),
            layers.Flatten(name="flat"),
            layers.Dense(2, name="fc"),
        ],
        name="seq3",
    )
    report = check_rewrite(keras, model, tmp_path, SUFFIXES[0], "vol")
    assert not isinstance(report, str) and not report.sites
    assert report.skipped == [
        "flat: the map entering 'flat' is a sequence of volumes (2x2x2x2x2): keeping its "
        "channels needs TimeDistributed(GlobalAveragePooling3D()) then GlobalAveragePooling1D(), "
        "two layers where rewrite puts one: fix the source by hand"
    ]
