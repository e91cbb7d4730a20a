"""Pillow-read images (`Image.open(p).convert("RGB").resize((30, 30))`): the size and
channels the file fixes size the data; a mode only the image file knows stays unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.source.test_realworld_patterns import _lint_text

HEAD = """
import os
from glob import glob
import numpy as np
from PIL import Image
from tensorflow.keras.preprocessing.image import img_to_array
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Conv2D, MaxPooling2D, Flatten, Dense
"""
MODEL = (
    "model = Sequential([Conv2D(32, (5, 5), input_shape=data.shape[1:]), MaxPooling2D(),\n"
    "    Flatten(), Dense(256)])\n"
)


def _shapes(findings: list) -> list:  # type: ignore[type-arg]
    return [(f.rule, f.data.shape, f.data.params_flatten) for f in findings]


def test_converted_and_resized_images_appended_in_a_loop(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "data = []\n"
        "for path in glob('train/*/*.png'):\n"
        "    image = Image.open(path).convert('RGB').resize((30, 30))\n"
        "    data.append(np.array(image))\n"
        "data = np.array(data)\n" + MODEL,
    )
    # Keras: 30x30x3 -> 5x5 conv 26 -> pool 13: 13*13*32*256 + 256.
    assert _shapes(findings) == [("KF001", (13, 13, 32), 1384704)]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("'L'", (13, 13, 32)), ("'RGBA'", (13, 13, 32))],
)
def test_img_to_array_gives_every_mode_a_channel_axis(
    tmp_path: Path, mode: str, expected: tuple
) -> None:  # type: ignore[type-arg]
    findings = _lint_text(
        tmp_path,
        HEAD + f"data = np.array([img_to_array(Image.open(p).resize((30, 30)).convert({mode}))\n"
        "                 for p in os.listdir('faces')])\n" + MODEL,
    )
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", expected)]


def test_grayscale_arrays_with_a_new_axis(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "images = [np.asarray(Image.open(p).resize((48, 40)).convert('L'))\n"
        "          for p in os.listdir('faces')]\n"
        "data = np.stack(images)[..., None]\n" + MODEL,
    )
    # Pillow's resize takes (width, height): rows 40, cols 48; 40x48x1 -> 36x44 -> 18x22.
    assert _shapes(findings) == [("KF001", (18, 22, 32), 18 * 22 * 32 * 256 + 256)]


def test_an_image_never_converted_keeps_the_files_mode(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "data = np.array([np.array(Image.open(p).resize((30, 30)))\n"
        "                 for p in os.listdir('signs')])\n" + MODEL,
    )
    assert [(f.rule, f.data.params_flatten) for f in findings] == [("KF002", None)]


@pytest.mark.keras
def test_pillow_and_keras_agree_on_the_shapes() -> None:
    """The shapes above, from real Pillow, NumPy and Keras calls on a generated image."""
    keras = pytest.importorskip("keras")
    np = pytest.importorskip("numpy")
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.new("RGB", (64, 50))
    assert np.array(image.convert("RGB").resize((30, 30))).shape == (30, 30, 3)
    assert np.array(image.resize((48, 40)).convert("L")).shape == (40, 48)
    assert keras.utils.img_to_array(image.resize((30, 30)).convert("L")).shape == (30, 30, 1)
    assert keras.utils.img_to_array(image.resize((30, 30)).convert("RGBA")).shape == (30, 30, 4)
    decoded = np.zeros((50, 64, 3), dtype="uint8")  # what cv2.imread(path) returns
    assert np.array(image_module.fromarray(decoded, "RGB").resize((30, 30))).shape == (30, 30, 3)
    assert np.array(image_module.fromarray(decoded).resize((30, 30))).shape == (30, 30, 3)


def test_an_image_made_from_an_array_keeps_its_mode(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "from tensorflow.keras.datasets import mnist\n"
        "(x_train, _), _ = mnist.load_data()\n"
        "digit = np.array(Image.fromarray(x_train[0]).resize((30, 30)))\n"
        "data = np.array([digit, digit])[..., None]\n" + MODEL,
    )
    # Keras: 30x30x1 -> 26 -> 13: 13*13*32*256 + 256.
    assert _shapes(findings) == [("KF001", (13, 13, 32), 1384704)]


@pytest.mark.parametrize("mode", [", 'RGB'", ""])
def test_an_image_made_from_an_opencv_read_keeps_its_colour(tmp_path: Path, mode: str) -> None:
    """The GTSRB recipe: `Image.fromarray(cv2.imread(path), 'RGB').resize((30, 30))`."""
    findings = _lint_text(
        tmp_path,
        HEAD + "import cv2\n"
        "data = []\n"
        "for name in os.listdir('train'):\n"
        "    try:\n"
        "        image = cv2.imread('train/' + name)\n"
        f"        image_from_array = Image.fromarray(image{mode})\n"
        "        data.append(np.array(image_from_array.resize((30, 30))))\n"
        "    except AttributeError:\n"
        "        print(' ')\n"
        "cells = np.array(data)\n"
        "s = np.arange(cells.shape[0])\n"
        "np.random.shuffle(s)\n"
        "cells = cells[s]\n"
        "data = cells[int(0.2 * len(cells)):].astype('float32') / 255\n" + MODEL,
    )
    # Keras: 30x30x3 -> 26 -> 13: 13*13*32*256 + 256.
    assert _shapes(findings) == [("KF001", (13, 13, 32), 1384704)]


def test_a_mode_given_to_fromarray_names_the_channels(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        HEAD + "import cv2\n"
        "data = np.array([np.array(Image.fromarray(cv2.imread(p, 0), mode='L').resize((30, 30)))\n"
        "                 for p in os.listdir('train')])[..., None]\n" + MODEL,
    )
    assert _shapes(findings) == [("KF001", (13, 13, 32), 1384704)]
