"""Run Keras models the same way on every CPU, and say in one line when Keras fails.

TensorFlow runs channels_first convolutions and pooling on the CPU only through its oneDNN
kernels, which it turns on by default on some CPUs and not on others (`TF_ENABLE_ONEDNN_OPTS`):
without them `Conv2D(data_format="channels_first")` fails with "only supports the NHWC tensor
format on the CPU". XLA compiles those ops for any CPU, so a model holding a channels_first
layer runs compiled by XLA, as Keras itself does for channels_first 3-D convolutions:
`predict`, `predict_on_batch` and `fit` alike, whatever the CPU and the variable say. Every
place kerasfix runs Keras (verification, `--init calibrate`, `--data`, `--verify-data`, the
models the Python API returns) goes through `runnable` and `jit_compile`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from kerasfix.model_rewrite.errors import RewriteError


def channels_first_layers(model: Any) -> list[str]:
    """Names of the layers (nested models included) that compute channels_first."""
    found = []
    for layer in _all_layers(model):
        if getattr(layer, "data_format", None) == "channels_first" and not _is_reshape(layer):
            found.append(layer.name)
    return found


def jit_compile(model: Any) -> bool | str:
    """The `jit_compile` for `model.compile(...)`: XLA where the model needs it."""
    return True if _needs_xla(model) else "auto"


def runnable(model: Any) -> Any:
    """`model`, set to run compiled by XLA when it needs it on this CPU (see module doc), or
    eagerly when a layer name is no TensorFlow graph scope (`name="卷积"`: Keras saves,
    loads and runs such a model eagerly, and refuses to trace it)."""
    if unscopable(model):
        model.run_eagerly = True
    elif _needs_xla(model) and model.jit_compile is not True:
        model.jit_compile = True
        for made in ("predict_function", "train_function", "test_function"):
            if getattr(model, made, None) is not None:  # traced before: trace again, with XLA
                setattr(model, made, None)
    return model


_SCOPE = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")  # TensorFlow's rule for scope names


def unscopable(model: Any) -> bool:
    """Whether a layer's name (nested models included) is refused as a TensorFlow scope."""
    import keras

    if keras.backend.backend() != "tensorflow":
        return False
    return any(not _SCOPE.match(layer.name) for layer in _all_layers(model))


def _needs_xla(model: Any) -> bool:
    import keras

    return keras.backend.backend() == "tensorflow" and bool(channels_first_layers(model))


def _all_layers(model: Any) -> Iterator[Any]:
    for layer in getattr(model, "layers", []):
        yield layer
        if getattr(layer, "layers", None):
            yield from _all_layers(layer)
        inner = getattr(layer, "layer", None)  # TimeDistributed, Bidirectional
        if inner is not None:
            yield inner


def _is_reshape(layer: Any) -> bool:
    """Flatten's data_format only orders its output; it runs no channels_first kernel."""
    return type(layer).__name__ == "Flatten"


# The lines of a TensorFlow error that are not its cause: stack frames, node names, op tags.
_NOT_THE_CAUSE = re.compile(
    r"^(?:\s|Graph execution error|Detected at node|Stack trace for op|$)|^\[\[|^=+"
)
_TAGS = re.compile(r"\s*(?:\[\[[^\]]*\]\]|\[Op:[^\]]*\])")


def describe_failure(exc: BaseException) -> str:
    """One line for an exception raised while Keras ran: its type and its cause, without
    TensorFlow's stack of node definitions."""
    text = getattr(exc, "message", None) or str(exc)
    raw = str(text).splitlines()
    # Filtered on the raw line, whose indentation marks a stack frame, then stripped of tags.
    causes = [_TAGS.sub("", line).strip() for line in raw if not _NOT_THE_CAUSE.match(line)]
    causes = [line for line in causes if line]
    cause = causes[-1] if causes else (_TAGS.sub("", raw[0]).strip() if raw else "")
    cause = " ".join(cause.split())
    if len(cause) > 300:
        cause = cause[:297] + "..."
    return f"{type(exc).__name__}: {cause}" if cause else type(exc).__name__


def is_channels_first_failure(description: str) -> bool:
    """TensorFlow's refusal to run a channels_first kernel on this CPU (no oneDNN)."""
    return any(layout in description for layout in ("NHWC", "NCHW", "NDHWC"))


def failure_advice(description: str) -> str:
    """What the user can do about a Keras failure, where the cause says it."""
    if is_channels_first_failure(description):
        return (
            "this CPU's TensorFlow cannot run channels_first layers without oneDNN: set "
            "TF_ENABLE_ONEDNN_OPTS=1 before TensorFlow is imported"
        )
    if "memory" in description.lower() or "OOM" in description:
        return "lower --batch-size or free memory"
    return "kerasfix lint/inspect read the model without running it"


@contextlib.contextmanager
def keras_step(what: str, advice: str = "") -> Iterator[None]:
    """Turn any failure while Keras runs `what` into the rewrite's one-line error."""
    try:
        yield
    except RewriteError:
        raise
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as exc:
        description = describe_failure(exc)
        hint = advice or failure_advice(description)
        raise RewriteError(f"{what} failed: {description} ({hint})") from exc
