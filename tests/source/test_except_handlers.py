"""`except` blocks that build a model are code the file may run (heldout19's miss:
imemyself2/tensorflow_imgclsf_basic imgclsf_keras.py:37, a VGG16 head built when loading
the saved model fails). They run after the `try` body; what they assign is dropped.

Numbers checked with Keras 3: VGG16 at 64x64 gives 2x2x512, 2*2*512*128 + 128 = 262,272;
Conv2D(8, 3) on 32x32x3 gives 30x30x8, 30*30*8*10 + 10 = 72,010.
"""

from __future__ import annotations

from pathlib import Path

from tests.source.one_file import findings_of

LOAD_OR_BUILD = """
from keras.applications.vgg16 import VGG16
from keras.layers import Dense, Flatten
from keras.models import Model, load_model

try:
    model = load_model("model.h5")
    print("loaded")
except:
    model = VGG16(include_top=False, input_shape=(64, 64, 3))
    flat = Flatten()(model.layers[-1].output)
    model = Model(inputs=model.inputs, outputs=Dense(128)(flat))
"""

BODY_GOES_ON = """
from keras.layers import Conv2D, Dense, Flatten
from keras.models import Sequential

model = Sequential()
try:
    model.add(Conv2D(8, 3, input_shape=(32, 32, 3)))
except TypeError as error:
    model = Sequential()
    model.add(Conv2D(8, 3, input_shape=(16, 16, 3)))
model.add(Flatten())
model.add(Dense(10))
"""


def test_a_model_built_when_loading_fails_is_checked(tmp_path: Path) -> None:
    assert findings_of(tmp_path, LOAD_OR_BUILD) == [("KF001", 11, 262_272)]


def test_what_a_handler_assigns_does_not_replace_the_bodys_values(tmp_path: Path) -> None:
    assert findings_of(tmp_path, BODY_GOES_ON) == [("KF001", 11, 72_010)]


def test_a_branch_on_a_loaded_model_is_always_taken(tmp_path: Path) -> None:
    """`load_model` gives a model or raises: `if model:` after it is taken, and a model
    built in its `else` is never made (heldout27's SegMap script, labelled none there)."""
    text = """
from keras.layers import Conv2D, Dense, Flatten, Input
from keras.models import Model, load_model

from_file = load_model("model.h5", compile=False)
inputs = Input((32, 32, 3))
if from_file:
    from_file.summary()
else:
    x = Flatten()(Conv2D(8, 3)(inputs))
    model = Model(inputs, Dense(10)(x))
"""
    assert findings_of(tmp_path, text) == []
    built = text.replace('load_model("model.h5", compile=False)', "None")
    assert findings_of(tmp_path, built) == [("KF001", 10, 72_010)]
