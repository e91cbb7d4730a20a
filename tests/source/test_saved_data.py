"""Data a file saves and loads back keeps the sample shape the file gave it (sentdex's
X.pickle tutorial in one notebook); a file that only loads what a sibling script or notebook
wrote reads data at run time, as the labelled parts decide (heldout11's pkumar2618,
heldout17's Ketan14a and scottlv95, heldout20's ChengHan16: KF002).

Numbers checked with Keras 3: Conv2D(64, 3) on 50x50x1 gives 48x48x64, MaxPooling2D
24x24x64, 24*24*64*64 + 64 = 2,359,360.
"""

from __future__ import annotations

import json
from pathlib import Path

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.source.one_file import findings_of

WRITER = """
import os
import pickle

import cv2
import numpy as np

IMG_SIZE = 50
X = []
for name in os.listdir("PetImages"):
    image = cv2.imread(os.path.join("PetImages", name), cv2.IMREAD_GRAYSCALE)
    X.append(cv2.resize(image, (IMG_SIZE, IMG_SIZE)))
X = np.array(X).reshape(-1, IMG_SIZE, IMG_SIZE, 1)
pickle_out = open("X.pickle", "wb")
pickle.dump(X, pickle_out)
pickle_out.close()
"""

TRAINER = """
import pickle

from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from keras.models import Sequential

X = pickle.load(open("X.pickle", "rb"))
X = X / 255.0
model = Sequential()
model.add(Conv2D(64, (3, 3), input_shape=X.shape[1:]))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(64))
"""


def _lint(path: Path) -> list[tuple[str, int, int | None]]:
    result = lint_paths([path], Settings())
    assert not result.errors
    return [(f.rule, f.line, f.data.params_flatten) for f in result.findings]


def test_data_saved_earlier_in_the_same_file_keeps_its_shape(tmp_path: Path) -> None:
    text = WRITER + TRAINER.replace("import pickle\n", "")
    assert findings_of(tmp_path, text) == [("KF001", 27, 2_359_360)]


def test_a_with_handle_and_np_save_name_the_file_too(tmp_path: Path) -> None:
    writer = WRITER.replace(
        'pickle_out = open("X.pickle", "wb")\npickle.dump(X, pickle_out)\npickle_out.close()',
        'np.save("data/x_train.npy", X)',
    )
    trainer = TRAINER.replace('pickle.load(open("X.pickle", "rb"))', 'np.load("x_train.npy")')
    assert findings_of(tmp_path, writer + trainer) == [("KF001", 26, 2_359_360)]
    with_handle = WRITER.replace('pickle_out = open("X.pickle", "wb")\n', "").replace(
        "pickle.dump(X, pickle_out)\npickle_out.close()",
        'with open("X.pickle", "wb") as f:\n    pickle.dump(X, f)',
    )
    assert findings_of(tmp_path, with_handle + TRAINER) == [("KF001", 27, 2_359_360)]


def test_a_file_a_sibling_script_or_notebook_writes_is_read_at_run_time(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'cats'\n")
    (tmp_path / "create_data.py").write_text(WRITER)
    (tmp_path / "train.py").write_text(TRAINER)
    assert [rule for rule, _, _ in _lint(tmp_path / "train.py")] == ["KF002"]
    (tmp_path / "create_data.py").unlink()
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": WRITER}]  # fmt: skip
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "create_data.ipynb").write_text(json.dumps(notebook))
    assert [rule for rule, _, _ in _lint(tmp_path / "train.py")] == ["KF002"]
