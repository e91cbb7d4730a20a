"""librosa feature matrices averaged over their frames give a known number of features per
clip (the speech-emotion Conv1D recipe: `np.mean(librosa.feature.mfcc(y=x, sr=sr,
n_mfcc=40).T, axis=0)`), and normalising by per-feature statistics keeps the samples' shape.

Numbers checked with Keras 3: 40 steps, Conv1D(128, 5, same) -> MaxPooling1D(8): 5x128,
5*128*8 + 8 = 5,128; 20 (librosa's default n_mfcc) -> 2x128, 2,056; 128 mel bands -> 16x128,
16,392.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.source.one_file import findings_of
from tests.source.test_realworld_patterns import _lint_text

CLIPS = """
import os

import librosa
import numpy as np
from keras.layers import Conv1D, Dense, Flatten, MaxPooling1D
from keras.models import Sequential
from sklearn.model_selection import train_test_split


def extract_feature(file_name):
    X, sample_rate = librosa.load(file_name, res_type="kaiser_fast")
    return FEATURES


features = []
for name in os.listdir("data"):
    features.append(extract_feature(name))
X = np.array(features)
X = (X - np.mean(X, axis=0)) / np.std(X, axis=0)
X_train, X_test = train_test_split(X, test_size=0.2)
x_traincnn = np.expand_dims(X_train, axis=2)
model = Sequential()
model.add(Conv1D(128, 5, padding="same", input_shape=(x_traincnn.shape[1], 1)))
model.add(MaxPooling1D(pool_size=8))
model.add(Flatten())
model.add(Dense(8))
"""


@pytest.mark.parametrize(
    ("features", "params"),
    [
        ("np.mean(librosa.feature.mfcc(y=X, sr=sample_rate, n_mfcc=40).T, axis=0)", 5_128),
        ("np.mean(librosa.feature.mfcc(y=X, sr=sample_rate, n_mfcc=40), axis=1)", 5_128),
        ("np.mean(librosa.feature.mfcc(y=X, sr=sample_rate).T, axis=0)", 2_056),
        ("np.mean(librosa.feature.melspectrogram(y=X, sr=sample_rate).T, axis=0)", 16_392),
    ],
)
def test_features_averaged_over_frames_size_the_model(
    tmp_path: Path, features: str, params: int
) -> None:
    assert findings_of(tmp_path, CLIPS.replace("FEATURES", features)) == [("KF001", 26, params)]


def test_a_feature_matrix_kept_whole_stays_unknown(tmp_path: Path) -> None:
    """Its frames depend on each clip's length: no size is claimed."""
    text = CLIPS.replace("FEATURES", "librosa.feature.mfcc(y=X, sr=sample_rate, n_mfcc=40).T")
    assert [rule for rule, _, _ in findings_of(tmp_path, text)] == ["KF002"]


def test_a_clip_of_fixed_length_has_known_frames(tmp_path: Path) -> None:
    """`librosa.util.fix_length(audio, size=16000)` then `mfcc(n_mfcc=13)`: librosa centres
    its frames, so 1 + 16000 // 512 = 32 of them (nabitanvir/raspberryHi's wake word)."""
    findings = _lint_text(
        tmp_path,
        "import os\nimport librosa\nimport numpy as np\n"
        "from tensorflow.keras import layers, models\n"
        "X = []\n"
        "for name in os.listdir('clips'):\n"
        "    audio, sr = librosa.load(name, sr=16000)\n"
        "    audio = librosa.util.fix_length(audio, size=16000)\n"
        "    mfcc = librosa.feature.mfcc(y=audio, sr=sr, n_mfcc=13)[:, :32]\n"
        "    if mfcc.shape[1] < 32:\n"
        "        mfcc = np.pad(mfcc, ((0, 0), (0, 32 - mfcc.shape[1])))\n"
        "    X.append(mfcc)\n"
        "X = np.array(X)[..., np.newaxis]\n"
        "model = models.Sequential([layers.Conv2D(8, (3, 3), input_shape=X.shape[1:]),\n"
        "    layers.MaxPooling2D((2, 2)), layers.Conv2D(16, (3, 3)), layers.MaxPooling2D((2, 2)),\n"
        "    layers.Flatten(), layers.Dense(16)])\n",
    )
    # Keras: 13x32x1 -> 11x30 -> 5x15 -> 3x13 -> 1x6, 16 channels: 96*16 + 16; pooled 16*16 + 16.
    assert [
        (f.rule, f.data.shape, f.data.params_flatten, f.data.params_pooling) for f in findings
    ] == [("KF001", (1, 6, 16), 1552, 272)]


def test_frames_of_an_uncentred_stft(tmp_path: Path) -> None:
    findings = _lint_text(
        tmp_path,
        "import librosa\nimport numpy as np\nfrom tensorflow.keras import layers, models\n"
        "y = librosa.util.fix_length(np.zeros(10), size=22050)\n"
        "spec = librosa.feature.melspectrogram(y=y, n_mels=64, hop_length=256, center=False)\n"
        "model = models.Sequential([layers.Input(spec.shape + (1,)), layers.Conv2D(4, 3),\n"
        "    layers.Flatten(), layers.Dense(2)])\n",
    )
    # 1 + (22050 - 2048) // 256 = 79 frames: 64x79x1 -> 62x77x4.
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", (62, 77, 4))]


MATRICES = """
import os
import librosa
import numpy as np
from tensorflow.keras import layers, models

def extract_features(file_name, fixed_length=168):
    audio, sr = librosa.load(file_name, res_type="kaiser_fast")
    FEATURE
    return m

X = []
for name in os.listdir("clips"):
    X.append(extract_features(name))
X = np.expand_dims(np.array(X), axis=-1)
model = models.Sequential([layers.Conv2D(8, 3, input_shape=X.shape[1:]),
    layers.MaxPooling2D(4), layers.Flatten(), layers.Dense(10)])
"""


@pytest.mark.parametrize(
    ("feature", "shape"),
    [
        # UrbanSound8K's recipe: pad every MFCC matrix to max_pad_len frames (40x174).
        (
            "m = librosa.feature.mfcc(y=audio, sr=sr, n_mfcc=40)\n"
            "    pad_width = 174 - m.shape[1]\n"
            "    m = np.pad(m, pad_width=((0, 0), (0, pad_width)), mode='constant')",
            (9, 43, 8),
        ),
        # trim or pad a log-mel spectrogram to 168 frames (168x168)
        (
            "m = librosa.power_to_db(librosa.feature.melspectrogram(y=audio, n_mels=168))\n"
            "    if m.shape[1] > fixed_length:\n"
            "        m = m[:, :fixed_length]\n"
            "    else:\n"
            "        m = np.pad(m, ((0, 0), (0, fixed_length - m.shape[1])))",
            (41, 41, 8),
        ),
    ],
)
def test_matrices_brought_to_a_fixed_number_of_frames(
    tmp_path: Path, feature: str, shape: tuple[int, int, int]
) -> None:
    """Stacked with `np.array`, the matrices all have that many frames (a clip longer than
    the pad target makes `np.pad` raise; ragged ones do not stack)."""
    findings = _lint_text(tmp_path, MATRICES.replace("FEATURE", feature))
    # Keras: 40x174x1 -> 38x172 -> pool 4 -> 9x43; 168x168x1 -> 166 -> 41.
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", shape)]


def test_features_side_by_side(tmp_path: Path) -> None:
    """The speech-emotion recipe's `np.hstack` of frame means: zero-crossing rate (1), chroma
    (12), MFCC (20 by default), RMS (1) and mel bands (128 by default): 162 per clip."""
    means = {
        "zero_crossing_rate(y=data)": "zcr",
        "chroma_stft(S=np.abs(librosa.stft(data)), sr=sr)": "chroma",
        "mfcc(y=data, sr=sr)": "mfcc",
        "rms(y=data)": "rms",
        "melspectrogram(y=data, sr=sr)": "mel",
    }
    body = "".join(
        f"    {name} = np.mean(librosa.feature.{call}.T, axis=0)\n"
        f"    result = np.hstack((result, {name}))\n"
        for call, name in means.items()
    )
    findings = _lint_text(
        tmp_path,
        "import os\nimport librosa\nimport numpy as np\n"
        "from keras.layers import Conv1D, Dense, Flatten, MaxPooling1D\n"
        "from keras.models import Sequential\n"
        "def features(data, sr):\n    result = np.array([])\n" + body + "    return result\n"
        "X = []\nfor f in os.listdir('d'):\n    data, sr = librosa.load(f)\n"
        "    X.append(features(data, sr))\n"
        "X = np.expand_dims(np.array(X), axis=2)\n"
        "model = Sequential([Conv1D(64, 5, padding='same', input_shape=(X.shape[1], 1)),\n"
        "    MaxPooling1D(5, strides=2, padding='same'), Flatten(), Dense(8)])\n",
    )
    # Keras: 162 steps -> same pooling with stride 2 -> 81x64 -> Dense(8): 5,184*8 + 8.
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (81, 64), 41480)
    ]


def test_a_spectrogram_made_a_one_channel_image_and_resized(tmp_path: Path) -> None:
    """A music-genre notebook (Rizzhabh/MusicGenreClassifier, heldout8): each chunk's mel
    spectrogram `resize(np.expand_dims(spectrogram, axis=-1), target_shape)` with the
    builder's default target_shape=(148, 148): 148x148x1 samples whatever the clips' frame
    counts. Keras 3: Conv2D(8, 3) 146x146x8 -> Dense(4), 682,116."""
    text = """
import os
import librosa
import numpy as np
from tensorflow.image import resize
from tensorflow.keras.layers import Conv2D, Dense, Flatten
from tensorflow.keras.models import Sequential

def prepare(folder, target_shape=(148, 148)):
    data = []
    for name in os.listdir(folder):
        audio, rate = librosa.load(os.path.join(folder, name), sr=None)
        spectrogram = librosa.feature.melspectrogram(y=audio, sr=rate)
        data.append(resize(np.expand_dims(spectrogram, axis=-1), target_shape))
    return np.array(data)

x = prepare("clips")
model = Sequential([Conv2D(8, 3, input_shape=x[0].shape), Flatten(), Dense(4)])
"""
    findings = _lint_text(tmp_path, text)
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (146, 146, 8), 682_116)
    ]
    unresized = text.replace(
        "resize(np.expand_dims(spectrogram, axis=-1), target_shape)",
        "np.expand_dims(spectrogram, axis=-1)",
    )
    assert [f.rule for f in _lint_text(tmp_path, unresized)] == ["KF002"]
