"""Every example in rules/ is a test (Fixit's examples-as-tests).

Invalid examples must produce exactly the findings in their `toml expect` block, valid ones
none; a `python fixed` block must lint clean. The `keras`-marked test checks the documented
numbers against real Keras, independently of kerasfix's own arithmetic.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kerasfix.catalogue import Example, expected_value, load
from kerasfix.engine import lint_program
from kerasfix.frontends import read
from kerasfix.settings import Settings

EXAMPLES = [example for rule in load().values() for example in rule.examples]
FIELDS = ("line", "column", "rule", "severity", "shape", "dense_units", "params_flatten",
          "params_pooling")  # fmt: skip


def lint_code(code: str, tmp_path: Path) -> list[dict]:
    path = tmp_path / "example.py"
    path.write_text(code)
    return [finding.to_dict() for finding in lint_program(read(path, "source"), Settings())]


def _param(example: Example):
    marks = []
    if example.xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=f"not supported yet: {example.xfail}"))
    return pytest.param(example, id=example.id, marks=marks)


# KF003 findings carry the shapes Keras refuses, not counts.
SHAPE_FAULT_FIELDS = ("line", "column", "rule", "severity", "kind", "got_shape")


def _fields(rule: str) -> tuple[str, ...]:
    return SHAPE_FAULT_FIELDS if rule == "KF003" else FIELDS


@pytest.mark.parametrize("example", [_param(e) for e in EXAMPLES])
def test_example(example: Example, tmp_path: Path) -> None:
    found = lint_code(example.code, tmp_path)
    got = [{key: finding.get(key) for key in _fields(finding["rule"])} for finding in found]
    want = [
        {key: expected_value(expect.get(key, "unknown")) for key in _fields(expect["rule"])}
        for expect in example.expect
    ]
    where = f"rules/{example.rule}.md:{example.line}"
    assert got == want, f"{where}: findings differ"


@pytest.mark.parametrize(
    "example", [pytest.param(e, id=e.id) for e in EXAMPLES if e.fixed is not None]
)
def test_fixed_version_lints_clean(example: Example, tmp_path: Path) -> None:
    assert example.fixed is not None
    assert lint_code(example.fixed, tmp_path) == []


def test_catalogue_covers_the_documented_cases() -> None:
    invalid = [e for e in EXAMPLES if e.kind == "invalid"]
    ranks = {len(x["shape"]) - 1 for e in invalid for x in e.expect if "shape" in x}
    assert ranks >= {1, 2, 3}
    assert {x["rule"] for e in invalid for x in e.expect} == {"KF001", "KF002", "KF003"}
    assert {x["severity"] for e in invalid for x in e.expect} == {"info", "warning", "error"}
    assert sum(e.kind == "valid" for e in EXAMPLES) >= 4


KERAS_CASES = [
    pytest.param(e, i, id=f"{e.id}-{i}")
    for e in EXAMPLES
    if e.kind == "invalid"
    for i in range(len(e.expect))
    if e.expect[i]["rule"] != "KF003"
]


@pytest.mark.keras
@pytest.mark.parametrize(("example", "index"), KERAS_CASES)
def test_documented_numbers_match_keras(example: Example, index: int) -> None:
    """Run the example with Keras and compare the documented counts with `count_params()`."""
    keras = pytest.importorskip("keras")
    expect = example.expect[index]
    shape = expected_value(expect["shape"])
    units = expect["dense_units"]

    # Global pooling: real Keras on the documented shape (unknown spatial dims stay None).
    rank = len(shape) - 1
    pooling = getattr(keras.layers, f"GlobalAveragePooling{rank}D")()
    head = keras.layers.Dense(units)
    keras.Sequential([keras.Input(shape=tuple(shape)), pooling, head])
    assert head.count_params() == expect["params_pooling"]

    params_flatten = expected_value(expect["params_flatten"])
    if params_flatten is None:
        assert None in shape  # KF002: the file does not determine the spatial size
        return
    namespace: dict = {}
    exec(compile(example.code, f"{example.id}.py", "exec"), namespace)  # the example itself
    for value in namespace.values():
        if isinstance(value, keras.Model):
            _materialise(value, keras)
    denses = [
        layer
        for value in namespace.values()
        if isinstance(value, keras.Model)
        for layer in _layers(value)
        if isinstance(layer, keras.layers.Dense) and layer.units == units
    ]
    matching = [d for d in denses if d.kernel.shape[0] == math.prod(shape)]
    assert matching, f"no Dense({units}) with {math.prod(shape)} inputs in the built model"
    assert matching[0].count_params() == params_flatten


def _layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _layers(layer)


def _materialise(model, keras) -> None:
    """Keras 3 `Model.build()` on a subclassed model records the input shape but may leave
    the layers in `call` unbuilt until the first call: make that call, on zeros."""
    shapes = getattr(model, "_build_shapes_dict", None) or {}
    shape = shapes.get("input_shape")
    if shape is not None and any(not layer.built for layer in _layers(model)):
        model(keras.ops.zeros((1, *shape[1:])))


SHAPE_FAULTS = [e for e in EXAMPLES if e.rule == "KF003"]


@pytest.mark.keras
@pytest.mark.parametrize("example", [pytest.param(e, id=e.id) for e in SHAPE_FAULTS])
def test_shape_fault_examples_in_keras(example: Example) -> None:
    """KF003's page: each invalid example raises, in Keras, the error its finding names;
    each valid one builds and fits (a few steps on tiny arrays)."""
    pytest.importorskip("keras")
    code = compile(example.code, f"{example.id}.py", "exec")
    if example.kind == "valid":
        exec(code, {})  # the example itself
        return
    (expect,) = example.expect
    error = {"ValueError": ValueError}[expect["keras-error"]]
    with pytest.raises(error) as raised:
        exec(code, {})  # the example itself
    assert expect["keras-says"] in str(raised.value)


def test_shape_fault_messages_name_the_keras_error(tmp_path: Path) -> None:
    """The message of each KF003 example names the error Keras raises for it."""
    for example in (e for e in SHAPE_FAULTS if e.kind == "invalid"):
        (finding,) = lint_code(example.code, tmp_path)
        assert f"Keras: {example.expect[0]['keras-error']}" in finding["message"], example.id
