"""`@property` methods read as attributes (dev: PacktPublishing/Advanced-Deep-Learning-with-
Keras chapter13 iic-13.5.1.py:57, `IIC(args, backbone.model)` with `model` a property of the
VGG backbone class): reading the attribute runs the method, so the backbone applied to the
input is the model the property returns. Keras check of the known case: Conv2D(64, 3) on
24x24x1 is 22x22x64; Dense(10) after Flatten has 22*22*64*10 + 10 = 309,770 parameters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

CODE = """
from tensorflow.keras.layers import Conv2D, Dense, Flatten, Input
from tensorflow.keras.models import Model


class VGG:
    def __init__(self, input_shape=(24, 24, 1)):
        self.input_shape = input_shape
        self._model = None
        self.build_model()

    def build_model(self):
        inputs = Input(shape=self.input_shape)
        self._model = Model(inputs, Conv2D(64, 3)(inputs))

    @{decorator}
    def model(self):
        return self._model


class Head:
    def __init__(self, args, backbone):
        self.args = args
        self.backbone = backbone
        inputs = Input(shape={shape})
        x = Flatten()(self.backbone(inputs))
        self.model = Model(inputs, Dense(10)(x))


if __name__ == "__main__":
    args = parse_args()
    head = Head(args, VGG().model)
"""


def _lint(tmp_path: Path, decorator: str, shape: str, backbone: str = "VGG()") -> list:
    path = tmp_path / "iic.py"
    code = CODE.format(decorator=decorator, shape=shape)
    path.write_text(code.replace("VGG().model", f"{backbone}.model"))
    result = lint_paths([path], Settings())
    assert result.errors == []
    return result.findings


@pytest.mark.parametrize("decorator", ["property", "functools.cached_property"])
def test_a_property_returns_what_its_method_returns(tmp_path: Path, decorator: str) -> None:
    (finding,) = _lint(tmp_path, decorator, "(24, 24, 1)")
    assert (finding.rule, finding.line, finding.data.shape) == ("KF001", 26, (22, 22, 64))
    assert finding.data.params_flatten == 309_770


def test_a_property_backbone_on_an_input_of_unknown_size_is_kf002(tmp_path: Path) -> None:
    (finding,) = _lint(tmp_path, "property", "self.args.shape", "VGG(args.shape)")
    assert (finding.rule, finding.line) == ("KF002", 26)
    assert "unknown because 'parse_args' is not defined in this file" in finding.message
