"""`kerasfix.rewrite(model_or_path, ...)`: the rewrite from Python.

A path is rewritten file to file and `(output_path, report)` comes back. A live Keras model
is saved to a temporary `.keras` file, rewritten there, and `(new_model, report)` comes
back loaded by Keras (the live model itself is never modified).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from kerasfix.fixers.model_rewrite.core import Options, rewrite_file
from kerasfix.fixers.model_rewrite.distill import DistillOptions
from kerasfix.fixers.model_rewrite.report import Report


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
) -> tuple[Any, Report]:
    """Rewrite every KF001 Flatten to global pooling; see `kerasfix rewrite --help`.

    `data` (a path, or an array of inputs) makes `init` default to "distill"; the report's
    `outputs` then hold the held-out fidelity."""
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
    )
    if isinstance(model_or_path, (str, os.PathLike)):
        src = Path(model_or_path)
        dst = Path(output) if output is not None else None
        if dst is None and not dry_run:
            dst = src.with_name(f"{src.stem}.gap{src.suffix}")
        report = rewrite_file(src, dst, options)
        return (dst if not dry_run else None), report
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "model.keras"
        model_or_path.save(src)
        dst = Path(output) if output is not None else Path(tmp) / "rewritten.keras"
        report = rewrite_file(src, dst, options)
        if dry_run or not dst.exists():
            return None, report
        import keras

        return keras.saving.load_model(dst), report


def _data_path(data: Any, scratch: Path) -> Path | None:
    """A path as given; an array of inputs saved as .npy in `scratch`."""
    if data is None or isinstance(data, (str, os.PathLike)):
        return Path(data) if data is not None else None
    import numpy as np

    np.save(scratch / "data.npy", np.asarray(data))
    return scratch / "data.npy"
