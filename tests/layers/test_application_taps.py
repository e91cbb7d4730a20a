"""`backbone.get_layer(name).output`: the generated table of application layers vs Keras.

The table (application_taps.json) was measured at two input sizes; here every recorded layer of
a backbone is checked at a third size Keras builds for real, so a wrong step count or a Keras
release that renames or reshapes a layer fails CI.
"""

from __future__ import annotations

import pytest

from kerasfix.layers.applications import TAP, _taps
from kerasfix.layers.registry import lookup
from tests.keras_on_demand import keras

pytestmark = pytest.mark.keras

# The backbones real code cuts most often (the TensorFlow course's mixed7, VGG block pools,
# ResNet stage outputs, MobileNetV2's expand layers), and one of each remaining family.
CHECKED = ["InceptionV3", "VGG16", "ResNet50", "MobileNetV2", "Xception", "DenseNet121"]
SIZE = 203  # odd and unlike the generator's 299 / 331


@pytest.mark.parametrize("name", CHECKED)
def test_every_recorded_layer_matches_keras_at_another_size(name: str) -> None:
    # Shapes only: variables are shaped but never filled (see test_applications.py).
    with keras.StatelessScope(initialize_variables=False):
        model = getattr(keras.applications, name)(
            weights=None, include_top=False, input_shape=(SIZE, SIZE, 3)
        )
    spec = lookup(TAP)
    assert spec is not None
    config = {"backbone": name, "input_shape": (SIZE, SIZE, 3), "include_top": False}
    recorded = list(_taps()[name])
    assert len(recorded) > 10
    for layer_name in recorded:
        keras_shape = tuple(model.get_layer(layer_name).output.shape)
        ours = spec.output_shape({**config, "name": layer_name}, [(None, SIZE, SIZE, 3)])
        assert ours == keras_shape, layer_name
