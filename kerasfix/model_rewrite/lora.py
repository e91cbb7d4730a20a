"""Which stored tensor of a resized Dense is which, and its LoRA kernels.

A `.keras` file stores a Dense as `vars/0` (kernel) and `vars/1` (bias), LoRA already
merged into the kernel (keras.layers.Dense.save_own_variables). A legacy `.h5` stores
every variable by name, in Keras's trainable-first order: with `lora_rank` that is bias,
lora_kernel_a, lora_kernel_b, kernel, the kernel frozen. The effective kernel is then
`kernel + (lora_alpha / lora_rank) * A @ B`; the rewrite folds that, and starts the new
adapter as Keras's `enable_lora` does (A random, B zero), so the output is unchanged and
the adapter can still be trained.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.fold import as_float64, as_stored, initialize
from kerasfix.model_rewrite.plan import PlannedSwap
from kerasfix.model_rewrite.source import Tensor, WeightSource

LORA = ("lora_kernel_a", "lora_kernel_b")


def dense_slots(site: PlannedSwap, tensors: list[Tensor]) -> dict[str, int]:
    """Variable name -> position among the Dense's stored tensors."""
    expected = ["kernel", "bias"][: 1 + site.use_bias]
    names = [name for name, _ in tensors]
    if names and all(names):  # legacy .h5: stored under their names
        if site.lora_rank:
            expected += list(LORA)
        if sorted(names) != sorted(expected):
            raise RewriteError(f"Dense '{site.dense}' stores {', '.join(names)}")
        return {name: i for i, name in enumerate(names)}
    if len(tensors) != len(expected):  # .keras: LoRA is merged into the kernel
        raise RewriteError(f"Dense '{site.dense}' stores {len(tensors)} tensors")
    return {name: i for i, name in enumerate(expected)}


class _MergedKernel:
    """kernel + scale * A @ B, read row slab by row slab like an h5py dataset."""

    def __init__(self, kernel: Any, a: Any, b: Any, scale: float) -> None:
        self.kernel, self.a, self.b, self.scale = kernel, a, b, scale
        self.shape, self.dtype = kernel.shape, kernel.dtype
        self.size = kernel.size

    def __getitem__(self, rows: Any) -> Any:
        delta = as_float64(self.a[rows]) @ as_float64(self.b[()])
        return as_stored(as_float64(self.kernel[rows]) + self.scale * delta, self.dtype)


def merged_kernel(
    site: PlannedSwap, source: WeightSource, tensors: list[Tensor], slots: dict[str, int]
) -> Any:
    """The kernel the Dense applies (LoRA included), as a sliceable array."""
    kernel = source.dataset(tensors[slots["kernel"]][1])
    if "lora_kernel_a" not in slots:
        return kernel
    a = source.dataset(tensors[slots["lora_kernel_a"]][1])
    b = source.dataset(tensors[slots["lora_kernel_b"]][1])
    alpha = site.dense_config.get("lora_alpha") or site.lora_rank
    return _MergedKernel(kernel, a, b, float(alpha) / site.lora_rank)


def dense_replacement(
    site: PlannedSwap, slots: dict[str, int], new: tuple[Any, Any | None], seed: int | None
) -> list[Any]:
    """The resized Dense's tensors in the order they are stored."""
    kernel, bias = new
    values: dict[str, Any] = {"kernel": kernel}
    if site.use_bias:
        values["bias"] = bias
    if "lora_kernel_a" in slots:
        # one seed, one result: the adapter written with and without --no-verify is the same
        rng = np.random.default_rng(0 if seed is None else seed)
        a = initialize("he_uniform", (site.channels, site.lora_rank), rng)
        values["lora_kernel_a"] = as_stored(a, kernel.dtype)
        values["lora_kernel_b"] = as_stored(np.zeros((site.lora_rank, site.units)), kernel.dtype)
    order = sorted(slots, key=slots.__getitem__)
    return [values[name] for name in order]
