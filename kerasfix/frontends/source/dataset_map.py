"""`tf.data` pipelines that decode and resize one example at a time:
`Dataset.list_files("train/*/*.jpg").map(process_path).batch(32)`, where `process_path` does
`tf.io.decode_jpeg(raw, channels=3)` and `tf.image.resize(img, [180, 180])`. The function is
run once on one example, as the evaluator runs any function; its result's shape is each
element's from then on."""

from __future__ import annotations

import ast
from typing import Any

from kerasfix.frontends.source.data_values import DataValue
from kerasfix.frontends.source.values import ArrayValue, FunctionValue, Unknown


def mapped(interp: Any, dataset: DataValue, args: list[Any], expr: ast.Call) -> Any:
    """`ds.map(fn)`: examples (or batches, after `.batch()` or from a directory reader:
    `lambda x, y: (x / 255.0, y)`) shaped as `fn` returns them."""
    function = args[0] if args else None
    if not isinstance(function, FunctionValue):
        return Unknown("a dataset mapped by a function not known statically")
    example = interp.element_of(dataset)
    parts = list(example) if isinstance(example, tuple) else [example]
    result = interp.invoke(function, parts, {}, expr)
    pair = isinstance(result, tuple) and len(result) == 2
    inputs, targets = (result[0], result[1]) if pair else (result, None)
    if isinstance(inputs, DataValue) and not inputs.batched and not dataset.slices:
        inputs = ArrayValue(inputs.sample)  # a batch's samples
    if not isinstance(inputs, ArrayValue) or None in inputs.shape:
        return Unknown("a dataset mapped to examples whose shape is only known at run time")
    labels = _labels(targets)
    source = f"{dataset.source}, mapped by {function.qualname}() (line {expr.lineno})"
    return DataValue(inputs.shape, source, labels, batched=True, pairs=pair, slices=dataset.slices)


def _labels(targets: Any) -> tuple[int, ...] | None:
    if isinstance(targets, ArrayValue):
        return targets.shape
    if isinstance(targets, DataValue) and not targets.batched:
        return targets.sample
    return None
