"""New weights for the resized Dense (and the BatchNormalization before it) without TensorFlow.

Why the fold is exact on spatially constant maps: with x[s, c] = x_c for every position s,
    Dense(Flatten(x))_u = sum_s sum_c x[s, c] W[s, c, u] + b_u = sum_c x_c (sum_s W[s, c, u]) + b_u
and global average pooling returns exactly x_c (the mean of a constant), so the new kernel
must be the SUM over positions, W'[c, u] = sum_s W[s, c, u], not the mean. With max pooling
the same holds (the max of a constant is the constant). On real maps the fold is the best
data-free start: it equals the Dense applied to the map's spatial mean scaled by S.

A BatchNormalization between Flatten and Dense normalises each (s, c) feature on its own:
y_f = a_f x_f + d_f with a_f = gamma_f / sqrt(var_f + eps), d_f = beta_f - a_f mean_f.
Folding it into the Dense, W'[c, u] = sum_s a_(s,c) W[(s,c), u] and
b'_u = b_u + sum_f d_f W[f, u], keeps the fold exact on constant maps, and the resized
BatchNormalization is set to the identity at inference (gamma 1, beta 0, mean 0,
variance 1 - eps). Rows are read in slabs, so memory stays at one slab plus (C, U).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.plan import PlannedSwap

SLAB_BYTES = 32 << 20
Progress = Callable[[int], None]


def is_bfloat16(dtype: Any) -> bool:
    """How h5py hands back Keras's bfloat16 tensors: 2-byte opaque values."""
    dtype = np.dtype(dtype)
    return dtype.kind == "V" and dtype.itemsize == 2


def as_float64(array: Any) -> Any:
    """A stored tensor as float64 numbers, bfloat16 (the high half of a float32) included."""
    array = np.asarray(array)
    if is_bfloat16(array.dtype):
        bits = array.view(np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32).astype(np.float64)
    return array.astype(np.float64)


def as_stored(array: Any, dtype: Any) -> Any:
    """`array` in a stored dtype; bfloat16 rounded to nearest even, as Keras casts."""
    if not is_bfloat16(dtype):
        return np.asarray(array).astype(dtype)
    bits = np.ascontiguousarray(np.asarray(array, np.float32)).view(np.uint32)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    return rounded.view(np.dtype(dtype))


def bn_affine(values: dict[str, Any], config: dict[str, Any], size: int) -> tuple[Any, Any]:
    """(a, d) of y = a x + d for a BatchNormalization at inference, float64."""
    eps = float(config.get("epsilon", 1e-3))
    gamma = as_float64(values["gamma"]) if "gamma" in values else np.ones(size)
    beta = as_float64(values["beta"]) if "beta" in values else np.zeros(size)
    mean = as_float64(values["moving_mean"])
    var = as_float64(values["moving_variance"])
    scale = gamma / np.sqrt(var + eps)
    return scale, beta - scale * mean


def fold_dense(
    kernel: Any,
    bias: Any | None,
    site: PlannedSwap,
    bn: tuple[Any, Any] | None = None,
    progress: Progress | None = None,
) -> tuple[Any, Any | None]:
    """(W', b') by summing the kernel over spatial positions, slab by slab (float64 sums)."""
    features, units = kernel.shape
    if features != site.features:
        raise RewriteError(
            f"Dense '{site.dense}' kernel has {features} rows, expected {site.features}"
        )
    channels = site.channels
    out = np.zeros((channels, units), np.float64)
    shift = np.zeros(units, np.float64)
    # Kernel rows run over the feature map's axes in Flatten's order (site.flat_dims, row
    # major); read whole rows of the first axis, slab by slab, and sum every axis but the
    # channel axis.
    dims, axis = site.flat_dims, site.flat_channel_axis
    inner = math.prod(dims[1:])
    step = max(1, SLAB_BYTES // (max(1, units * kernel.dtype.itemsize) * inner))
    for o0 in range(0, dims[0], step):
        o1 = min(dims[0], o0 + step)
        rows = slice(o0 * inner, o1 * inner)
        shape = (o1 - o0, *dims[1:])
        block = as_float64(kernel[rows]).reshape(*shape, units)
        if bn is not None:
            shift += bn[1][rows] @ block.reshape(-1, units)
            block = block * bn[0][rows].reshape(*shape, 1)
        others = tuple(i for i in range(len(dims)) if i != axis)
        if axis == 0:
            out[o0:o1] += block.sum(axis=others, dtype=np.float64)  # float64 sums, no copy
        else:
            out += block.sum(axis=others, dtype=np.float64)
        if progress:
            progress(block.size * kernel.dtype.itemsize)
    new_bias = None
    if bias is not None:
        new_bias = as_stored(as_float64(bias[()]) + shift, bias.dtype)
    elif bn is not None and np.any(shift):
        raise RewriteError(
            f"Dense '{site.dense}' has no bias to absorb the BatchNormalization shift: "
            "give it a bias (use_bias=True) or use --init random"
        )
    return as_stored(out, kernel.dtype), new_bias


def identity_bn(names: list[str], config: dict[str, Any], size: int, dtype: Any) -> list[Any]:
    """A BatchNormalization that is the identity at inference, in the layer's variable order."""
    eps = float(config.get("epsilon", 1e-3))
    if eps >= 1:
        raise RewriteError("BatchNormalization epsilon >= 1 cannot be made an identity")
    values = {
        "gamma": np.ones(size),
        "beta": np.zeros(size),
        "moving_mean": np.zeros(size),
        "moving_variance": np.full(size, 1.0 - eps),
    }
    return [as_stored(values[n], dtype) for n in names]


def fresh_bn(names: list[str], size: int, dtype: Any) -> list[Any]:
    """A BatchNormalization as Keras initialises it (ones, zeros, zeros, ones)."""
    start = {"gamma": 1.0, "beta": 0.0, "moving_mean": 0.0, "moving_variance": 1.0}
    return [as_stored(np.full(size, start[n]), dtype) for n in names]


def random_dense(site: PlannedSwap, dtype: Any, seed: int | None = None) -> tuple[Any, Any | None]:
    """(W', b') drawn from the Dense's own initializer configs (numpy, no TensorFlow)."""
    rng = np.random.default_rng(seed)
    config = site.dense_config
    shape = (site.channels, site.units)
    kernel = as_stored(initialize(config.get("kernel_initializer"), shape, rng), dtype)
    bias = None
    if site.use_bias:
        bias = as_stored(initialize(config.get("bias_initializer"), (site.units,), rng), dtype)
    return kernel, bias


def initialize(spec: Any, shape: tuple[int, ...], rng: Any) -> Any:
    """Keras's built-in initializers from their serialized config, in numpy."""
    name, cfg = _spec(spec)
    fan_in = shape[0]
    fan_out = shape[1] if len(shape) > 1 else shape[0]
    families = {
        "glorot_uniform": ("fan_avg", "uniform", 1.0),
        "glorot_normal": ("fan_avg", "truncated_normal", 1.0),
        "he_uniform": ("fan_in", "uniform", 2.0),
        "he_normal": ("fan_in", "truncated_normal", 2.0),
        "lecun_uniform": ("fan_in", "uniform", 1.0),
        "lecun_normal": ("fan_in", "truncated_normal", 1.0),
    }
    if name == "variance_scaling":
        fam = (
            cfg.get("mode", "fan_in"),
            cfg.get("distribution", "truncated_normal"),
            float(cfg.get("scale", 1.0)),
        )
    else:
        fam = families.get(name)
    if fam is not None:
        mode, dist, scale = fam
        fan = {"fan_in": fan_in, "fan_out": fan_out}.get(mode, (fan_in + fan_out) / 2)
        scale /= max(1.0, fan)
        if dist == "uniform":
            limit = np.sqrt(3.0 * scale)
            return rng.uniform(-limit, limit, shape)
        std = np.sqrt(scale) / (0.87962566103423978 if dist != "untruncated_normal" else 1)
        return (
            _truncated(rng, std, shape)
            if dist != "untruncated_normal"
            else std * rng.standard_normal(shape)
        )
    if name == "zeros":
        return np.zeros(shape)
    if name == "ones":
        return np.ones(shape)
    if name == "constant":
        return np.full(shape, float(cfg.get("value", 0.0)))
    if name == "random_uniform":
        return rng.uniform(float(cfg.get("minval", -0.05)), float(cfg.get("maxval", 0.05)), shape)
    if name == "random_normal":
        return float(cfg.get("mean", 0.0)) + float(cfg.get("stddev", 0.05)) * rng.standard_normal(
            shape
        )
    if name == "truncated_normal":
        return float(cfg.get("mean", 0.0)) + _truncated(rng, float(cfg.get("stddev", 0.05)), shape)
    raise RewriteError(f"--init random does not know the initializer {name!r}")


def _truncated(rng: Any, std: float, shape: tuple[int, ...]) -> Any:
    values = rng.standard_normal(shape)
    bad = np.abs(values) > 2
    while bad.any():
        values[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(values) > 2
    return std * values


def _spec(spec: Any) -> tuple[str, dict[str, Any]]:
    from kerasfix.layers.naming import to_snake_case

    if spec is None:
        return "glorot_uniform", {}
    if isinstance(spec, str):
        return to_snake_case(spec), {}
    if isinstance(spec, dict):
        cfg = spec.get("config") if isinstance(spec.get("config"), dict) else {}
        return to_snake_case(str(spec.get("class_name", ""))), cfg
    raise RewriteError(f"unreadable initializer config {spec!r}")
