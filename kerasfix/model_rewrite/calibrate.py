"""`--init calibrate` and `--verify-data`: the only parts that run the model (Keras needed).

Calibrate runs the original trunk on the calibration inputs, pools the feature map the way
the new layer will, and fits the new Dense by ridge least squares to the ORIGINAL Dense's
pre-activation outputs, so the activation that follows sees what it saw before. A held-out
fifth of the data (seeded split) measures the fit, next to the fold's fit on the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kerasfix.model_rewrite.data import open_inputs
from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.fidelity import fidelity, flat_outputs
from kerasfix.model_rewrite.plan import INFERENCE_IDENTITY, PlannedSwap

HELD_OUT = 0.2


@dataclass
class Data:
    x: Any
    y: Any | None
    train: Any  # indices
    test: Any


def load_data(path: Path, seed: int = 0) -> Data:
    """Inputs (and labels if any) from .npy (x only) or .npz (`x`, optional `y`)."""
    inputs = open_inputs(path)
    order = np.random.default_rng(seed).permutation(len(inputs))
    cut = max(1, round(len(inputs) * HELD_OUT))
    return Data(inputs.x, inputs.y, np.sort(order[cut:]), np.sort(order[:cut]))


def load_keras_model(path: str) -> Any:
    try:
        import keras
    except ImportError:
        from kerasfix.commands.extras import install_hint

        raise RewriteError(f"Keras cannot be imported: {install_hint('keras')}") from None
    try:
        return load_model_path(keras, path)
    except Exception as exc:
        from kerasfix.model_rewrite.keras_runtime import describe_failure
        from kerasfix.model_rewrite.user_code import unverifiable

        missing = unverifiable(describe_failure(exc))
        if missing is None:
            raise
        raise RewriteError(f"Keras cannot load {Path(path).name}: {missing}") from None


def load_model_path(keras: Any, path: str) -> Any:
    """Load `path`, ready to run on this CPU (`keras_runtime.runnable`); legacy .h5 through a
    file object, since HDF5 cannot open the /proc/<pid>/fd links an unnamed output file is
    reached by."""
    from kerasfix.model_rewrite.keras_runtime import runnable
    from kerasfix.model_rewrite.user_code import load_kwargs

    trusted = load_kwargs()  # the user's --custom-objects / --unsafe-lambda, if given
    if path.endswith((".h5", ".hdf5")):
        import h5py
        from keras.src.legacy.saving import legacy_h5_format

        with open(path, "rb") as raw, h5py.File(raw, "r") as handle:
            model = legacy_h5_format.load_model_from_hdf5(handle, compile=False, **trusted)
            return runnable(model)
    return runnable(keras.saving.load_model(path, compile=False, **trusted))


def fit_site(
    model: Any, site: PlannedSwap, data: Data, fold: tuple[Any, Any | None], ridge: float
) -> tuple[Any, Any | None, dict[str, float]]:
    """(W', b', fit stats) for one top-level site."""
    import keras

    from kerasfix.model_rewrite.keras_runtime import runnable

    if site.model:
        raise RewriteError(
            f"--init calibrate supports Flatten layers in the top-level model only "
            f"('{site.label}' is nested); use fold or random"
        )
    flatten = model.get_layer(site.flatten)
    dense = model.get_layer(site.dense)
    probe = runnable(keras.Model(model.inputs, [flatten.input, dense.input]))
    fmap, dense_in = probe.predict(data.x, verbose=0, batch_size=256)
    weights = dense.get_weights()
    target = dense_in.astype(np.float64) @ weights[0].astype(np.float64)
    if site.use_bias:
        target += weights[1]
    feats = pooled_features(model, site, fmap)
    tr, te = data.train, data.test
    if site.per_step:  # TimeDistributed: every frame of a sample is a row of the fit
        tr, te = _frames(tr, feats.shape[1]), _frames(te, feats.shape[1])
        feats, target = feats.reshape(-1, feats.shape[-1]), target.reshape(-1, target.shape[-1])
    x_tr, t_tr = feats[tr], target[tr]
    mean_x, mean_t = x_tr.mean(0), t_tr.mean(0)
    xc = x_tr - mean_x
    gram = xc.T @ xc
    lam = ridge * np.trace(gram) / max(1, gram.shape[0])
    kernel = np.linalg.solve(gram + lam * np.eye(gram.shape[0]), xc.T @ (t_tr - mean_t))
    bias = mean_t - mean_x @ kernel
    if not site.use_bias:
        kernel = np.linalg.lstsq(x_tr, t_tr, rcond=None)[0]
        bias = None
    fit = {
        "heldout_r2": _r2(feats[te], target[te], kernel, bias),
        "fold_heldout_r2": _r2(feats[te], target[te], fold[0], fold[1]),
        "train_samples": float(len(data.train)),
        "heldout_samples": float(len(data.test)),
    }
    dtype = weights[0].dtype
    return kernel.astype(dtype), None if bias is None else bias.astype(dtype), fit


def pooled_features(model: Any, site: PlannedSwap, fmap: Any) -> Any:
    """What the new Dense will see: the pooled map through the kept elementwise layers."""
    first = 2 if site.per_step else 1  # after the batch (and, per frame, the time) axis
    spatial = range(first + 1, fmap.ndim) if site.channels_first else range(first, fmap.ndim - 1)
    axes = tuple(spatial)
    pooled = fmap.mean(axis=axes) if "Average" in site.pooling else fmap.max(axis=axes)
    for layer in site.between:
        if layer.class_name in INFERENCE_IDENTITY or layer.class_name == "BatchNormalization":
            continue
        pooled = np.asarray(model.get_layer(layer.key[-1])(pooled))
    return np.asarray(pooled, np.float64)


def _frames(samples: Any, steps: int) -> Any:
    """Row numbers of every frame of `samples` once (sample, time) is flattened to rows."""
    return (np.asarray(samples)[:, None] * steps + np.arange(steps)[None, :]).ravel()


def _r2(x: Any, t: Any, kernel: Any, bias: Any | None) -> float:
    pred = x @ np.asarray(kernel, np.float64) + (
        0 if bias is None else np.asarray(bias, np.float64)
    )
    resid = ((t - pred) ** 2).sum()
    total = ((t - t.mean(0)) ** 2).sum()
    return float(1 - resid / total) if total > 0 else float("nan")


def compare_outputs(original: Any, rewritten: Any, x: Any, y: Any | None) -> dict[str, float]:
    """How far the outputs moved on `x`: abs differences, top-1 agreement, accuracies."""
    before = original.predict(x, verbose=0, batch_size=256)
    after = rewritten.predict(x, verbose=0, batch_size=256)
    return fidelity(flat_outputs(before), flat_outputs(after), y)
