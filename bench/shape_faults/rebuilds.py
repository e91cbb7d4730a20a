"""KF003 findings that no run of their own program confirmed, rebuilt in Keras by hand.

Two groups: every KF003 finding of the real-world sweep's dev part (bench/realworld/
sources.json; its files are never run), and the labelled-set findings whose program stopped
in Keras 3 before reaching its fault (a missing file, a Keras 3 argument rule). Each is the
model code of the finding written out as a small snippet (references only: the place is
named), run with Keras's default configuration; it stays only if Keras raises the error the
finding names.

    python bench/shape_faults/rebuilds.py
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HEAD = "import keras\nimport numpy as np\nfrom keras import layers\n"
# (where the finding is, what KF003 said, the model code, what Keras must say)
REBUILDS = [
    (
        "sweep: lukas/ml-class videos/cnn-audio/audio.ipynb cell 9",
        "LSTM cannot be built on (None, 20, 11, 1): a recurrent layer expects rank 3",
        HEAD + "model = keras.Sequential()\n"
        "model.add(layers.LSTM(16, input_shape=(20, 11, 1), activation='sigmoid'))\n"
        "model.add(layers.Dense(1, activation='sigmoid'))\n"
        "model.add(layers.Dense(3, activation='softmax'))\n",
        "expected ndim=3, found ndim=4",
    ),
    (
        "SFData s50483715 (_context.py line 63; _original.py line 70, at 28x28)",
        "flow_from_directory's RGB batches (150, 150, 3) fed to a Conv2D built for 1 channel "
        "(the generator's channels are Keras's default color_mode='rgb'; PIL is not installed "
        "here, so a batch of that shape stands in for it)",
        HEAD + "model = keras.Sequential([layers.Conv2D(32, (3, 3), input_shape=(150, 150, 1)),\n"
        "    layers.Activation('relu'), layers.MaxPooling2D((2, 2)),\n"
        "    layers.Conv2D(32, (3, 3)), layers.MaxPooling2D((2, 2)),\n"
        "    layers.Conv2D(64, (3, 3)), layers.MaxPooling2D((2, 2)), layers.Flatten(),\n"
        "    layers.Dense(64), layers.Dropout(0.5), layers.Dense(1, activation='sigmoid')])\n"
        "model.compile(loss='binary_crossentropy', optimizer='rmsprop')\n"
        "model.fit(np.zeros((2, 150, 150, 3)), np.zeros((2,)), epochs=1, verbose=0)\n",
        "expected axis -1 of input shape to have value 1",
    ),
    (
        "SFData s62643682 (_context.py line 63)",
        "one-hot targets (10, 2) against a Dense(4) softmax with categorical_crossentropy",
        HEAD + "inputs = keras.Input(shape=(29, 29, 1))\nx = inputs\n"
        "for filters in (16, 16, 32):\n"
        "    x = layers.Conv2D(filters, (3, 3))(x)\n    x = layers.LeakyReLU(0.1)(x)\n"
        "    x = layers.MaxPool2D((2, 2))(x)\n"
        "x = layers.Flatten()(x)\nx = layers.Dense(64, activation='relu')(x)\n"
        "x = layers.Dense(64, activation='relu')(x)\n"
        "model = keras.Model(inputs, layers.Dense(4, activation='softmax')(x))\n"
        "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
        "y = np.eye(2)[np.random.randint(0, 2, 10)]\n"
        "model.fit(np.zeros((10, 29, 29, 1)), y, epochs=1, verbose=0)\n",
        "target.shape=(None, 2), output.shape=(None, 4)",
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
        print(f"NOT CONFIRMED (Keras ran it): {where}: {said}")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
