"""A callable nobody supplies, applied to the model's input (heldout7: danyow-cheung/Advanced-
Deep-Learning chapter13/mine.py:169, `x = self.backbone(inputs)` with the backbone a
constructor parameter): what it returns is a map of unknown size, so the Flatten of it is
KF002 naming the parameter, not silent as a Flatten of a raw input is. No Keras build: no
number is stated.
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

IMPORTS = "from tensorflow.keras.layers import Dense, Flatten, Input, Lambda\n"
IMPORTS += "from tensorflow.keras.models import Model\n"
CLASS = """
class MINE:
    def __init__(self, args, backbone):
        self.backbone = backbone
        self.latent_dim = args.latent_dim
        self.build_model()

    def build_model(self):
        inputs = Input(shape=(28, 28, 1))
        x = {feature}
        x = Flatten()(x)
        y = Dense(self.latent_dim)(x)
        self.encoder = Model(inputs, y)
"""


def _lint(tmp_path: Path, feature: str) -> list:
    path = tmp_path / "mine.py"
    path.write_text(IMPORTS + CLASS.format(feature=feature))
    result = lint_paths([path], Settings())
    assert result.errors == []
    return result.findings


def test_a_flatten_of_a_backbone_parameter_is_of_unknown_size(tmp_path: Path) -> None:
    (finding,) = _lint(tmp_path, "self.backbone(inputs)")
    assert (finding.rule, finding.line, finding.data.shape) == ("KF002", 13, None)
    assert "'backbone' is a parameter of __init__()" in finding.message


def test_a_flatten_of_the_raw_input_stays_silent(tmp_path: Path) -> None:
    assert _lint(tmp_path, "Lambda(lambda t: t / 255.0)(inputs)") == []
