"""Generate a seeded, deterministic corpus of Keras model-building scripts and notebooks.

The Keras-heavy benchmark needs code that looks like what kerasfix is pointed at in real
projects: every model style the source frontend understands (Sequential list and `.add`,
functional, subclassed, builder functions, nested models, applications backbones, 1D/2D/3D
convolutions, Keras 1 spellings, notebooks with IPython magics), plus the data loading and
training code around it. The same seed always writes byte-identical files.

Usage: python bench/corpus.py OUT_DIR [--files 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path

IMPORTS = (
    "import numpy as np\nimport tensorflow as tf\nfrom tensorflow import keras\n"
    "from tensorflow.keras import layers\n",
    "import numpy as np\nimport keras\nfrom keras import layers\n",
    "import numpy as np\nfrom keras.models import Sequential, Model\n"
    "from keras.layers import Input, Conv1D, Conv2D, Conv3D, MaxPooling1D, MaxPooling2D,"
    " MaxPooling3D, Flatten, Dense, Dropout, BatchNormalization\n",
)

TRAIN = '''

def load_data(n={n}, seed={seed}):
    """Random stand-in data with the model's input shape."""
    rng = np.random.default_rng(seed)
    x = rng.random((n,) + {shape}, dtype=np.float32)
    y = rng.integers(0, {classes}, size=(n,))
    return x, y


def train(model, epochs={epochs}, batch_size={batch}):
    x, y = load_data()
    model.compile(optimizer="{opt}", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, validation_split=0.1)
    for key, values in history.history.items():
        print(key, values[-1])
    return history
'''


def _dims(rng: random.Random) -> tuple[int, tuple[int, ...]]:
    rank = rng.choice((1, 2, 2, 2, 3))
    side = rng.choice((16, 28, 32, 64, 96, 128, 224))
    if rank == 1:
        return 1, (side * 4, rng.choice((1, 3, 8)))
    if rank == 2:
        return 2, (side, side, rng.choice((1, 3)))
    return 3, (rng.choice((8, 16)), side // 2, side // 2, 1)


def _conv_block(rng: random.Random, rank: int, prefix: str, count: int) -> list[str]:
    kernel = {1: "3", 2: "(3, 3)", 3: "(3, 3, 3)"}[rank]
    out: list[str] = []
    filters = rng.choice((16, 32, 64))
    for _ in range(count):
        out.append(f"{prefix}Conv{rank}D({filters}, {kernel}, activation='relu', padding='same')")
        if rng.random() < 0.4:
            out.append(f"{prefix}BatchNormalization()")
        out.append(f"{prefix}MaxPooling{rank}D()")
        filters *= 2
    return out


def _prefix(imports: str) -> str:
    return "" if "from keras.layers import" in imports else "layers."


def sequential_list(rng: random.Random, imports: str) -> str:
    rank, shape = _dims(rng)
    p = _prefix(imports)
    seq = "Sequential" if not p else "keras.Sequential"
    body = [f"{p}Input(shape={shape})", *_conv_block(rng, rank, p, rng.randint(1, 4))]
    body += [f"{p}Flatten()", f"{p}Dense({rng.choice((64, 128, 256, 512))}, activation='relu')"]
    body += [f"{p}Dropout(0.5)", f"{p}Dense({rng.randint(2, 100)}, activation='softmax')"]
    items = "".join(f"        {line},\n" for line in body)
    return f"\n\ndef build_model():\n    model = {seq}([\n{items}    ])\n    return model\n"


def sequential_add(rng: random.Random, imports: str) -> str:
    rank, shape = _dims(rng)
    p = _prefix(imports)
    seq = "Sequential" if not p else "keras.Sequential"
    lines = [f"    model = {seq}()", f"    model.add({p}Input(shape={shape}))"]
    lines += [f"    model.add({c})" for c in _conv_block(rng, rank, p, rng.randint(1, 4))]
    lines += [f"    model.add({p}Flatten())", f"    model.add({p}Dense({rng.choice((128, 1024))}))"]
    lines += [f"    model.add({p}Dense({rng.randint(2, 10)}, activation='softmax'))"]
    return "\n\ndef build_model():\n" + "\n".join(lines) + "\n    return model\n"


def functional(rng: random.Random, imports: str) -> str:
    rank, shape = _dims(rng)
    p = _prefix(imports)
    model = "Model" if not p else "keras.Model"
    lines = [f"    inputs = {p}Input(shape={shape})", "    x = inputs"]
    lines += [f"    x = {c}(x)" for c in _conv_block(rng, rank, p, rng.randint(1, 4))]
    lines += [
        f"    x = {p}Flatten(name='flatten')(x)",
        f"    x = {p}Dense({rng.choice((256, 4096))})(x)",
    ]
    lines += [f"    outputs = {p}Dense({rng.randint(2, 10)}, activation='softmax')(x)"]
    lines += [f"    return {model}(inputs, outputs, name='net_{rng.randint(0, 999)}')"]
    return "\n\ndef build_model():\n" + "\n".join(lines) + "\n"


def subclassed(rng: random.Random, imports: str) -> str:
    rank, shape = _dims(rng)
    p = _prefix(imports)
    base = "Model" if not p else "keras.Model"
    convs = _conv_block(rng, rank, p, rng.randint(1, 3))
    init = "".join(f"        self.block{i} = {c}\n" for i, c in enumerate(convs))
    calls = "".join(f"        x = self.block{i}(x)\n" for i in range(len(convs)))
    return (
        f"\n\nclass Net({base}):\n    def __init__(self, classes={rng.randint(2, 10)}):\n"
        f"        super().__init__()\n{init}        self.flatten = {p}Flatten()\n"
        f"        self.hidden = {p}Dense({rng.choice((128, 512))}, activation='relu')\n"
        f"        self.head = {p}Dense(classes)\n\n"
        f"    def call(self, x, training=False):\n{calls}"
        "        x = self.flatten(x)\n        return self.head(self.hidden(x))\n\n\n"
        f"def build_model():\n    model = Net()\n    model.build((None,) + {shape})\n"
        "    return model\n"
    )


def nested(rng: random.Random, imports: str) -> str:
    rank, shape = _dims(rng)
    p = _prefix(imports)
    seq = "Sequential" if not p else "keras.Sequential"
    model = "Model" if not p else "keras.Model"
    convs = ", ".join(_conv_block(rng, rank, p, 2))
    return (
        f"\n\ndef feature_extractor():\n    return {seq}([{convs}], name='features')\n\n\n"
        f"def build_model():\n    inputs = {p}Input(shape={shape})\n"
        "    features = feature_extractor()(inputs)\n"
        f"    head = {seq}([{p}Flatten(), {p}Dense({rng.choice((256, 1024))}), "
        f"{p}Dense({rng.randint(2, 10)})])\n"
        f"    return {model}(inputs, head(features))\n"
    )


def backbone(rng: random.Random, imports: str) -> str:
    name = rng.choice(("VGG16", "VGG19", "ResNet50", "MobileNetV2", "InceptionV3", "Xception"))
    side = rng.choice((224, 299, 160))
    return (
        "\n\ndef build_model():\n"
        f"    base = keras.applications.{name}(include_top=False, weights=None,"
        f" input_shape=({side}, {side}, 3))\n"
        "    base.trainable = False\n"
        "    x = keras.layers.Flatten()(base.output)\n"
        f"    x = keras.layers.Dense({rng.choice((256, 1024, 4096))}, activation='relu')(x)\n"
        f"    out = keras.layers.Dense({rng.randint(2, 10)}, activation='softmax')(x)\n"
        "    return keras.Model(base.input, out)\n"
    )


def keras1(rng: random.Random, imports: str) -> str:
    side = rng.choice((28, 32, 64))
    channels = rng.choice((1, 3))
    return (
        "\n\ndef build_model():\n    model = Sequential()\n"
        f"    model.add(Convolution2D({rng.choice((32, 64))}, 3, 3, border_mode='same',"
        f" input_shape=({side}, {side}, {channels})))\n"
        "    model.add(Activation('relu'))\n    model.add(MaxPooling2D(pool_size=(2, 2)))\n"
        "    model.add(Flatten())\n"
        f"    model.add(Dense(output_dim={rng.choice((128, 512))}))\n"
        f"    model.add(Dense({rng.randint(2, 10)}, init='glorot_uniform'))\n"
        "    model.compile(loss='categorical_crossentropy', optimizer='adadelta')\n"
        "    return model\n"
    )


KERAS1_IMPORTS = (
    "import numpy as np\nfrom keras.models import Sequential\n"
    "from keras.layers.core import Dense, Activation, Flatten\n"
    "from keras.layers.convolutional import Convolution2D, MaxPooling2D\n"
)

STYLES: dict[str, Callable[[random.Random, str], str]] = {
    "sequential_list": sequential_list,
    "sequential_add": sequential_add,
    "functional": functional,
    "subclassed": subclassed,
    "nested": nested,
    "backbone": backbone,
    "keras1": keras1,
}


def script(rng: random.Random, style: str) -> str:
    """One model-building script: imports, the model in `style`, data and training code."""
    if style == "keras1":
        imports = KERAS1_IMPORTS
    elif style == "backbone":
        imports = IMPORTS[0]
    else:
        imports = rng.choice(IMPORTS)
    body = STYLES[style](rng, imports)
    train = TRAIN.format(
        n=rng.choice((64, 128, 256)),
        seed=rng.randint(0, 10_000),
        shape=(rng.choice((28, 32)),) * 2 + (1,),
        classes=rng.randint(2, 10),
        epochs=rng.randint(1, 20),
        batch=rng.choice((16, 32, 64)),
        opt=rng.choice(("adam", "sgd", "rmsprop")),
    )
    main = '\n\nif __name__ == "__main__":\n    net = build_model()\n    net.summary()\n'
    if rng.random() < 0.5:
        main += "    train(net)\n"
    return f'"""Generated benchmark script ({style})."""\n\n{imports}{body}{train}{main}'


def notebook(rng: random.Random, style: str) -> str:
    """A notebook: magics and shell escapes, markdown, the model, training, plots."""
    text = script(rng, style)
    head, _, rest = text.partition("\n\n\ndef ")
    cells = [
        _cell("markdown", f"# Experiment {rng.randint(0, 999)}: {style}"),
        _cell("code", "%matplotlib inline\n!pip install -q tensorflow\n%load_ext autoreload"),
        _cell("code", head.split('"""', 2)[-1].strip()),
        _cell("code", "def " + rest.split("\n\nif __name__")[0]),
        _cell("code", "net = build_model()\nnet.summary()\n%time train(net, epochs=1)"),
        _cell("code", "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])"),
    ]
    document = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1) + "\n"


def _cell(kind: str, source: str) -> dict[str, object]:
    cell: dict[str, object] = {
        "cell_type": kind,
        "metadata": {},
        "source": source.splitlines(keepends=True),
    }
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def generate(out: Path, files: int = 300, seed: int = 7) -> list[Path]:
    """Write `files` scripts and notebooks (about one in five) under `out`; return them."""
    rng = random.Random(seed)
    styles = sorted(STYLES)
    written: list[Path] = []
    for index in range(files):
        style = styles[index % len(styles)]
        package = out / f"project_{index // 50:02d}" / style
        package.mkdir(parents=True, exist_ok=True)
        if index % 5 == 4:
            path = package / f"experiment_{index:04d}.ipynb"
            path.write_text(notebook(rng, style), encoding="utf-8")
        else:
            path = package / f"model_{index:04d}.py"
            path.write_text(script(rng, style), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    paths = generate(args.out, args.files, args.seed)
    print(f"wrote {len(paths)} files under {args.out}")


if __name__ == "__main__":
    main()
