"""How faithfully the rewritten model answers as the original did, and when that is not enough.

Kept free of Keras: it compares output arrays, so every init (and the report) can use it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasfix.model_rewrite.errors import RewriteError

LOW_AGREEMENT = 0.95
NOT_PRESERVED = (
    "the written model's predictions are NOT preserved: the resized Dense no longer matches "
    "what the trunk feeds it, so retrain the model, or rewrite it with --data FILE (inputs "
    "the model sees; no labels needed) to keep its accuracy"
)


def flat_outputs(outputs: Any) -> list[Any]:
    """A model's outputs as a list: a dict's values by key, as Keras orders them."""
    if isinstance(outputs, dict):
        return [outputs[key] for key in sorted(outputs)]
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def fidelity(before: list[Any], after: list[Any], labels: Any | None) -> dict[str, float]:
    """Abs differences over every output; top-1 agreement (and accuracy against `labels`)
    for the first output that is a class score vector, or a single sigmoid/score unit."""
    flat_before = np.concatenate([np.asarray(b, np.float64).reshape(len(b), -1) for b in before], 1)
    flat_after = np.concatenate([np.asarray(a, np.float64).reshape(len(a), -1) for a in after], 1)
    diff = np.abs(flat_before - flat_after)
    result = {
        "samples": float(len(flat_before)),
        "max_abs_diff": float(diff.max()),
        "mean_abs_diff": float(diff.mean()),
    }
    for old, new in zip(before, after, strict=True):
        old, new = np.asarray(old), np.asarray(new)
        if old.ndim != 2:
            continue
        if old.shape[1] > 1:
            top_old, top_new = old.argmax(1), new.argmax(1)
        else:
            top_old, top_new = old[:, 0] > 0.5, new[:, 0] > 0.5
        result["top1_agreement"] = float((top_old == top_new).mean())
        if labels is not None:
            truth = np.asarray(labels)
            truth = truth.argmax(1) if truth.ndim == 2 and truth.shape[1] > 1 else truth.ravel()
            result["accuracy_before"] = float((top_old == truth).mean())
            result["accuracy_after"] = float((top_new == truth).mean())
        break
    return result


def shortfall_note(outputs: dict[str, float] | None) -> str | None:
    """Said plainly when the rewritten model disagrees with the original too often."""
    if not outputs or outputs.get("top1_agreement", 1.0) >= LOW_AGREEMENT:
        return None
    return (
        f"held-out top-1 agreement is only {outputs['top1_agreement']:.1%}: the rewritten model "
        "does NOT keep the original's predictions (--min-agreement refuses to write such a model)"
    )


MATERIAL = 0.1  # a relative change of held-out mean |diff| smaller than this is noise


def held_out_metric(measured: dict[str, float]) -> float:
    """What distillation is judged by: top-1 agreement for classifiers, else mean |diff|."""
    return measured.get("top1_agreement", measured["mean_abs_diff"])


def compare(measured: dict[str, float], best: dict[str, float]) -> tuple[bool, bool]:
    """(keep, improved) for an epoch's held-out `measured` against the `best` so far.

    Classifiers are judged by top-1 agreement. At equal agreement the later epoch is kept
    (training went further) unless its mean |diff| is materially (MATERIAL) worse, and it
    counts as progress, which resets early stopping's patience, only when its mean |diff|
    is materially better: a held-out set of a few hundred samples moves by one sample, and
    its |diff| by a few percent, from noise alone. Other outputs: a lower mean |diff| is
    kept, and is progress when materially lower."""
    diff, best_diff = measured["mean_abs_diff"], best["mean_abs_diff"]
    improved = diff < best_diff * (1 - MATERIAL)
    if "top1_agreement" not in measured:
        return diff < best_diff, improved
    agreement, best_agreement = measured["top1_agreement"], best["top1_agreement"]
    if agreement != best_agreement:
        return agreement > best_agreement, agreement > best_agreement
    return diff <= best_diff * (1 + MATERIAL), improved


# Why no training rescues a rewrite: said by both refusals.
WEAK_HEAD = "too weak a head for this trunk (it discards where features are)"
PROMISE = 0.005  # --data aims to keep accuracy within half a point
MEASURABLE = 100  # fewer held-out samples cannot show a half-point change (one is 1% or more)
SIGNIFICANCE = 0.05


def check_promise(outputs: dict[str, float] | None) -> str | None:
    """Refuse (RewriteError) a distilled model the data shows breaks the half-point promise;
    otherwise the note saying what was checked, on how many samples. Applies when
    --min-agreement is not given (the user's own floor replaces it).

    With labels (--verify-data, or y in --data) the measured accuracy must not fall by more
    than PROMISE. Without, accuracy can fall by as much as predictions changed: refused when
    more held-out predictions changed than a rewrite that moved at most PROMISE of them
    would show by chance (one-sided binomial test at SIGNIFICANCE)."""
    if not outputs or "top1_agreement" not in outputs:
        return None
    n = int(outputs["samples"])
    if n < MEASURABLE:
        return (
            f"the held-out part ({n} samples; one is {1 / n:.1%}) is too small to show "
            "whether accuracy stays within half a point: measure it with --verify-data on "
            f"at least {MEASURABLE} labelled samples, or give more --data"
        )
    agreement = outputs["top1_agreement"]
    changed = round((1 - agreement) * n)
    if "accuracy_after" in outputs:
        before, after = outputs["accuracy_before"], outputs["accuracy_after"]
        shown = f"accuracy on {n} labelled samples {before:.2%} -> {after:.2%}"
        if after >= before - PROMISE - 1e-9:
            return f"{shown}: within the half point distillation aims to keep"
        reason = f"{shown}, more than the half point distillation aims to keep"
    else:
        shown = f"predictions changed on {changed} of {n} held-out inputs ({1 - agreement:.1%})"
        if _binomial_tail(changed, n, PROMISE) >= SIGNIFICANCE:
            return (
                f"{shown}: too few to show that accuracy fell by more than half a point, "
                "not proof that it did not (--verify-data with labels measures it)"
            )
        reason = f"{shown}, so accuracy may have fallen by as much: more than half a point"
    advice = "try more --epochs or more data"
    if agreement < LOW_AGREEMENT:
        advice = f"global pooling is {WEAK_HEAD}"
    override = f"--min-agreement {math.floor(agreement * 1000) / 1000:g} writes it anyway"
    raise RewriteError(f"{reason}: output not written; {advice}; {override}")


def _binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed in log space (n may be large)."""
    below = sum(
        math.exp(
            math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
            + i * math.log(p) + (n - i) * math.log1p(-p)
        )
        for i in range(k)
    )  # fmt: skip
    return max(0.0, 1.0 - below)


def check_min_agreement(outputs: dict[str, float] | None, minimum: float, init: str) -> None:
    """Refuse (RewriteError, so nothing is written) when held-out agreement is short."""
    if outputs is None:
        raise RewriteError("--min-agreement needs --data FILE (or --verify-data) to measure on")
    if "top1_agreement" not in outputs:
        raise RewriteError(
            "--min-agreement measures top-1 agreement of class scores; this model's outputs "
            f"are not class scores (held-out mean |diff| {outputs['mean_abs_diff']:.4g})"
        )
    agreement = outputs["top1_agreement"]
    if agreement >= minimum:
        return
    tries = ["more data", "more --epochs (or a larger --max-time)"]
    if init != "distill":
        tries.insert(0, "--init distill (the default with --data)")
    tries.append("--train all")
    raise RewriteError(
        f"held-out top-1 agreement {agreement:.1%} is below --min-agreement {minimum:.1%}: "
        f"output not written. Try {', '.join(tries)}; if none of that helps, global pooling "
        f"may be {WEAK_HEAD}"
    )
