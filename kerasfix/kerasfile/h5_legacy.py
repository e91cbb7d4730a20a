"""Legacy HDF5 models (`model.save('x.h5')`): the `model_config` attribute holds the JSON.

Only attributes and dataset shapes are read. The attribute's stored size is checked before
it is read, so a damaged or enormous attribute is refused instead of exhausting memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kerasfix.frontends.base import InputError, NoArchitecture
from kerasfix.kerasfile.sniff import parse_json
from kerasfix.limits import max_config_bytes


def read_h5(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """(model config, file attributes such as keras_version) of a legacy `.h5` model."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            attrs = handle.attrs
            if "model_config" not in attrs:
                raise _why_no_config(handle)
            cap = max_config_bytes()
            try:
                size = attrs.get_id("model_config").get_storage_size()
            except (OSError, ValueError, RuntimeError):
                size = 0
            if size > cap:
                raise InputError(f"model_config is {size:,} bytes, over the {cap:,} byte limit")
            try:
                raw = attrs["model_config"]
            except (OSError, ValueError, TypeError, RuntimeError) as exc:
                raise InputError(f"damaged model_config attribute ({exc})") from None
            extra = {key: _text(attrs.get(key)) for key in ("keras_version", "backend")}
    except InputError:
        raise
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise InputError(f"not a readable HDF5 model (truncated or corrupted: {exc})") from None
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else _bytes(raw)
    if len(data) > cap:
        raise InputError(f"model_config is over the {cap:,} byte limit")
    config = parse_json(data, "the model_config attribute")
    if not isinstance(config, dict):
        raise InputError("the model_config attribute is not a JSON object")
    return config, {k: v for k, v in extra.items() if v}


def _why_no_config(handle: Any) -> InputError:
    names = set(handle.keys())
    if "layer_names" in handle.attrs or names & {"layers", "vars"}:
        return NoArchitecture(
            "weights only, no architecture (no model_config; lint the .keras or full .h5 model)"
        )
    if "model_weights" in names:
        return InputError("the model_config attribute is missing, so the architecture is unknown")
    # Arrays kept next to the code (a dataset, features): not bad input, only not a model.
    return NoArchitecture("an HDF5 file of data without a Keras model (no model_config)")


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    dtype = getattr(value, "dtype", None)
    if dtype is not None and dtype.kind in ("S", "O") and getattr(value, "size", 0) == 1:
        item = value.reshape(-1)[0]
        return item if isinstance(item, bytes) else str(item).encode("utf-8")
    raise InputError("damaged model_config attribute (not a string)")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""
