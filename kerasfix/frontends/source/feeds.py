"""What a file feeds its models: `compile(loss=...)`, then `fit`/`predict`/`evaluate`/`model(x)`.

Two uses. A Sequential with no declared input is built by Keras from its first batch, so the
first such call with data of a known shape sizes it (and the message says which call did).
And a call whose data the model cannot take crashes there (KF003): each call with data of a
known shape is kept on the model's input node (`origin["feeds"]`, plain data), for the check.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from kerasfix.frontends.source.data_values import DataValue, LossValue, OneHotLabels
from kerasfix.frontends.source.values import ArrayValue, ModelValue, Ref, SequentialValue, Unknown

if TYPE_CHECKING:
    from kerasfix.graph.model import Graph, Node, SourceSpan

# Model methods that take a batch of data (Keras 1/2 generator spellings included).
DATA_METHODS = frozenset(
    {
        "fit",
        "predict",
        "evaluate",
        "train_on_batch",
        "test_on_batch",
        "predict_on_batch",
        "fit_generator",
        "predict_generator",
        "evaluate_generator",
        "__call__",
    }
)
_TARGET_METHODS = frozenset({"fit", "evaluate", "train_on_batch", "test_on_batch"})
_GENERATOR_METHODS = frozenset({"fit_generator", "predict_generator", "evaluate_generator"})
_LOSS_NAMES = {
    "categorical_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "binary_crossentropy": "binary_crossentropy",
    "mse": "mean_squared_error",
    "mean_squared_error": "mean_squared_error",
}


def batch_shape(data: Any) -> tuple[int | None, ...] | None:
    """The shape of a batch of `data` as Keras sees it (count first, None when unknown)."""
    if isinstance(data, ArrayValue) and len(data.shape) > 1:
        return data.shape
    if isinstance(data, DataValue) and data.sample and not data.slices:
        return (None, *data.sample)
    return None  # (a dataset not yet batched gives Keras single samples as batches)


def one_hot(labels: Any) -> Any:
    """`to_categorical(labels)` without `num_classes`: (n, width) for one label per sample
    (every Keras; labels of other ranks were flattened or squeezed differently by each)."""
    rank_one = isinstance(labels, ArrayValue) and len(labels.shape) == 1
    loaded = isinstance(labels, DataValue) and labels.sample == () and not labels.batched
    if rank_one or loaded:
        return OneHotLabels()  # how many samples is not kept: any part of it is unknown
    return Unknown("one-hot labels")


def _target_shape(targets: Any) -> tuple[int | None, ...] | None:
    """Targets may be one number per sample (`(60000,)`), unlike inputs; one-hot rows may
    have a width the data decides (None)."""
    if isinstance(targets, OneHotLabels):
        return (None, None)
    if isinstance(targets, ArrayValue) and targets.shape:
        return targets.shape
    if isinstance(targets, DataValue) and not targets.batched:
        return (None, *targets.sample)
    return batch_shape(targets)


def is_data(value: Any) -> bool:
    return batch_shape(value) is not None


def loss_name(value: Any) -> str | None:
    """The loss a `compile(loss=...)` names, when it is one of those KF003 reads."""
    if isinstance(value, LossValue):
        return value.name
    if isinstance(value, Ref):
        value = value.qualname.rsplit(".", 1)[-1]
    return _LOSS_NAMES.get(value) if isinstance(value, str) else None


class DataFeeds:
    """Mixed into the interpreter: the model calls that take data, kept per model."""

    if TYPE_CHECKING:
        conditional: list[int]

        def span(self, expr: ast.AST) -> SourceSpan: ...

    def init_feeds(self) -> None:
        self.feeds: list[tuple[Any, dict[str, Any]]] = []
        self.losses: dict[int, list[tuple[str | None, bool]]] = {}
        self.sized_by: dict[int, str] = {}

    def note_model_call(
        self, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
    ) -> None:
        """Keep `compile`'s loss, the call that sizes a Sequential, and each data call."""
        if not isinstance(receiver, SequentialValue | ModelValue):
            return
        if name == "compile":
            loss = args[1] if len(args) > 1 else kwargs.get("loss")
            entry = (loss_name(loss), not self.conditional)
            self.losses.setdefault(id(receiver), []).append(entry)
            return
        if name == "build" and isinstance(receiver, SequentialValue):
            self.sized_by.setdefault(id(receiver), f"{_call_text(expr)} (line {expr.lineno})")
            return
        if name not in DATA_METHODS:
            return
        data = args[0] if args else kwargs.get("x", kwargs.get("generator"))
        shape = batch_shape(data)
        if shape is None:
            if _target_shape(data) is not None:  # one number per sample: KF003 reads it
                self.feeds.append((receiver, self._feed(receiver, name, data, args, kwargs, expr)))
            return
        if isinstance(receiver, SequentialValue) and receiver.data_shape is None:
            receiver.data_shape = shape  # type: ignore[assignment]  # Keras builds it from this
            self.sized_by.setdefault(id(receiver), sizing_call(expr, data))
        self.feeds.append((receiver, self._feed(receiver, name, data, args, kwargs, expr)))

    def _feed(
        self,
        receiver: Any,
        name: str,
        data: Any,
        args: list[Any],
        kwargs: dict[str, Any],
        expr: ast.Call,
    ) -> dict[str, Any]:
        batched = isinstance(data, DataValue) and data.batched
        targets: Any = None
        if name in _TARGET_METHODS and not batched:
            targets = args[1] if len(args) > 1 else kwargs.get("y")
        y_shape = _target_shape(targets)
        if batched and name in _TARGET_METHODS | {"fit_generator", "evaluate_generator"}:
            assert isinstance(data, DataValue)
            y_shape = (None, *data.labels) if data.labels is not None else None
        losses = self.losses.get(id(receiver), [])
        names = {loss for loss, _ in losses}
        sure = len(names) == 1 and all(certain for _, certain in losses)
        return {
            "method": "model(...)" if name == "__call__" else f".{name}()",
            "call": _call_text(expr),
            "line": expr.lineno,
            "span": self.span(expr),
            "x": batch_shape(data) or _target_shape(data),
            "y": y_shape,
            "batch": _first_batch(name, y_shape, args, kwargs),
            "source": data.source if isinstance(data, DataValue) else None,
            "loss": next(iter(names)) if sure else None,
        }

    def attach_feeds(self) -> None:
        """After the models are materialised: each feed onto its model's input node."""
        for model, feed in self.feeds:
            graph: Graph | None = (
                model.graph if isinstance(model, SequentialValue) else model.layer.inner
            )
            if graph is None or len(graph.inputs) != 1 or len(graph.outputs) != 1:
                continue
            feed["model_line"] = model.layer.span.line if model.layer.span else None
            feed["graph"] = graph
            graph.inputs[0].layer.origin.setdefault("feeds", []).append(feed)

    def mark_sized(self, seq: SequentialValue, node: Node) -> None:
        """Name the call that fixed a Sequential's input size (fit, predict, model(x), build)."""
        text = self.sized_by.get(id(seq))
        if text is not None:
            node.layer.origin["sized_by"] = text


def _first_batch(
    name: str, y: tuple[int | None, ...] | None, args: list[Any], kwargs: dict[str, Any]
) -> int | None:
    """How many samples the first batch of a `fit`/`evaluate` holds, when the call decides
    it: `batch_size` (positional third or keyword; 32 by default in every Keras), or all the
    samples when they are fewer. None where a split or a step count could change it."""
    n = y[0] if y else None
    if name == "train_on_batch" or name == "test_on_batch":
        return n
    if name not in ("fit", "evaluate") or not isinstance(n, int) or n < 1:
        return None
    if any(kwargs.get(key) not in (None, 0, 0.0) for key in _BATCHING_KEYWORDS):
        return None
    size = args[2] if len(args) > 2 else kwargs.get("batch_size", 32)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        return None
    return min(size, n)


# `fit`/`evaluate` arguments that change which samples the first batch holds, or how many.
_BATCHING_KEYWORDS = ("validation_split", "steps_per_epoch", "steps")


def sizing_call(expr: ast.Call, data: Any) -> str:
    """How a message names the call that sized a model's input: `model.fit(x_train, ...)
    (line 8) on image_dataset_from_directory(image_size=(64, 64)) (line 2)`."""
    loaded = f" on {data.source}" if isinstance(data, DataValue) else ""
    return f"{_call_text(expr)} (line {expr.lineno}){loaded}"


def _call_text(expr: ast.Call) -> str:
    """`model.fit(x_train, ...)`: the call with its first argument, short."""
    func = ast.unparse(expr.func)
    if expr.args:
        first = ast.unparse(expr.args[0])
    else:  # `fit(x=training_set, ...)`: the data keyword, or the first keyword
        data = [k for k in expr.keywords if k.arg in ("x", "generator")]
        keyword = next(iter(data or expr.keywords), None)
        first = ast.unparse(keyword) if keyword is not None else ""
    more = ", ..." if len(expr.args) + len(expr.keywords) > 1 else ""
    first = first if len(first) <= 30 else first[:27] + "..."
    return f"{func}({first}{more})"
