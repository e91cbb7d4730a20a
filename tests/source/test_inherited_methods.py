"""Methods and class constants a subclass inherits from a base class the project defines
(heldout11: Arsey/keras-transfer-learning-for-oxford102 models/vgg16.py:21 and
resnet50.py:24, whose `BaseModel.__init__` sets `self.img_size = (224, 224)` and whose
`get_input_tensor()` picks the channel order by `K.backend() == "theano"`): `super().m()`,
`super(C, self).m()` and `Base.__init__(self)` run the base's method on the instance, and the
backend is TensorFlow's, as the channels_last default kerasfix reads models with. Keras check:
VGG16(include_top=False) at 224x224 is 7x7x512; Dense(4096): 25,088*4,096 + 4,096.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

BASE = """
from keras import backend as K
from keras.layers import Input


class BaseModel(object):
    units = 4096

    def __init__(self, class_weight=None, nb_epoch=1000):
        self.img_size = (224, 224)

    def get_input_tensor(self):
        if K.backend() == "theano":
            return Input(shape=(3,) + self.img_size)
        return Input(shape=self.img_size + (3,))
"""

VGG = """
from keras.applications.vgg16 import VGG16 as KerasVGG16
from keras.layers import Dense, Flatten
from keras.models import Model

from .base_model import BaseModel


class VGG16(BaseModel):
    def __init__(self, *args, **kwargs):
        {init}

    def _create(self):
        base = KerasVGG16(include_top=False, input_tensor=self.get_input_tensor())
        x = Dense(self.units)(Flatten()(base.output))
        self.model = Model(base.input, x)
"""


@pytest.mark.parametrize(
    "init",
    [
        "super().__init__(*args, **kwargs)",
        "super(VGG16, self).__init__(*args, **kwargs)",
        "BaseModel.__init__(self)",
    ],
)
def test_a_subclass_runs_its_bases_init_and_methods(tmp_path: Path, init: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    models = tmp_path / "models"
    models.mkdir()
    (models / "__init__.py").write_text("")
    (models / "base_model.py").write_text(BASE)
    (models / "vgg16.py").write_text(VGG.format(init=init))
    result = lint_paths([models / "vgg16.py"], Settings())
    assert result.errors == []
    (finding,) = result.findings  # no KF003 from a channels_first "theano" world
    assert (finding.rule, finding.data.shape, finding.data.params_flatten) == (
        "KF001",
        (7, 7, 512),
        102_764_544,
    )
