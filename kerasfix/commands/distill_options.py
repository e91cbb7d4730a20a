"""The `rewrite --init distill` training options, kept apart from the rewrite command's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


class _Devices(click.ParamType):
    """`auto` or a positive count of devices."""

    name = "N|auto"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value).strip().lower()
        if text == "auto" or (text.isdigit() and int(text) >= 1):
            return text if text == "auto" else str(int(text))
        self.fail(f"{value!r} is not a device count (1, 2, ...) or auto", param, ctx)


DEVICES = _Devices()


def distill_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --epochs, --max-time, --train, --batch-size, --holdout, --devices and
    --mixed-precision to `command`."""
    options = [
        click.option("--epochs", type=click.IntRange(0), default=60, show_default=True,
                     help="Distillation epochs at most (early stopping may end sooner)."),
        click.option("--max-time", type=click.FloatRange(0, min_open=True), default=None,
                     help="Stop distilling after the epoch that passes this many seconds."),
        click.option("--train", type=click.Choice(["all", "head"]), default="all",
                     show_default=True,
                     help="Distil every layer (the trunk adapts) or only the new head."),
        click.option("--batch-size", type=click.IntRange(1), default=64, show_default=True,
                     help="Batch size for distillation and for running the models."),
        click.option("--holdout", type=click.FloatRange(0, 1, min_open=True, max_open=True),
                     default=0.1, show_default=True,
                     help="Fraction of --data held out to measure agreement."),
        click.option("--devices", type=DEVICES, default="auto", show_default=True,
                     help="Distil on N devices with tf.distribute.MirroredStrategy (the "
                     "first N GPUs, else logical CPU devices); auto: every GPU when there "
                     "are several, else one device."),
        click.option("--mixed-precision", is_flag=True,
                     help="Distil in mixed_float16 on GPUs (ignored, with a note, on CPUs)."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command
