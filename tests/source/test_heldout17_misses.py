"""heldout17's misses (bench/realworld FINDINGS, heldout17 scored once), reduced to small
projects and files:

- pyimagesearch-style builders (`ShallowNet.build(width, height, depth, classes)`) in
  `src/ml/support/nn/`, imported as `support.nn.shallownet` by scripts in `src/ml/cnn/`
  (bartlomiejn/cv): the package lies in an ancestor folder of the scripts (an IDE source root
  or `PYTHONPATH`), which kerasfix now searches too; of two callers that flatten the same map,
  the one feeding the wider Dense is reported (the costlier call);
- a notebook cell `%%writefile cifar10_cnn.py` is the script it writes, linted as Python
  (spellml/examples hyperparamater-search.ipynb cell 3), not skipped as a cell magic.

Numbers checked with Keras 3: 32x32x3 -> Conv2D(32, 3, same) 32x32x32, Dense(10):
32*32*32*10 + 10 = 327,690; 30x30x8 -> Dense(4): 28,804.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

SHALLOWNET = """
from keras.models import Sequential
from keras.layers import Activation, Conv2D, Dense, Flatten


class ShallowNet:
    @staticmethod
    def build(width, height, depth, classes):
        model = Sequential()
        model.add(Conv2D(32, (3, 3), padding="same", input_shape=(height, width, depth)))
        model.add(Activation("relu"))
        model.add(Flatten())
        model.add(Dense(classes))
        return model
"""

CALLER = """
from support.nn.shallownet import ShallowNet

model = ShallowNet.build(width=32, height=32, depth=3, classes={classes})
"""


def test_a_package_in_an_ancestor_folder_and_the_costlier_caller(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'cv'\n")
    files = {
        "src/ml/support/__init__.py": "",
        "src/ml/support/nn/__init__.py": "",
        "src/ml/support/nn/shallownet.py": SHALLOWNET,
        "src/ml/neural-networks/cnn/shallownet_animals.py": CALLER.format(classes=3),
        "src/ml/neural-networks/cnn/shallownet_cifar10.py": CALLER.format(classes=10),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = lint_paths([tmp_path / "src/ml/support/nn/shallownet.py"], Settings())
    assert not result.errors
    (finding,) = result.findings
    assert (finding.rule, finding.line, finding.data.params_flatten) == ("KF001", 12, 327_690)
    assert "sized by src/ml/neural-networks/cnn/shallownet_cifar10.py" in finding.message


@pytest.mark.parametrize(
    "magic", ["%%writefile train.py", "%%time", "%%timeit -n 1 -r 1", "%%capture output"]
)
def test_cells_of_python_under_a_cell_magic(tmp_path: Path, magic: str) -> None:
    """`%%writefile train.py`: the script it writes; `%%time` over a feature-extraction or
    model cell (stephanosterburg/art-images): Python, run timed. `%%bash` is not Python."""
    cells = [
        f"{magic}\n"
        "from tensorflow.keras import layers, models\n"
        "model = models.Sequential([layers.Input((32, 32, 3)), layers.Conv2D(8, 3),\n"
        "                           layers.Flatten(), layers.Dense(4)])\n",
        "%%bash\npython train.py\n",
    ]
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": c, "outputs": [],
             "execution_count": None}
            for c in cells
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    path = tmp_path / "timed.ipynb"
    path.write_text(json.dumps(notebook))
    result = lint_paths([path], Settings())
    assert not result.errors
    # Keras: 32x32x3 -> 30x30x8 -> Dense(4): 7,200*4 + 4.
    assert [(f.rule, f.cell, f.line, f.data.params_flatten) for f in result.findings] == [
        ("KF001", 1, 4, 28_804)
    ]
