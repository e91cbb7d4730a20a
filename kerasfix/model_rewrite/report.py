"""What a rewrite did, for people (text) and for tools (`--report-format json`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from kerasfix.model_rewrite.plan import PlannedSwap
from kerasfix.model_rewrite.verify import Verification
from kerasfix.units import format_bytes


@dataclass
class SiteReport:
    model: str
    flatten: str
    pooling_layer: str
    pooling: str
    dense: str
    between: list[str]
    feature_map: list[int]
    dense_input_before: int
    dense_input_after: int
    units: int
    params_before: int
    params_after: int
    macs_before: int
    macs_after: int

    @classmethod
    def of(cls, site: PlannedSwap) -> SiteReport:
        shape = (
            [site.channels, *site.spatial]
            if site.channels_first
            else [*site.spatial, site.channels]
        )
        return cls(
            "/".join(site.model),
            site.flatten,
            site.new_name,
            site.pooling,
            site.dense,
            [b.key[-1] for b in site.between],
            shape,
            site.features,
            site.channels,
            site.units,
            site.params_before,
            site.params_after,
            site.macs_before,
            site.macs_after,
        )


@dataclass
class Report:
    input: str
    output: str | None
    init: str
    dry_run: bool
    sites: list[SiteReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    params_before: int = 0
    params_after: int = 0
    weight_bytes_before: int | None = None
    weight_bytes_after: int | None = None
    weight_dtypes: list[str] = field(default_factory=list)
    file_bytes_before: int = 0
    file_bytes_after: int | None = None
    macs_before: int = 0
    macs_after: int = 0
    optimizer_tensors_dropped: int = 0
    fit: dict[str, dict[str, float]] = field(default_factory=dict)  # per site, calibrate
    outputs: dict[str, float] | None = None  # calibrate / distill (held-out) / --verify-data
    distill: Any = None  # distill.DistillResult: the training run
    verification: Verification | None = None
    seconds_rewrite: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def params_saved(self) -> int:
        return self.params_before - self.params_after

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["params_saved"] = self.params_saved
        return data

    def text(self) -> str:
        lines = []
        verb = "would rewrite" if self.dry_run else "rewrote"
        target = f" -> {self.output}" if self.output and not self.dry_run else ""
        lines.append(f"kerasfix rewrite: {self.input}{target} (init: {self.init})")
        if not self.sites:
            lines.append("  no KF001 Flatten to rewrite")
        for s in self.sites:
            where = f" in '{s.model}'" if s.model else ""
            kept = f" (kept between: {', '.join(s.between)})" if s.between else ""
            lines.append(
                f"  {verb} '{s.flatten}'{where} over {'x'.join(map(str, s.feature_map))} -> "
                f"{s.pooling} '{s.pooling_layer}'; '{s.dense}' Dense({s.units}) input "
                f"{s.dense_input_before:,} -> {s.dense_input_after:,}: "
                f"{s.params_before:,} -> {s.params_after:,} params{kept}"
            )
        for line in self.skipped:
            lines.append(f"  skipped {line}")
        params = _before_after(self.params_before, self.params_after)
        if self.params_saved:
            pct = self.params_saved / self.params_before * 100 if self.params_before else 0.0
            params += f" (-{self.params_saved:,}, -{pct:.1f}%)"
        lines.append(f"  parameters: {params}")
        if self.weight_bytes_before is not None and self.weight_bytes_after is not None:
            dtypes = ", ".join(self.weight_dtypes) or "?"
            sizes = _before_after(self.weight_bytes_before, self.weight_bytes_after, format_bytes)
            lines.append(f"  weight bytes ({dtypes}): {sizes}")
        if self.file_bytes_after is None:
            lines.append(f"  file size: {format_bytes(self.file_bytes_before)} -> -")
        else:
            sizes = _before_after(self.file_bytes_before, self.file_bytes_after, format_bytes)
            lines.append(f"  file size: {sizes}")
        lines.append(
            f"  multiply-accumulates of the changed Dense layers: {self.macs_before:,} -> "
            f"{self.macs_after:,} per sample"
        )
        if self.optimizer_tensors_dropped:
            lines.append(
                f"  optimizer state dropped ({self.optimizer_tensors_dropped} tensors): its "
                "slots for the resized layers no longer fit; recompile/retrain starts fresh"
            )
        for name, fit in self.fit.items():
            lines.append(
                f"  calibrate '{name}': held-out R^2 of pre-activations {fit['heldout_r2']:.4f} "
                f"(fold: {fit['fold_heldout_r2']:.4f}) on {int(fit['heldout_samples'])} samples"
            )
        if self.outputs:
            o = self.outputs
            text = (
                f"  outputs on {int(o['samples'])} samples: max |diff| {o['max_abs_diff']:.4g}, "
                f"mean |diff| {o['mean_abs_diff']:.4g}"
            )
            if "top1_agreement" in o:
                text += f", top-1 agreement {o['top1_agreement']:.1%}"
            if "accuracy_before" in o:
                text += f", accuracy {o['accuracy_before']:.1%} -> {o['accuracy_after']:.1%}"
            lines.append(text)
        if self.distill is not None:
            lines.extend(distill_lines(self.distill))
        v = self.verification
        if v is not None:
            detail = f" ({v.reason})" if v.reason else ""
            if v.status == "passed":
                detail = (
                    f": Keras loads it, {v.params:,} params, {v.tensors_compared} tensors of "
                    f"{v.layers_compared} untouched layers bit-identical, forward pass and one "
                    "training step ok"
                )
            lines.append(f"  verification {v.status}{detail} [{v.seconds:.1f}s]")
        if self.distill is not None:
            total = self.seconds_rewrite + self.distill.seconds_total
            lines.append(
                f"  rewrite time: {total:.1f}s ({self.seconds_rewrite:.1f}s to write, "
                f"{self.distill.seconds_total:.1f}s to distill)"
            )
        else:
            lines.append(f"  rewrite time: {self.seconds_rewrite:.1f}s")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _before_after(before: int, after: int, show: Any = "{:,}".format) -> str:
    """`1,000 -> 10`, or `116 (unchanged)`: never a `(-0, -0.0%)` change."""
    return f"{show(before)} (unchanged)" if before == after else f"{show(before)} -> {show(after)}"


def distill_lines(run: Any) -> list[str]:
    """The distillation run: what it trained on, how long, when and why it stopped, and the
    held-out fidelity before (calibration alone) and after (the file written)."""

    def fidelity(outputs: dict[str, float]) -> str:
        start = ""
        if "top1_agreement" in outputs:
            start = f"top-1 agreement {outputs['top1_agreement']:.1%}, "
        return f"{start}mean |diff| {outputs['mean_abs_diff']:.4g}"

    mixed = f" and {run.mixed_samples:,} mixes of two" if run.mixed_samples else ""
    kept = f"epoch {run.best_epoch}" if run.best_epoch else "the calibration alone"
    first = (
        f"  distill: {run.epochs_run} epochs ({run.stopped}; kept {kept}) in {run.seconds:.1f}s, "
        f"trained {run.trained} on {run.train_samples:,} samples{mixed}, loss {run.loss}; "
        f"held-out ({run.heldout_samples:,} samples) after calibration only: "
        f"{fidelity(run.calibrated)}"
    )
    lines = [first]
    if run.heldout:
        lines.append(f"  distill: held-out after distillation: {fidelity(run.heldout)}")
    lines.extend(f"  distill: {note}" for note in getattr(run, "notes", ()))
    return lines
