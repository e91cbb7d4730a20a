"""A model's outputs as another model's input (dev: lukas/ml-class dogcat-bottleneck.py:85;
heldout8: ameet123/img_classify VehicleDamage_TransferLearning.py:113; heldout9:
davidruizhidalgo/unsupervisedRemoteSensing SCAE_v2.py:135, all labelled KF002): a head trained
on `np.load` of a headless application's saved predictions, or on `encoder.predict(x)`
directly, flattens a feature map whose size is fixed at run time. KF002 naming the lines; a
file that loads raw data for an MLP, or saves the predictions of a model that is not a
headless application, stays silent as a Flatten of a raw input does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings

SAVE = """
import numpy as np
from tensorflow.keras import applications
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, Flatten, Input

def save_bottleneck_features(generator):
    model = applications.VGG16({top}, weights="imagenet")
    features = []
    for batch in range(5):
        features.append(model.predict(next(generator)[0]))
    features = np.concatenate(features)
    np.save(open("bottleneck_features_train.npy", "wb"), features)
"""

TRAIN_SEQUENTIAL = """
def train_top_model():
    train_data = np.load(open("bottleneck_features_train.npy", "rb"))
    model = Sequential()
    model.add(Flatten(input_shape=train_data.shape[1:]))
    model.add(Dense(256, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    return model
"""

TRAIN_FUNCTIONAL = """
def train_top_model():
    train = np.load("bottleneck_features_train.npz")
    x_train = train["features"]
    inputs = Input(shape=x_train[0].shape)
    return Dense(1)(Dense(256)(Flatten()(inputs)))
"""


def _lint(tmp_path: Path, text: str) -> list:
    path = tmp_path / "bottleneck.py"
    path.write_text(text)
    result = lint_paths([path], Settings())
    assert result.errors == []
    return result.findings


@pytest.mark.parametrize("train", [TRAIN_SEQUENTIAL, TRAIN_FUNCTIONAL])
def test_loaded_bottleneck_features_are_an_unknown_size_feature_map(
    tmp_path: Path, train: str
) -> None:
    text = SAVE.format(top="include_top=False") + train
    findings = _lint(tmp_path, text)
    flatten, load, save = (_line(text, word) for word in ("Flatten(", "np.load(", "np.save("))
    assert [(f.rule, f.line, f.data.shape) for f in findings] == [("KF002", flatten, None)]
    message = findings[0].message
    assert f"np.load, line {load}" in message and f"predictions (line {save})" in message
    assert "Dense(256)" in message


def _line(text: str, word: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if word in line)


@pytest.mark.parametrize(
    "save",
    [
        SAVE.format(top="include_top=True"),  # the classifier's scores, not a feature map
        SAVE.replace("np.save(", "print("),  # nothing saved
        "import numpy as np\nfrom tensorflow.keras.models import Sequential\n"
        "from tensorflow.keras.layers import Dense, Flatten, Input\n",  # no application
    ],
)
def test_loaded_data_without_saved_features_is_a_raw_input(tmp_path: Path, save: str) -> None:
    assert _lint(tmp_path, save + TRAIN_SEQUENTIAL) == []


ENCODER = """
import numpy as np
from keras.layers import Conv2D, Dense, Flatten, Input
from keras.models import Model

x = np.load("windows.npy")
inputs = Input(shape=(x.shape[1], x.shape[2], x.shape[3]))
autoencoder = Model(inputs, Conv2D(8, 3, padding="same")(inputs))
autoencoder.layers.pop()
encoder = Model(inputs=autoencoder.input, outputs=autoencoder.layers[-1].output)
features = encoder.predict(x)
head_input = Input(shape=(features.shape[1], features.shape[2], features.shape[3]))
head = Dense(10)(Dense(128)(Flatten()(head_input)))
"""


def test_an_input_sized_by_a_models_predictions_is_a_feature_map(tmp_path: Path) -> None:
    findings = _lint(tmp_path, ENCODER)
    flatten, predict = _line(ENCODER, "Flatten("), _line(ENCODER, ".predict(")
    expected = [("KF002", flatten, (None, None, None))]  # the rank is declared, not the sizes
    assert [(f.rule, f.line, f.data.shape) for f in findings] == expected
    assert f"what encoder.predict returns (line {predict})" in findings[0].message
    # The same head on the windows themselves is a raw input: silent.
    raw = ENCODER.replace("features.shape", "x.shape")
    assert _lint(tmp_path, raw) == []


PRETRAINED = """
import joblib
import numpy as np
from keras.applications import vgg16

x_train = vgg16.preprocess_input(np.array(images))
pretrained_nn = vgg16.VGG16(weights="imagenet", include_top=False, input_shape=(64, 64, 3))
features_x = pretrained_nn.predict(x_train)
joblib.dump(features_x, "{name}")
"""

TOP_MODEL = """
import joblib
from keras.layers import Dense, Flatten
from keras.models import Sequential

x_train = joblib.load("x_train.dat")
model = Sequential()
model.add(Flatten(input_shape=x_train.shape[1:]))
model.add(Dense(256, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
"""


@pytest.mark.parametrize("saved_as", ["x_train.dat", "other.dat"])
def test_features_another_project_file_saves_are_a_feature_map(
    tmp_path: Path, saved_as: str
) -> None:
    """heldout3: tongzhisong/ComputerVisionModels VGG-16_model.py:12 loads with joblib what
    its sibling VGG-16_pretrained.py dumps from VGG16(include_top=False).predict."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "pretrained.py").write_text(PRETRAINED.format(name=saved_as))
    model = tmp_path / "model.py"
    model.write_text(TOP_MODEL)
    result = lint_paths([model], Settings())
    assert result.errors == []
    if saved_as != "x_train.dat":  # another file's features: the load is raw data
        assert result.findings == []
        return
    (finding,) = result.findings
    assert (finding.rule, finding.line) == ("KF002", _line(TOP_MODEL, "Flatten("))
    load = _line(TOP_MODEL, "joblib.load(")
    save = _line(PRETRAINED, "joblib.dump(")
    assert f"(joblib.load, line {load}), which pretrained.py:{save} saves" in finding.message


def test_the_saving_file_is_a_dependency_of_the_loading_files_result(tmp_path: Path) -> None:
    """A changed saver re-checks the file that loads its features (cache and editor)."""
    from kerasfix.frontends.source import project_files
    from kerasfix.server.analysis import Buffer, analyse

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    saver = tmp_path / "pretrained.py"
    saver.write_text(PRETRAINED.format(name="x_train.dat"))
    model = tmp_path / "model.py"
    model.write_text(TOP_MODEL)
    analysis = analyse(Buffer(model.as_posix(), "source", (TOP_MODEL,)), Settings())
    assert [f.rule for f in analysis.findings] == ["KF002"]
    assert str(saver.resolve()) in analysis.depends_on
    assert project_files.files_unchanged(analysis.depends_on)
    saver.write_text(PRETRAINED.format(name="other.dat"))
    assert not project_files.files_unchanged(analysis.depends_on)
