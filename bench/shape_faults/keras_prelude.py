"""Prepended to every SFData program run by label.py: tiny stand-in data and short training.

keras.datasets loaders return zero arrays of the real per-sample shapes (fewer samples: the
shapes, not the values, decide a shape fault; nothing is downloaded), and fit/predict/
evaluate run one epoch on the first 16 samples. Whether the crash happens while the model
is built or while data is fed is printed as the phase.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import keras as _keras
import numpy as _np

_SHAPES = {
    "mnist": ((28, 28), ()),
    "fashion_mnist": ((28, 28), ()),
    "cifar10": ((32, 32, 3), (1,)),
    "cifar100": ((32, 32, 3), (1,)),
}


def _loader(sample, label):
    def load_data(*args, **kwargs):
        def part(n):
            return _np.zeros((n, *sample), "uint8"), _np.zeros((n, *label), "uint8")

        return part(600), part(100)

    return load_data


for _name, (_sample, _label) in _SHAPES.items():
    getattr(_keras.datasets, _name).load_data = _loader(_sample, _label)


# Keras 1/2 spellings the programs were written with, read as they meant (Keras 3 refuses
# them before any shape is checked): `lr=`, `nb_epoch=`, `fit_generator`, a metric string,
# ImageDataGenerator under keras.preprocessing.image.
def _learning_rate(cls):
    original = cls.__init__

    def init(self, *args, lr=None, decay=None, **kwargs):
        if lr is not None:
            kwargs.setdefault("learning_rate", lr)
        original(self, *args, **kwargs)

    cls.__init__ = init


for _name in ("SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam"):
    _learning_rate(getattr(_keras.optimizers, _name))

_compile = _keras.Model.compile


def _compile_old(self, *args, **kwargs):
    if isinstance(kwargs.get("metrics"), str):
        kwargs["metrics"] = [kwargs["metrics"]]
    return _compile(self, *args, **kwargs)


_keras.Model.compile = _compile_old
import keras.preprocessing.image as _kpi  # noqa: E402
from keras.src.legacy.preprocessing.image import ImageDataGenerator as _Generator  # noqa: E402

_kpi.ImageDataGenerator = _Generator

PHASE = ["build"]


def _head(value):
    if isinstance(value, _np.ndarray) and value.ndim and len(value) > 16:
        return value[:16]
    if (
        isinstance(value, list | tuple)
        and value
        and all(isinstance(v, _np.ndarray) and v.ndim and len(v) > 16 for v in value)
    ):
        return type(value)(v[:16] for v in value)
    return value


def _short(method):
    original = getattr(_keras.Model, method)

    def run(self, *args, **kwargs):
        PHASE[0] = "data"
        args = [_head(a) for a in args]
        kwargs = {k: _head(v) for k, v in kwargs.items()}
        for key in ("nb_epoch", "samples_per_epoch", "nb_val_samples", "nb_worker"):
            kwargs.pop(key, None)
        arrays = isinstance(args[0] if args else kwargs.get("x"), _np.ndarray | list | tuple)
        if method == "fit":
            kwargs["epochs"] = 1
            kwargs.pop("validation_steps", None)
            if not arrays:
                kwargs["steps_per_epoch"] = 1
            if kwargs.get("validation_data") is not None and not isinstance(
                kwargs["validation_data"], tuple | list
            ):
                kwargs["validation_steps"] = 1
        elif not arrays:
            kwargs["steps"] = 1
        kwargs["verbose"] = 0
        result = original(self, *args, **kwargs)
        PHASE[0] = "after"
        return result

    setattr(_keras.Model, method, run)


for _method in ("fit", "predict", "evaluate"):
    _short(_method)
for _method in ("fit", "predict", "evaluate"):
    setattr(_keras.Model, f"{_method}_generator", getattr(_keras.Model, _method))


def _report(kind, value, tb):
    text = str(value).strip().splitlines()
    lines = [t for t in text if t.strip()]
    told = [t for t in lines if "Exception encountered" not in t and "execution error" not in t]
    shaped = [t for t in told if any(w in t.lower() for w in ("shape", "ndim", "incompatib"))]
    first = (shaped or told or lines or [""])[0]
    sys.stderr.write(f"KF-OUTCOME phase={PHASE[0]} {kind.__name__}: {first[:400]}\n")


sys.excepthook = _report
