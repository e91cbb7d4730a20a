"""The rewrite from file to file: plan, new weights, new config, write, verify, commit."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kerasfix.kerasfile.keras_archive import write_archive
from kerasfix.kerasfile.layout import Key, LayerEntry, var_names, walk
from kerasfix.model_rewrite.atomic import AtomicFile, atomic_output, scratch
from kerasfix.model_rewrite.config_edit import rewrite_config
from kerasfix.model_rewrite.distill import DistillOptions
from kerasfix.model_rewrite.errors import RewriteError
from kerasfix.model_rewrite.fidelity import (
    NOT_PRESERVED,
    check_min_agreement,
    check_promise,
    shortfall_note,
)
from kerasfix.model_rewrite.fold import (
    bn_affine,
    fold_dense,
    fresh_bn,
    identity_bn,
    random_dense,
)
from kerasfix.model_rewrite.keras_runtime import keras_step
from kerasfix.model_rewrite.lora import dense_replacement, dense_slots, merged_kernel
from kerasfix.model_rewrite.plan import Plan, PlannedSwap, make_plan
from kerasfix.model_rewrite.report import Report, SiteReport
from kerasfix.model_rewrite.source import WeightSource, datasets, open_source
from kerasfix.model_rewrite.user_code import Trust, trusted, unverifiable
from kerasfix.model_rewrite.verify import Verification, verify
from kerasfix.model_rewrite.weights_copy import (
    layer_tensors,
    write_h5_weights,
    write_keras_weights,
)

OUTPUT_SUFFIXES = (".keras", ".h5", ".hdf5")
# (label, total bytes) -> callback(advance bytes); lets the CLI draw a progress bar.
ProgressFactory = Callable[[str, int], Any]


@dataclass
class Options:
    pooling: str = "avg"  # "avg" | "max"
    init: str = "fold"  # "fold" | "calibrate" | "distill" | "random"
    select: set[str] | None = None
    min_params: int = 0
    dry_run: bool = False
    force: bool = False
    verify: bool = True
    calibration_data: Path | None = None  # --data: calibrate and distill on these inputs
    verify_data: Path | None = None
    ridge: float = 1e-3
    seed: int | None = None
    distill: DistillOptions = field(default_factory=DistillOptions)
    min_agreement: float | None = None
    trust: Trust = field(default_factory=Trust)  # the user's code Keras may run (user_code.py)


def rewrite_file(
    src: Path, dst: Path | None, options: Options, progress: ProgressFactory | None = None
) -> Report:
    """Rewrite `src` into `dst` (never in place); the report says what changed."""
    for spec in options.trust.modules:
        if spec.endswith(".py") and not Path(spec).is_file():
            raise RewriteError(f"--custom-objects {spec}: no such file")
    in_process = options.init in ("calibrate", "distill") or options.verify_data
    # the user's code is imported here only when Keras loads the model in this process
    trust = options.trust if in_process and not options.dry_run else Trust()
    with trusted(trust):
        return _rewrite_file(src, dst, options, progress)


def _rewrite_file(
    src: Path, dst: Path | None, options: Options, progress: ProgressFactory | None
) -> Report:
    start = time.perf_counter()
    if options.init in ("calibrate", "distill") and options.calibration_data is None:
        raise RewriteError(f"--init {options.init} needs --data FILE.npy|.npz|IMAGE_DIR")
    measured = options.calibration_data is not None or options.verify_data is not None
    if options.min_agreement is not None and not measured:
        check_min_agreement(None, options.min_agreement, options.init)  # before Keras starts
    if dst is not None and dst.suffix.lower() not in OUTPUT_SUFFIXES:
        # Keras picks the format by suffix; refuse before any work, not after it.
        raise RewriteError(
            f"-o {dst}: the output must end in .keras, .h5 or .hdf5 (Keras picks the format "
            "by the suffix)"
        )
    if dst is not None and not options.dry_run:
        if dst.exists() and dst.resolve() == src.resolve():
            raise RewriteError("the output must not be the input (the input is never modified)")
        if dst.exists() and not options.force:
            raise RewriteError(f"{dst} exists (use --force to overwrite)")
        if not dst.parent.is_dir():
            raise RewriteError(f"output directory {dst.parent} does not exist")
    plan = make_plan(src, options.pooling, options.select, options.min_params, options.init)
    report = Report(str(src), str(dst) if dst else None, options.init, options.dry_run)
    _count_sites(report, plan)
    report.file_bytes_before = src.stat().st_size
    out_h5 = dst is not None and dst.suffix.lower() in (".h5", ".hdf5")
    if plan.fmt == "h5" and dst is not None and not out_h5:
        raise RewriteError(
            "a legacy .h5 model keeps its legacy config format: write an .h5 output "
            "(or re-save the model as .keras with Keras first)"
        )
    if options.dry_run or dst is None:
        if plan.sites and options.init in ("fold", "random") and not options.verify_data:
            report.notes.append(NOT_PRESERVED)
        report.seconds_rewrite = time.perf_counter() - start
        return report
    if not plan.sites and plan.skipped:
        # Every site was refused for a reason: no output, and the command fails (exit 2), so
        # `rewrite && deploy out.keras` never deploys a model that was meant to shrink.
        report.notes.append("nothing rewritten: every site was skipped; no output written")
        report.seconds_rewrite = time.perf_counter() - start
        return report
    if not plan.sites:
        # On exit 0 the output exists (`rewrite && deploy out.keras`): the input, unchanged.
        _copy_unchanged(src, dst, plan.fmt, out_h5, options.force)
        report.file_bytes_after = report.file_bytes_before
        report.notes.append(f"nothing to rewrite: {dst} is a byte-identical copy of the input")
        report.seconds_rewrite = time.perf_counter() - start
        return report
    entries = {e.key: e for e in walk(plan.config)}
    prepared = None
    if options.init == "distill":
        from kerasfix.model_rewrite.distill import prepare

        assert options.calibration_data is not None
        holdout = options.distill.holdout
        prepared = prepare(options.calibration_data, src, holdout, options.seed or 0)
    with open_source(src, plan.fmt, plan.config) as source:
        report.weight_bytes_before = _stored_bytes(source)
        report.optimizer_tensors_dropped = source.optimizer_tensors
        data = prepared.calibration if prepared else None
        fits = options.init in ("calibrate", "distill")
        step = f"fitting the new Dense to the data (--init {options.init})"
        with keras_step(step) if fits else contextlib.nullcontext():
            replace = _new_weights(plan, source, entries, options, report, progress, data)
        _count_sites(report, plan)  # a site whose weights cannot be folded was skipped
        if not plan.sites:
            report.notes.append("nothing rewritten: every site was skipped; no output written")
            report.seconds_rewrite = time.perf_counter() - start
            return report
        new_config = rewrite_config(plan.config, plan.sites)
        with atomic_output(dst, options.force) as out:
            total = report.weight_bytes_before or 1
            bar = progress("writing weights", total) if progress else None
            advance = bar if callable(bar) else None
            if out_h5:
                stats = _write_h5(out, plan, new_config, source, replace, advance)
            else:
                stats = _write_keras(out, plan, new_config, source, replace, advance, dst.parent)
            report.weight_bytes_after = stats.bytes_written
            report.weight_dtypes = sorted(stats.dtypes or ())
            report.file_bytes_after = out.size
            report.seconds_rewrite = time.perf_counter() - start
            if prepared is not None:
                from kerasfix.model_rewrite.distill import distill

                seed = options.seed or 0
                with keras_step("distillation (--data)"):
                    report.outputs, report.distill = distill(
                        out, dst.suffix, src, prepared, options.distill, seed
                    )
                report.file_bytes_after = out.size
            if options.verify:
                stored = {k for k, v in source.tensors.items() if v} | set(source.subtensors)
                stored -= _trained_keys(plan, entries, options)
                checked = _Checked(new_config, source, out_h5, options.trust)
                report.verification = _verify(out, dst, src, plan, entries, stored, report, checked)
                if report.verification.status == "failed":
                    reason = report.verification.reason
                    hint = ""
                    if "lambda" in reason.lower() or "safe_mode" in reason:
                        # Keras's safe mode refuses to load Lambda bytecode, and so do we.
                        hint = " (the model holds a Lambda layer that Keras will not load "
                        hint += "safely; --no-verify writes the output unverified)"
                    raise RewriteError(f"verification failed, output not written: {reason}{hint}")
            else:
                report.verification = Verification("skipped", "--no-verify")
            if options.verify_data or (options.init == "calibrate"):
                with keras_step("comparing the outputs on the data"):
                    report.outputs = _compare(out, dst, src, options)
            if options.init in ("fold", "random") and not options.verify_data:
                report.notes.append(NOT_PRESERVED)
            if shortfall := shortfall_note(report.outputs):
                report.notes.append(shortfall)
            if options.min_agreement is not None:
                check_min_agreement(report.outputs, options.min_agreement, options.init)
            elif options.init == "distill" and (checked := check_promise(report.outputs)):
                report.notes.append(checked)
            out.commit()
    return report


def _count_sites(report: Report, plan: Plan) -> None:
    """The report's sites, skips and totals for the sites the plan still holds."""
    report.sites = [SiteReport.of(s) for s in plan.sites]
    report.skipped = plan.skipped
    report.params_before = plan.params_before
    report.params_after = plan.params_before - sum(
        s.params_before - s.params_after for s in plan.sites
    )
    report.macs_before = sum(s.macs_before for s in plan.sites)
    report.macs_after = sum(s.macs_after for s in plan.sites)


def _copy_unchanged(src: Path, dst: Path, fmt: str, out_h5: bool, force: bool) -> None:
    """The output of a rewrite with nothing to change: the input's bytes, atomically."""
    if fmt == "keras" and out_h5:
        raise RewriteError(
            "nothing to rewrite, and a copy cannot turn a .keras model into .h5: "
            "give a .keras output"
        )
    with atomic_output(dst, force) as out, src.open("rb") as reader:
        with out.handle() as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
        out.commit()


def _trained_keys(plan: Plan, entries: dict[Key, LayerEntry], options: Options) -> set[Key]:
    """Layers distillation trained (their weights are no longer the input's): every layer
    with `--train all`, the layers from the first rewritten Flatten on with `--train head`."""
    if options.init != "distill":
        return set()
    keys = list(entries)
    if options.distill.train == "all":
        return set(keys)
    first = min(keys.index((*s.model, s.flatten)) for s in plan.sites)
    return set(keys[first:])


def _stored_bytes(source: WeightSource) -> int:
    """Bytes of every stored model variable (sub-objects included, optimizer state not)."""
    total = 0
    for path in datasets(source.handle):
        if path.split("/", 1)[0] not in ("optimizer", "optimizer_weights"):
            total += int(source.dataset(path).size) * source.dataset(path).dtype.itemsize
    return total


def _new_weights(
    plan: Plan,
    source: WeightSource,
    entries: dict[Key, LayerEntry],
    options: Options,
    report: Report,
    progress: ProgressFactory | None,
    data: Any = None,
) -> dict[Key, list[Any]]:
    """Replacement tensors for every resized Dense and BatchNormalization; `data` is the
    calibration split when the caller has made one (distill). A site whose weights cannot
    be rewritten is moved to `plan.skipped` with its reason (with the other heads of its
    Flatten, which is replaced for all of them); the file's other sites go on."""
    replace: dict[Key, list[Any]] = {}
    fit = None  # (the original model, the data) to calibrate on
    if options.init in ("calibrate", "distill"):
        from kerasfix.model_rewrite.calibrate import load_data, load_keras_model

        assert options.calibration_data is not None
        if data is None:
            data = load_data(options.calibration_data, options.seed or 0)
        fit = (load_keras_model(str(plan.path)), data)
    failed: dict[tuple[Key, str], str] = {}
    for site in plan.sites:
        try:
            replace.update(_site_weights(site, source, entries, options, report, progress, fit))
        except RewriteError as exc:
            failed.setdefault((site.model, site.flatten), f"{site.label}: {exc}")
    if failed:
        plan.skipped.extend(failed.values())
        dropped = [s for s in plan.sites if (s.model, s.flatten) in failed]
        plan.sites = [s for s in plan.sites if (s.model, s.flatten) not in failed]
        for site in dropped:
            replace.pop((*site.model, site.dense), None)
            if site.bn is not None:
                replace.pop(site.bn.key, None)
    return replace


def _site_weights(site: PlannedSwap, source: WeightSource, *context: Any) -> dict[Key, list[Any]]:
    """The new tensors of one site's Dense (and BatchNormalization); `context` is
    `_new_weights`'s (entries, options, report, progress, (model, data) or None)."""
    entries, options, report, progress, fit = context
    replace: dict[Key, list[Any]] = {}
    dense_key = (*site.model, site.dense)
    tensors = layer_tensors(source, dense_key)
    slots = dense_slots(site, tensors)
    kernel = merged_kernel(site, source, tensors, slots)
    bias = source.dataset(tensors[slots["bias"]][1]) if site.use_bias else None
    bn = site.bn
    bn_names: list[str] = []
    affine = None
    if bn is not None:
        # a TimeDistributed BatchNormalization: named as the layer it wraps
        bn_entry = dataclasses.replace(entries[bn.key], class_name=bn.class_name, config=bn.config)
        stored = layer_tensors(source, bn.key)
        bn_names = var_names(bn_entry, len(stored))
        values = {n: source.dataset(p)[()] for n, (_, p) in zip(bn_names, stored, strict=True)}
        affine = bn_affine(values, bn.config, site.features)
    if options.init == "random":
        new = random_dense(site, kernel.dtype, options.seed)
    else:
        bar = (
            progress(f"folding '{site.dense}'", kernel.size * kernel.dtype.itemsize)
            if progress
            else None
        )
        new = fold_dense(kernel, bias, site, affine, bar if callable(bar) else None)
        if fit is not None and site.model and options.init == "distill":
            report.notes.append(
                f"'{site.label}' is inside a nested model: distillation starts its Dense from "
                "the fold (the ridge calibration fits top-level sites only)"
            )
        elif fit is not None:
            from kerasfix.model_rewrite.calibrate import fit_site

            *weights, stats = fit_site(fit[0], site, fit[1], new, options.ridge)
            new = (weights[0], weights[1])
            report.fit[site.label] = stats
    replace[dense_key] = dense_replacement(site, slots, new, options.seed)
    if bn is not None:
        dtype = source.dataset(layer_tensors(source, bn.key)[0][1]).dtype
        fresh = options.init == "random"
        replace[bn.key] = (
            fresh_bn(bn_names, site.channels, dtype)
            if fresh
            else identity_bn(bn_names, bn.config, site.channels, dtype)
        )
    return replace


def _write_h5(
    out: AtomicFile,
    plan: Plan,
    config: dict[str, Any],
    source: WeightSource,
    replace: Any,
    bar: Any,
) -> Any:
    import h5py

    renamed = {s.flatten: s.new_name for s in plan.sites if not s.model}
    with out.handle() as handle, h5py.File(handle, "w") as dst:
        stats = write_h5_weights(dst, config, source, replace, renamed, plan.facts, bar)
    return stats


def _write_keras(
    out: AtomicFile,
    plan: Plan,
    config: dict[str, Any],
    source: WeightSource,
    replace: Any,
    bar: Any,
    directory: Path,
) -> Any:
    import h5py

    with scratch(directory) as weights:
        with h5py.File(weights, "w") as dst:
            stats = write_keras_weights(dst, plan.config, config, source, replace, bar)
        size = weights.seek(0, os.SEEK_END)
        weights.seek(0)
        members = {"metadata.json": json.dumps(_metadata(plan)), "config.json": json.dumps(config)}
        with out.handle() as handle:
            write_archive(handle, members, weights, size)
    return stats


def _metadata(plan: Plan) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if plan.fmt == "keras":
        from kerasfix.kerasfile.keras_archive import read_archive

        metadata = dict(read_archive(plan.path)[1])
    metadata.setdefault("keras_version", plan.facts.get("keras_version", "3.0.0"))
    metadata["date_saved"] = datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")
    metadata["rewritten_by"] = "kerasfix"
    return metadata


def _verify(
    out: AtomicFile,
    dst: Path,
    src: Path,
    plan: Plan,
    entries: dict[Key, LayerEntry],
    stored: set[Key],
    report: Report,
    checked: _Checked,
) -> Verification:
    changed = {(*s.model, s.dense) for s in plan.sites} | {
        b.key for s in plan.sites for b in s.between if b.class_name == "BatchNormalization"
    }
    untouched = [list(k) for k, e in entries.items() if k in stored and k not in changed]
    outputs = _expected_outputs(plan)
    fd = out.fd if out.named is None else None
    result = verify(out.reader_path(), fd, dst.suffix, src, untouched, report.params_after,
                    outputs, checked.trust.encode())  # fmt: skip
    missing = unverifiable(result.reason) if result.status == "failed" else None
    if missing is None:
        return result
    # Keras needs the user's code to load it, which they did not allow: say so, write the
    # output, and check what needs no Keras (every untouched tensor, bit for bit).
    from kerasfix.model_rewrite.stored_check import compare_stored

    keys = [tuple(k) for k in untouched]
    layers, tensors, problems = compare_stored(
        out.reader_path(), checked.out_h5, checked.config, checked.source, keys
    )
    if problems:
        return Verification("failed", "; ".join(problems[:5]), result.seconds)
    report.notes.append(
        f"NOT verified in Keras: {missing}; checked without Keras: {tensors} tensors of "
        f"{layers} untouched layers bit-identical with the input"
    )
    return Verification("skipped", missing, result.seconds, None, layers, tensors)


@dataclass
class _Checked:
    """What verification needs beyond the plan: the new config, the input's tensors, the
    output's format and what the user allowed Keras to run."""

    config: dict[str, Any]
    source: WeightSource
    out_h5: bool
    trust: Trust


def _expected_outputs(plan: Plan) -> list[list[int | None]]:
    from kerasfix.frontends.saved_model import graph_from_config
    from kerasfix.graph.inference import infer

    graph = infer(graph_from_config(plan.config))
    return [list(n.output_shape or []) for n in graph.outputs]


def _compare(out: AtomicFile, dst: Path, src: Path, options: Options) -> dict[str, float]:
    """Outputs before/after on the held-out calibration split or the --verify-data inputs."""
    import tempfile

    from kerasfix.model_rewrite.calibrate import compare_outputs, load_data, load_keras_model

    path = options.verify_data or options.calibration_data
    assert path is not None
    data = load_data(path, options.seed or 0)
    rows = data.test if options.verify_data is None else slice(None)
    x = data.x[rows]
    y = data.y[rows] if data.y is not None else None
    original = load_keras_model(str(src))
    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / f"model{dst.suffix}"
        link.symlink_to(f"/proc/{os.getpid()}/fd/{out.fd}" if out.named is None else out.named)
        rewritten = load_keras_model(str(link))
    return compare_outputs(original, rewritten, x, y)
