"""Lists filled by loops the file does not unroll: each item's kind is known, their number
is not (a comprehension over `os.listdir`, `append` in a loop over run-time data)."""

from __future__ import annotations

from pathlib import Path

from tests.source.test_realworld_patterns import _lint_text

HEAD = """
import os
import cv2
import numpy as np
from keras.models import Sequential
from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense
"""


def _summary(findings: list) -> list:  # type: ignore[type-arg]
    return [
        (f.rule, f.data.shape, f.data.dense_units, f.data.params_flatten, f.data.params_pooling)
        for f in findings
    ]


def test_a_comprehension_over_run_time_files_sizes_the_data(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "paths = os.listdir('data')\n"
        "X = np.array([cv2.resize(cv2.imread(os.path.join('data', p)), (64, 64)) for p in paths])\n"
        "model = Sequential()\n"
        "model.add(Conv2D(32, (3, 3), activation='relu'))\n"
        "model.add(MaxPooling2D())\n"
        "model.add(Flatten())\n"
        "model.add(Dense(10))\n"
        "model.fit(X / 255.0, np.zeros(len(X)))\n",
    )
    # Keras: 64x64x3 -> Conv2D 3x3 -> 62 -> MaxPooling2D -> 31: 31*31*32*10 + 10; pooled 32*10 + 10.
    assert _summary(findings) == [("KF001", (31, 31, 32), 10, 307530, 330)]
    assert "fixed by model.fit(X / 255.0, ...)" in findings[0].message


def test_the_length_of_a_list_appended_in_a_run_time_loop_is_unknown(tmp_path: Path) -> None:
    """It used to count one item per `append` line: `Dense(len(classes))` read as Dense(1)."""
    findings = _lint_text(
        tmp_path,
        HEAD + "classes = []\n"
        "for folder in os.listdir('train'):\n"
        "    classes.append(folder)\n"
        "model = Sequential([Conv2D(32, (3, 3), input_shape=(16, 16, 3)), Flatten(),\n"
        "    Dense(len(classes))])\n",
    )
    assert _summary(findings) == [("KF002", (14, 14, 32), None, None, None)]
    assert "the length of a list filled in a loop" in findings[0].message
    # Keras: 14*14*32 + 1 weights per unit after Flatten, 32 + 1 after pooling.
    assert (findings[0].data.params_flatten_per_unit, findings[0].data.params_pooling_per_unit) == (
        6273,
        33,
    )


def test_lists_filled_by_loops_the_file_unrolls_keep_their_length(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "classes = []\n"
        "for name in ('cat', 'dog', 'bird'):\n"
        "    classes.append(name)\n"
        "model = Sequential([Conv2D(32, (3, 3), input_shape=(16, 16, 3)), Flatten(),\n"
        "    Dense(len(classes))])\n",
    )
    # Keras: 14*14*32*3 + 3; pooled 32*3 + 3.
    assert _summary(findings) == [("KF001", (14, 14, 32), 3, 18819, 99)]


def test_a_list_made_inside_the_run_time_loop_keeps_its_length(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "for folder in os.listdir('train'):\n"
        "    names = []\n"
        "    names.append(folder + '_a')\n"
        "    names.append(folder + '_b')\n"
        "    model = Sequential([Conv2D(32, (3, 3), input_shape=(16, 16, 3)), Flatten(),\n"
        "        Dense(len(names))])\n",
    )
    # Keras: 14*14*32*2 + 2; pooled 32*2 + 2.
    assert _summary(findings) == [("KF001", (14, 14, 32), 2, 12546, 66)]


def test_a_comprehension_over_a_run_time_list_is_one_too(tmp_path: Path) -> None:
    """`[name.upper() for name in classes]` over a list of unknown length: its length is
    unknown as well (it read as one item, a wrong `Dense(1)`)."""
    findings = _lint_text(
        tmp_path,
        HEAD + "classes = [folder for folder in os.listdir('train')]\n"
        "labels = [name.upper() for name in classes if not name.startswith('.')]\n"
        "model = Sequential([Conv2D(32, (3, 3), input_shape=(16, 16, 3)), Flatten(),\n"
        "    Dense(len(labels))])\n",
    )
    assert _summary(findings) == [("KF002", (14, 14, 32), None, None, None)]


def test_images_kept_when_read_and_split_per_folder(tmp_path: Path) -> None:
    """A flower-classification recipe: paths per category, images kept `if cv2.imread(name)
    is not None`, resized per category, split with scikit-learn, joined with `+=`."""
    findings = _lint_text(
        tmp_path,
        HEAD + "from sklearn.model_selection import train_test_split\n"
        "fnames = []\n"
        "for category in ['daisy', 'rose']:\n"
        "    fnames.append([os.path.join(category, f) for f in os.listdir(category)])\n"
        "images = []\n"
        "for names in fnames:\n"
        "    images.append([cv2.imread(n) for n in names if (cv2.imread(n)) is not None])\n"
        "resized = []\n"
        "for i, imgs in enumerate(images):\n"
        "    resized.append([cv2.resize(img, (64, 64), interpolation=cv2.INTER_CUBIC)\n"
        "                    for img in imgs])\n"
        "train_images = []\n"
        "for imgs in resized:\n"
        "    train, test = train_test_split(imgs, train_size=0.8, test_size=0.2)\n"
        "    train_images.append(train)\n"
        "joined = []\n"
        "for imgs in train_images:\n"
        "    joined += imgs\n"
        "X = np.array(joined).astype('float32')\n"
        "model = Sequential()\n"
        "model.add(Conv2D(32, (3, 3), activation='relu', input_shape=X.shape[1:]))\n"
        "model.add(MaxPooling2D())\n"
        "model.add(Flatten())\n"
        "model.add(Dense(10))\n",
    )
    # Keras: 64x64x3 -> 62 -> 31: 31*31*32*10 + 10; pooled 32*10 + 10.
    assert _summary(findings) == [("KF001", (31, 31, 32), 10, 307530, 330)]


def test_is_none_of_a_value_that_may_be_none_stays_undecided(tmp_path: Path) -> None:
    """Only values the analysis made are known not to be None; a name from outside the
    file may be (`config.WEIGHTS is None` picks a branch at run time)."""
    findings = _lint_text(
        tmp_path,
        HEAD + "import config\n"
        "size = 16 if config.WEIGHTS is None else 32\n"
        "model = Sequential([Conv2D(32, (3, 3), input_shape=(size, size, 3)), Flatten(),\n"
        "    Dense(10)])\n",
    )
    assert [(f.rule, f.data.shape) for f in findings] == [("KF002", (None, None, 32))]
    assert "a conditional expression (line 8)" in findings[0].message
