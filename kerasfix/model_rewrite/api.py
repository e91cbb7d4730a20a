"""`kerasfix.rewrite(model_or_path, ...)`: the rewrite from Python.

It returns `RewriteResult(output, report)`, and `output` has the kind of the input: a path
in gives the written output `Path` back (default `NAME.gap.keras` beside the input), a live
Keras model gives a new `keras.Model` back (saved to a temporary `.keras` file, rewritten
there, loaded by Keras; the live model itself is never modified, and `output=` also keeps
the file). `output` is None only for `dry_run=True`. As on the command line, a model with
nothing to rewrite still gives an output: an unchanged copy.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from kerasfix.model_rewrite.core import Options, rewrite_file
from kerasfix.model_rewrite.distill import DistillOptions
from kerasfix.model_rewrite.report import Report
from kerasfix.model_rewrite.user_code import Trust


class RewriteResult(NamedTuple):
    """`output, report = kerasfix.rewrite(...)`; see the module docstring for `output`."""

    output: Any  # Path for a path, keras.Model for a model, None for a dry run
    report: Report


def rewrite(
    model_or_path: Any,
    output: str | os.PathLike[str] | None = None,
    *,
    pooling: str = "avg",
    init: str | None = None,
    select: set[str] | list[str] | None = None,
    min_params: int = 0,
    data: Any = None,
    calibration_data: str | os.PathLike[str] | None = None,
    min_agreement: float | None = None,
    distill: DistillOptions | None = None,
    verify_data: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    force: bool = False,
    verify: bool = True,
    seed: int | None = None,
    custom_objects: Sequence[str] = (),
    unsafe_lambda: bool = False,
) -> RewriteResult:
    """Rewrite every KF001 Flatten to global pooling; see `kerasfix rewrite --help`.

    `data` (a path, or an array of inputs) makes `init` default to "distill"; the report's
    `outputs` then hold the held-out fidelity. `custom_objects` (modules or .py files) and
    `unsafe_lambda` let Keras load custom classes and Lambda layers: they run that code."""
    scratch = tempfile.TemporaryDirectory()  # holds array `data`; removed when this returns
    data = _data_path(data if data is not None else calibration_data, Path(scratch.name))
    options = Options(
        pooling=pooling,
        init=init or ("distill" if data else "fold"),
        select=set(select) if select else None,
        min_params=min_params,
        dry_run=dry_run,
        force=force,
        verify=verify,
        calibration_data=data,
        verify_data=Path(verify_data) if verify_data else None,
        seed=seed,
        distill=distill or DistillOptions(),
        min_agreement=min_agreement,
        trust=Trust(tuple(str(m) for m in custom_objects), unsafe_lambda),
    )
    if isinstance(model_or_path, (str, os.PathLike)):
        src = Path(model_or_path)
        dst = Path(output) if output is not None else None
        if dst is None and not dry_run:
            dst = src.with_name(f"{src.stem}.gap{src.suffix}")
        report = rewrite_file(src, dst, options)
        return RewriteResult(dst if not dry_run else None, report)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "model.keras"
        model_or_path.save(src)
        dst = Path(output) if output is not None else Path(tmp) / "rewritten.keras"
        report = rewrite_file(src, dst, options)
        if dry_run:
            return RewriteResult(None, report)
        import keras

        from kerasfix.model_rewrite.keras_runtime import runnable

        # Ready to run on any CPU, channels_first included (keras_runtime).
        return RewriteResult(runnable(keras.saving.load_model(dst)), report)


def _data_path(data: Any, scratch: Path) -> Path | None:
    """A path as given; an array of inputs saved as .npy in `scratch`."""
    if data is None or isinstance(data, (str, os.PathLike)):
        return Path(data) if data is not None else None
    import numpy as np

    np.save(scratch / "data.npy", np.asarray(data))
    return scratch / "data.npy"
