"""Check the written file with stock Keras before it is renamed into place.

The check loads the output (through a symlink with the right suffix, since Keras picks the
format by file name), compares the parameter count with the report, compares every
untouched layer's weights bit for bit with the INPUT file's tensors (read with h5py, one
tensor at a time) and runs one forward pass on random input. A child keeps TensorFlow's
memory and threads out of the rewriting process; a caller that has already imported Keras
(the Python API in a notebook or a training script) has paid for both, so the same check of a
model up to IN_PROCESS_BYTES runs in that process instead of importing TensorFlow a second
time (seconds per rewrite).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Largest output checked in a caller's own process: a bigger model's load buffers stay with the
# caller (TensorFlow's allocator keeps them), so it is checked in a child, whose memory goes
# back to the system when it exits.
IN_PROCESS_BYTES = 64 << 20


@dataclass
class Verification:
    status: str  # "passed" | "skipped" | "failed"
    reason: str = ""
    seconds: float = 0.0
    params: int | None = None
    layers_compared: int = 0
    tensors_compared: int = 0
    output_shapes: list[list[int | None]] = field(default_factory=list)


def keras_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("keras") is not None


def verify(
    reader_path: str,
    fd: int | None,
    out_suffix: str,
    input_path: Path,
    untouched: list[list[str]],
    expected_params: int,
    expected_outputs: list[list[int | None]],
    trust: dict[str, Any] | None = None,
) -> Verification:
    """Run the check in a child; `fd` is passed through when the output has no name yet."""
    if not keras_available():
        return Verification("skipped", "Keras is not installed")
    spec = {
        "path": reader_path,
        "suffix": out_suffix,
        "input": str(input_path),
        "untouched": untouched,
        "params": expected_params,
        "outputs": expected_outputs,
        "trust": trust or {},
    }
    start = time.perf_counter()
    if "keras" in sys.modules and os.path.getsize(reader_path) <= IN_PROCESS_BYTES:
        result = _in_this_process(spec)
        if result is not None:
            return _verification(result, time.perf_counter() - start)
    from kerasfix.model_rewrite.quiet import QUIET_ENV, is_noise

    env = {**QUIET_ENV, **os.environ}
    proc = subprocess.run(
        [sys.executable, "-m", "kerasfix.model_rewrite.verify"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        pass_fds=(fd,) if fd is not None else (),
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        said = [line for line in proc.stderr.strip().splitlines() if not is_noise(line)]
        tail = (said or ["no output"])[-1]
        return Verification("failed", f"Keras could not load or run the output: {tail}", seconds)
    return _verification(json.loads(lines[-1]), seconds)


def _verification(result: dict[str, Any], seconds: float) -> Verification:
    return Verification(
        result["status"],
        result.get("reason", ""),
        seconds,
        result.get("params"),
        result.get("layers", 0),
        result.get("tensors", 0),
        result.get("outputs", []),
    )


def _in_this_process(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The check in this process, in Keras's safe mode whatever the caller set globally
    (`enable_unsafe_deserialization` must not let a Lambda in the model file run); None
    where this Keras has no safe-mode scope, and the check then runs in a child."""
    try:
        from keras.src.saving.serialization_lib import SafeModeScope
    except ImportError:
        return None
    with SafeModeScope(not (spec.get("trust") or {}).get("unsafe_lambda")):  # --unsafe-lambda
        return _checked(spec)


def _checked(spec: dict[str, Any]) -> dict[str, Any]:
    """`_child`'s result, or any failure of it as the one-line reason a child would give."""
    try:
        return _child(spec)
    except Exception as exc:  # any failure is the verification's finding
        from kerasfix.model_rewrite.keras_runtime import (
            describe_failure,
            failure_advice,
            is_channels_first_failure,
        )

        reason = describe_failure(exc)
        if is_channels_first_failure(reason):
            reason += f" ({failure_advice(reason)})"
        return {"status": "failed", "reason": reason}


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    import tempfile

    import keras
    import numpy as np

    from kerasfix.kerasfile.model_file import load_model_file
    from kerasfix.model_rewrite.calibrate import load_model_path
    from kerasfix.model_rewrite.source import open_source
    from kerasfix.model_rewrite.user_code import Trust, trusted

    allowed = spec.get("trust") or {}
    trust = Trust(tuple(allowed.get("modules", ())), bool(allowed.get("unsafe_lambda")))
    with tempfile.TemporaryDirectory() as tmp, trusted(trust):
        link = Path(tmp) / f"model{spec['suffix']}"
        link.symlink_to(spec["path"])
        model = load_model_path(keras, str(link))
    params = int(model.count_params())
    problems = []
    if params != spec["params"]:
        problems.append(f"Keras counts {params:,} parameters, the report says {spec['params']:,}")
    model_file = load_model_file(Path(spec["input"]))
    layers = tensors = 0
    with open_source(model_file.path, model_file.format, model_file.config) as source:
        for key in spec["untouched"]:
            layer = model
            for name in key:
                layer = layer.get_layer(name)
            values = [np.asarray(v) for v in layer.weights]
            paths = [p for _, p in source.tensors.get(tuple(key), [])]
            paths += source.subtensors.get(tuple(key), [])
            stored = [np.asarray(source.dataset(p)[()]) for p in paths]
            if len(values) != len(stored):
                problems.append(
                    f"'{'/'.join(key)}': {len(values)} weights, input has {len(stored)}"
                )
                continue
            if not _same_tensors(values, stored):
                problems.append(f"'{'/'.join(key)}' weights differ from the input's")
                continue
            tensors += len(values)
            layers += 1
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal([1 if d is None else d for d in t.shape]).astype("float32")
              for t in model.inputs]  # fmt: skip
    # predict_on_batch, not model(...): it runs the way keras_runtime.runnable set up.
    predicted = model.predict_on_batch(inputs if len(inputs) > 1 else inputs[0])
    outputs = keras.tree.flatten(predicted)
    shapes = [list(o.shape) for o in outputs]
    for got, want in zip(shapes, spec["outputs"], strict=False):
        if want and list(got[1:]) != list(want[1:]):
            problems.append(f"output shape {got} != expected {want}")
    if not problems:
        problems += _training_step(model, inputs, predicted)
    status = "failed" if problems else "passed"
    return {"status": status, "reason": "; ".join(problems[:5]), "params": params,
            "layers": layers, "tensors": tensors, "outputs": shapes}  # fmt: skip


def _training_step(model: Any, inputs: list[Any], targets: Any) -> list[str]:
    """One training step on the loaded copy (the file is not touched): layers that act only
    in training (a Dropout's noise_shape) must fit their new input too, or the user's first
    `fit` fails on a model that predicts."""
    from kerasfix.model_rewrite.keras_runtime import describe_failure, jit_compile

    if not model.trainable_weights:
        return []
    try:
        eager = bool(model.run_eagerly)
        model.compile(
            optimizer="sgd", loss="mse", jit_compile=jit_compile(model), run_eagerly=eager
        )
        model.train_on_batch(inputs if len(inputs) > 1 else inputs[0], targets)
    except Exception as exc:  # any failure here is the verification's finding
        return [f"a training step fails: {describe_failure(exc)}"]
    return []


def _same_tensors(values: list[Any], stored: list[Any]) -> bool:
    """Bit-identical tensors, in order or, where Keras's weight order differs from the
    file's (sub-objects are stored by attribute name, a LoRA kernel last), as a multiset."""

    from kerasfix.model_rewrite.fold import is_bfloat16

    def signature(array: Any) -> tuple[str, tuple[int, ...], bytes]:
        # h5py reads bfloat16 as 2-byte opaque values, Keras gives ml_dtypes' bfloat16
        dtype = "bfloat16" if is_bfloat16(array.dtype) else str(array.dtype)
        return (dtype, tuple(array.shape), array.tobytes())

    left = [signature(v) for v in values]
    right = [signature(v) for v in stored]
    return left == right or sorted(left) == sorted(right)


if __name__ == "__main__":
    print(json.dumps(_checked(json.load(sys.stdin))))
