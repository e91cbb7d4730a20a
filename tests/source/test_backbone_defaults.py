"""Issue 25 section 2: a builder called without arguments is sized by its defaults, and a
backbone's output read through its last layer (`base.layers[-1].output`) is the backbone's
output; numbers checked against Keras."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.source.test_realworld_patterns import _flatten_dense_params, _lint_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures/source/backbone_defaults.py"


@pytest.mark.keras
def test_defaults_and_last_layer_output_match_keras() -> None:
    keras = pytest.importorskip("keras")
    findings = lint_paths([FIXTURE], Settings()).findings
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (3, 3, 512), 1_179_904)
    ]
    namespace: dict = {"__name__": "fixture"}  # type: ignore[type-arg]
    with keras.StatelessScope(initialize_variables=False):  # counts only, nothing filled
        exec(compile(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE), "exec"), namespace)
    assert _flatten_dense_params(namespace, keras) == Counter({1_179_904: 1})


BACKBONE = (
    "from keras.applications import VGG16\nfrom keras import layers, Model\n"
    "base = VGG16(include_top=False, weights=None, input_shape=(64, 64, 3))\n"
    "x = layers.Flatten()({tap})\nm = Model(base.input, layers.Dense(8)(x))\n"
)


def test_last_layer_output_is_the_backbone_output(tmp_path: Path) -> None:
    findings = _lint_text(tmp_path, BACKBONE.format(tap="base.layers[-1].output"))
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", (2, 2, 512))]


def test_other_layers_of_a_backbone_stay_unknown(tmp_path: Path) -> None:
    # Only the last layer's output is known without Keras: no made-up sizes for the others.
    for tap in ("base.layers[-2].output", "base.layers[-1].input"):
        findings = _lint_text(tmp_path, BACKBONE.format(tap=tap))
        assert not [f for f in findings if f.rule == "KF001"], tap
