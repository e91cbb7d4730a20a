"""`kerasfix rewrite MODEL -o OUT`: swap KF001 Flatten layers for global pooling in a saved model.

Exit codes: 0 written (or dry run / nothing to do), 2 bad input, refused model or failed
verification (no output file is left behind in any failure).
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from kerasfix.commands.distill_options import distill_options


@click.command(short_help="Swap KF001 Flatten layers for global pooling in a saved model.")
@click.argument("model", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file, required unless --dry-run; its suffix picks the format: "
              ".keras, or .h5/.hdf5 for a legacy .h5 input.")  # fmt: skip
@click.option("--pooling", type=click.Choice(["avg", "max"]), default="avg", show_default=True,
              help="GlobalAveragePooling or GlobalMaxPooling.")  # fmt: skip
@click.option("--init", "init", type=click.Choice(["fold", "calibrate", "distill", "random"]),
              default=None, help="New Dense weights: fold (sum over positions; default without "
              "--data), calibrate (ridge fit on --data), distill (calibrate, then train to match "
              "the original's outputs on --data; default with --data) or random.")  # fmt: skip
@click.option("--data", "--calibration-data", "data",
              type=click.Path(path_type=Path, exists=True), default=None,
              help="Inputs the model sees: .npy, .npz with x (and optional y labels), a "
              "directory of images (class sub-directories give labels), a tf.data.Dataset.save "
              "directory or a .tfrecord file of tf.train.Example.")  # fmt: skip
@click.option("--min-agreement", type=click.FloatRange(0, 1), default=None,
              help="Refuse to write unless held-out top-1 agreement reaches this.")  # fmt: skip
@distill_options
@click.option("--verify-data", type=click.Path(path_type=Path, exists=True), default=None,
              help="Compare outputs before/after on these inputs (needs Keras).")  # fmt: skip
@click.option("--select", default=None,
              help="Comma-separated Flatten or Dense names to rewrite (default: all).")  # fmt: skip
@click.option("--min-params", type=int, default=0, show_default=True,
              help="Rewrite only Dense layers with at least this many parameters.")  # fmt: skip
@click.option("--ridge", type=float, default=1e-3, show_default=True,
              help="Relative ridge strength for --init calibrate.")  # fmt: skip
@click.option("--seed", type=int, default=None, help="Seed for --init random and data splits.")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Load the output with Keras before putting it in place.")  # fmt: skip
@click.option("--custom-objects", "custom_objects", multiple=True, metavar="MODULE_OR_FILE",
              help="Import this module or .py file (your custom layer classes) so Keras can "
                   "load the model: runs that code. Repeatable.")  # fmt: skip
@click.option("--unsafe-lambda", is_flag=True,
              help="Let Keras load Lambda layers (runs their Python code).")  # fmt: skip
@click.option("--report-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.option("--html-report", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write a self-contained HTML page: chart, table, fidelity.")  # fmt: skip
def rewrite(
    model: Path,
    output: Path | None,
    pooling: str,
    init: str | None,
    data: Path | None,
    min_agreement: float | None,
    epochs: int,
    max_time: float | None,
    train: str,
    batch_size: int,
    holdout: float,
    devices: str,
    mixed_precision: bool,
    verify_data: Path | None,
    select: str | None,
    min_params: int,
    ridge: float,
    seed: int | None,
    dry_run: bool,
    force: bool,
    verify: bool,
    custom_objects: tuple[str, ...],
    unsafe_lambda: bool,
    report_format: str,
    html_report: Path | None,
) -> int:
    """Replace every KF001 Flatten in MODEL (.keras or .h5) by global pooling, resize the
    Dense after it, carry every other weight over unchanged and report the savings."""
    from kerasfix.frontends.base import InputError
    from kerasfix.model_rewrite.core import Options, rewrite_file
    from kerasfix.model_rewrite.distill import DistillOptions
    from kerasfix.model_rewrite.errors import describe_unexpected
    from kerasfix.model_rewrite.user_code import Trust

    if not model.is_file():
        what = "is a directory; rewrite takes a .keras or .h5 model file"
        click.echo(f"error: {model}: {what if model.is_dir() else 'no such file'}", err=True)
        return 2
    if output is None and not dry_run:
        click.echo("error: give -o/--output (or --dry-run)", err=True)
        return 2
    if html_report is not None and _html_clashes(html_report, model, output):
        click.echo(f"error: {html_report}: --html-report would overwrite a model file", err=True)
        return 2
    needs_keras = _why_keras(init, data is not None, verify_data is not None)
    init = init or ("distill" if data is not None else "fold")
    if needs_keras and not dry_run:
        from kerasfix.commands.extras import install_hint, missing

        absent = missing("keras", "tensorflow")
        if absent:
            verb = "is" if len(absent) == 1 else "are"
            click.echo(
                f"error: {model.as_posix()}: {needs_keras}; {' and '.join(absent)} {verb} not "
                f"installed: {install_hint('keras')}",
                err=True,
            )
            return 2
    options = Options(
        pooling=pooling,
        init=init,
        select={s.strip() for s in select.split(",") if s.strip()} if select else None,
        min_params=min_params,
        dry_run=dry_run,
        force=force,
        verify=verify,
        calibration_data=data,
        verify_data=verify_data,
        ridge=ridge,
        seed=seed,
        distill=DistillOptions(
            epochs,
            max_time,
            train,
            batch_size,
            holdout,
            devices=devices,
            mixed_precision=mixed_precision,
        ),
        min_agreement=min_agreement,
        trust=Trust(tuple(custom_objects), unsafe_lambda),
    )
    from kerasfix.model_rewrite.quiet import quiet_tensorflow

    # Keras runs in this process only for these; verification runs in a quiet child.
    in_process_keras = options.init in ("calibrate", "distill") or verify_data is not None
    quiet = quiet_tensorflow() if in_process_keras and not dry_run else contextlib.nullcontext()
    with _Bars() as bars, quiet:
        try:
            report = rewrite_file(model, output, options, progress=bars.bar)
        except InputError as exc:
            bars.close()
            click.echo(f"error: {model.as_posix()}: {' '.join(str(exc).split())}", err=True)
            return 2
        except (OSError, MemoryError, RecursionError, ValueError, KeyError, TypeError) as exc:
            bars.close()
            click.echo(f"error: {model.as_posix()}: {describe_unexpected(exc)}", err=True)
            return 2
    if html_report is not None:
        from kerasfix.commands.inspect import build_summary
        from kerasfix.html_report import write_rewrite_page

        try:
            write_rewrite_page(html_report, model, build_summary(model), report)
        except (OSError, InputError) as exc:
            click.echo(f"error: {html_report}: cannot write the report ({exc})", err=True)
            return 2
    if report_format == "json":
        json.dump(report.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        click.echo(report.text())
    if report.skipped and not report.sites and not dry_run:
        reasons = "; ".join(report.skipped)
        click.echo(f"error: {model.as_posix()}: no site could be rewritten ({reasons})", err=True)
        return 2
    return 0


def _why_keras(init: str | None, data: bool, verify_data: bool) -> str | None:
    """What the user asked for that runs Keras (None: the rewrite itself needs no Keras)."""
    if data and init is None:
        return "--data distils the new Dense with Keras and TensorFlow (--init distill)"
    if data and init in ("distill", "calibrate"):
        return f"--init {init} trains the new Dense on --data with Keras and TensorFlow"
    if verify_data:
        return "--verify-data runs both models with Keras and TensorFlow"
    return None


def _html_clashes(page: Path, *models: Path | None) -> bool:
    from kerasfix.html_report import clashes

    return clashes(page, *models)


class _Bars:
    """click progress bars on stderr, one per long step, only for big enough steps."""

    MIN_BYTES = 64 << 20

    def __init__(self) -> None:
        self.stack = contextlib.ExitStack()

    def __enter__(self) -> _Bars:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.stack.close()

    def bar(self, label: str, total: int) -> Any:
        if total < self.MIN_BYTES:
            return None
        bar = self.stack.enter_context(
            click.progressbar(length=total, label=label, file=sys.stderr, width=30)
        )
        return bar.update
