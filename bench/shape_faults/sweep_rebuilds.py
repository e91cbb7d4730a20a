"""Each KF003 finding of the real-world sweep's dev part (bench/realworld/sources.json),
rebuilt in Keras: the model code of the finding, written out by hand as a small snippet
(references only: repository, commit and path are in bench/realworld/sources.json), run with
Keras's default configuration. A finding stays only if Keras raises the error it names.

    python bench/shape_faults/sweep_rebuilds.py
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# (where the finding is, what KF003 said, the model code, the error Keras must raise)
REBUILDS = [
    (
        "lukas/ml-class videos/cnn-audio/audio.ipynb cell 9",
        "LSTM cannot be built on (None, 20, 11, 1): a recurrent layer expects rank 3",
        "import keras\nfrom keras.layers import LSTM, Dense\n"
        "model = keras.Sequential()\n"
        "model.add(LSTM(16, input_shape=(20, 11, 1), activation='sigmoid'))\n"
        "model.add(Dense(1, activation='sigmoid'))\nmodel.add(Dense(3, activation='softmax'))\n",
        "expected ndim=3, found ndim=4",
    ),
]


def main() -> int:
    import keras  # noqa: F401  # imported once, before the snippets

    failures = 0
    for where, said, code, keras_says in REBUILDS:
        try:
            exec(compile(code, where, "exec"), {})  # a snippet written here, not the file
        except ValueError as exc:
            confirmed = keras_says in str(exc)
            print(f"{'confirmed' if confirmed else 'DIFFERENT ERROR'}: {where}: {said}")
            failures += not confirmed
            continue
        print(f"NOT CONFIRMED (Keras built it): {where}: {said}")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
