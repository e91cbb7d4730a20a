"""heldout18's misses (bench/realworld FINDINGS 22a): scripts in `code/CNN/` import their
sibling package as `from CNN import constants`, where `code/CNN/` has no `__init__.py` (a
Python 3 namespace package found through `code/`, an IDE source root or `PYTHONPATH`; wxkkk
swim_stroke). A folder of Python files named as imported, in an ancestor folder of the
importer, is now the project's package.

Numbers checked with Keras 3: (80, 6, 1) -> three Conv2D((3, 1)) valid + MaxPool2D((3, 1))
-> 2x6x4, Dense(16): 48*16 + 16 = 784.
"""

from __future__ import annotations

from pathlib import Path

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

MODEL = """
from tensorflow.keras import Sequential
from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPool2D
from CNN import constants


def build_model():
    model = Sequential()
    model.add(Conv2D(2, (3, 1), input_shape=constants.INPUT_SHAPE))
    model.add(MaxPool2D((3, 1)))
    model.add(Conv2D(4, (3, 1)))
    model.add(MaxPool2D((3, 1)))
    model.add(Conv2D(4, (3, 1)))
    model.add(MaxPool2D((3, 1)))
    model.add(Flatten())
    model.add(Dense(16))
    return model
"""


def test_a_namespace_package_in_an_ancestor_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'swim'\n")
    package = tmp_path / "code" / "CNN"
    package.mkdir(parents=True)
    (package / "constants.py").write_text("INPUT_SHAPE = (80, 6, 1)\n")
    (package / "model.py").write_text(MODEL)
    result = lint_paths([package / "model.py"], Settings())
    assert not result.errors
    assert [(f.rule, f.line, f.data.params_flatten) for f in result.findings] == [
        ("KF001", 15, 784)
    ]
