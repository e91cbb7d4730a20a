"""heldout16's unreported unknown-size sites (bench/realworld FINDINGS 20a), reduced to a
minimal file: `TimeDistributed(Dense(n))` after an `LSTM(return_sequences=True)` is the
per-step Dense that was already looked through when written as a plain `Dense`, so the
sequence before it is still the map the Flatten flattens (AvirupMazumder speaker
identification, models_AdamOptimizer.py:85).

Numbers checked with Keras 3: (9, 13) -> LSTM(128, return_sequences=True) -> 9 steps,
TimeDistributed(Dense(8)) -> 9x8, Dense(5): 72*5 + 5 = 365.
"""

from __future__ import annotations

from pathlib import Path

from tests.source.one_file import findings_of

RECURRENT = """
from keras.layers import LSTM, Dense, Dropout, Flatten, TimeDistributed
from keras.models import Sequential

def get_recurrent_model(input_shape):
    model = Sequential()
    model.add(LSTM(128, return_sequences=True, input_shape=input_shape))
    model.add(Dropout(0.5))
    model.add(TimeDistributed(Dense(64, activation="relu")))
    model.add(TimeDistributed(Dense(8, activation="relu")))
    model.add(Flatten())
    model.add(Dense(5, activation="softmax"))
    return model

known = get_recurrent_model((9, 13))
"""


def test_a_per_step_dense_in_time_distributed_is_looked_through(tmp_path: Path) -> None:
    assert findings_of(tmp_path, RECURRENT) == [("KF001", 11, 365)]


def test_of_unknown_steps_it_is_kf002(tmp_path: Path) -> None:
    text = RECURRENT.replace("(9, 13)", "(n_frames, 13)").replace(
        "known =", "import sys\nn_frames = int(sys.argv[1])\nknown ="
    )
    assert findings_of(tmp_path, text) == [("KF002", 11, None)]
