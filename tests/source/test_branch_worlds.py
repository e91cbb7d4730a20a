"""Issue 25 section 1: branches on a condition the file does not decide are alternative
worlds (frontends/source/paths.py): each analysed on its own, findings naming the branch
they hold in, numbers checked against Keras for each branch."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.source.test_realworld_patterns import _flatten_dense_params, _lint_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures/source/branch_worlds.py"


def _conditions(findings: list) -> list[tuple[int, str | None]]:  # type: ignore[type-arg]
    return [(f.line, f.message.partition(" (when ")[2].rstrip(")") or None) for f in findings]


def test_each_branch_is_its_own_model() -> None:
    findings = lint_paths([FIXTURE], Settings()).findings
    assert all(f.rule == "KF001" for f in findings)
    assert _conditions(findings) == [
        (14, "name == 'cnn'"),
        (26, "kind == 'small'"),
        (30, "kind != 'small'"),
        (41, "size == 'wide'"),
        (52, None),  # the same numbers in both worlds: one finding, no condition
    ]


@pytest.mark.keras
def test_branch_counts_match_keras() -> None:
    keras = pytest.importorskip("keras")
    findings = lint_paths([FIXTURE], Settings()).findings
    reported = Counter(f.data.params_flatten for f in findings)
    namespace: dict = {"__name__": "fixture"}  # type: ignore[type-arg]
    exec(compile(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE), "exec"), namespace)
    built = {
        "cnn": namespace["get_model"]("cnn"),
        "small": namespace["build"]("small"),
        "large": namespace["build"]("large"),
        "wide": namespace["head"]("wide"),
        "both": namespace["same_in_both"](True),
        "both2": namespace["same_in_both"](False),
    }
    observed = _flatten_dense_params(built, keras)
    assert not (reported - observed), (reported, observed)


MERGED_WOULD_FAIL = """
from keras import layers, models

def get_model(name):
    model = models.Sequential()
    if name == "cnn":
        model.add(layers.Conv2D(8, 3, input_shape=(10, 10, 1)))
    else:
        model.add(layers.Dense(10, input_shape=(10,)))
    model.add(layers.Flatten())
    model.add(layers.Dense(4))
    return model
"""


def test_no_claim_about_a_model_only_a_merge_builds(tmp_path: Path) -> None:
    # Merged, Conv2D would follow Dense(10) and Keras could not build it: in each world it can.
    findings = _lint_text(tmp_path, MERGED_WOULD_FAIL)
    assert [(f.rule, f.data.shape, f.data.params_flatten) for f in findings] == [
        ("KF001", (8, 8, 8), 2_052)
    ]
    assert findings[0].message.endswith("(when name == 'cnn')")
    assert "cannot be built" not in findings[0].message


CALLED_IN_A_LOOP = """
from keras import layers, models

def block(x, p):
    if p is None:
        return layers.Conv2D(8, 3)(x)
    return layers.Conv2D(8, 1)(x)

def build(depth):
    inputs = layers.Input((16, 16, 3))
    x, p = inputs, None
    for _ in range(depth):
        x = block(x, p)
        p = x
    return models.Model(inputs, layers.Dense(4)(layers.Flatten()(x)))
"""


def test_a_condition_met_in_every_call_of_a_loop_is_not_forced(tmp_path: Path) -> None:
    # `if p is None` is true for the first call only: forcing one branch for every call
    # would be a model no run builds, so the branches stay merged and the size unknown.
    findings = _lint_text(tmp_path, CALLED_IN_A_LOOP)
    assert [f.rule for f in findings] == ["KF002"]
    assert "(when" not in findings[0].message


def test_too_many_worlds_keeps_the_merged_analysis_and_says_so(tmp_path: Path) -> None:
    builders = "".join(
        f"def b{i}(flag{i}):\n    m = models.Sequential([layers.Input((8, 8, 1))])\n"
        f"    if flag{i}:\n        m.add(layers.Conv2D(4, 3))\n"
        f"    else:\n        m.add(layers.Conv2D(4, 1))\n"
        f"    m.add(layers.Flatten())\n    m.add(layers.Dense(2))\n"
        for i in range(9)
    )
    path = tmp_path / "many.py"
    path.write_text("from keras import layers, models\n" + builders, encoding="utf-8")
    result = lint_paths([path], Settings())
    assert [note.split(": ", 1)[1] for note in result.notes] == [
        "branches on conditions the file does not decide are analysed together, not one "
        "alternative at a time: that would pass the bound of 8 runs of the file"
    ]
    # As without worlds: each builder's Flatten, its size unknown after the merged branches.
    assert [f.rule for f in result.findings] == ["KF002"] * 9


WITH_A_FLAG = """
from keras import layers, models

def get_model(name, dropout=False):
    model = models.Sequential([layers.Input((28, 28, 1))])
    if name == "cnn":
        model.add(layers.Conv2D(8, 3))
    else:
        model.add(layers.Conv2D(8, 5))
    if dropout:
        model.add(layers.Dropout(0.5))
    model.add(layers.Flatten())
    model.add(layers.Dense(4))
    return model
"""


def test_a_builder_explored_twice_for_its_flags_still_has_worlds(tmp_path: Path) -> None:
    # kerasfix runs an uncalled builder once more with `dropout=True`: that second call
    # meets `name == "cnn"` afresh, it is no loop, so the branches are still worlds.
    findings = _lint_text(tmp_path, WITH_A_FLAG)
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", (26, 26, 8))]
    assert findings[0].message.endswith("(when name == 'cnn')")


def test_worlds_span_a_notebooks_cells() -> None:
    from kerasfix.engine import lint_program
    from kerasfix.frontends.notebook import program_from_cells

    cells = [
        "from keras import layers, models\nimport sys\nname = sys.argv[1]\n",
        "model = models.Sequential([layers.Input((28, 28, 1))])\n"
        "if name == 'cnn':\n    model.add(layers.Conv2D(8, 3))\n"
        "else:\n    model.add(layers.Conv2D(8, 5))\n",
        "model.add(layers.Flatten())\nmodel.add(layers.Dense(4))\n",
    ]
    findings = lint_program(program_from_cells(cells, "nb.ipynb"), Settings())
    assert [(f.rule, f.cell, f.line, f.data.shape) for f in findings] == [
        ("KF001", 3, 1, (26, 26, 8))
    ]
    assert findings[0].message.endswith("(when name == 'cnn')")


CONDITIONAL_EXPRESSION = """
from keras import layers, models

def build(small):
    inputs = layers.Input((32, 32, 3))
    x = layers.Conv2D(8, 3)(inputs) if small else layers.Conv2D(16, 5)(inputs)
    return models.Model(inputs, layers.Dense(4)(layers.Flatten()(x)))
"""


def test_a_conditional_expression_is_two_worlds(tmp_path: Path) -> None:
    findings = _lint_text(tmp_path, CONDITIONAL_EXPRESSION)
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", (30, 30, 8))]
    assert findings[0].message.endswith("(when small)")


CUT_SHORT = """
from keras import layers, models
import reader

def {name}(flag):
    # The Input Partition Logic: only words in code count, not this comment.
    if flag:
        return reader.InputReader("train")
    {tail}
"""


@pytest.mark.parametrize(
    ("name", "tail", "worth"),
    [
        ("load", "return reader.InputReader('eval')", False),
        ("build", "return models.Sequential([layers.Input((8, 8, 1)), layers.Flatten()])", True),
        ("build_functional", "return models.Model(i, o)", True),
    ],
)
def test_worlds_for_code_a_merged_return_cut_short_only_when_it_could_build(
    name: str, tail: str, worth: bool
) -> None:
    # A merged `return` leaves the rest of its function unrun: worth a run of the whole file
    # per world only when that function names a model word (an input pipeline's early
    # returns cost a training script 1.4 s for no finding).
    import ast

    from kerasfix.frontends.source.interpreter import Interpreter
    from kerasfix.frontends.source.paths import Paths
    from kerasfix.frontends.source.worlds import _cut_code_could_build

    text = CUT_SHORT.format(name=name, tail=tail)
    run = Interpreter()
    run.paths = Paths()
    run.run_module(ast.parse(text), text.splitlines(), cell=None)
    run.finish()
    assert run.paths.cut_in, "the uncalled function's merged `if` returned early"
    assert _cut_code_could_build(run) is worth


DATA_FORMAT_FLAG = """
import tensorflow as tf

def create_model(data_format):
    if data_format == "channels_first":
        input_shape = [1, 28, 28]
    else:
        assert data_format == "channels_last"
        input_shape = [28, 28, 1]
    l = tf.keras.layers
    return tf.keras.Sequential([
        l.Reshape(target_shape=input_shape, input_shape=(28 * 28,)),
        l.Conv2D(32, 5, padding="same", data_format=data_format),
        l.MaxPooling2D((2, 2), (2, 2), padding="same", data_format=data_format),
        l.Flatten(),
        l.Dense(1024),
    ])
"""


def test_a_value_set_in_each_branch_is_a_world_that_knows_the_compared_name(
    tmp_path: Path,
) -> None:
    # The cloudml MNIST sample: the branches only assign `input_shape`, so merged it is
    # unknown; each world takes one branch, and knows `data_format` from the comparison
    # (`==` in the taken branch, the `assert` in the other).
    findings = _lint_text(tmp_path, DATA_FORMAT_FLAG)
    assert [(f.rule, f.data.params_flatten) for f in findings] == [
        ("KF001", 14 * 14 * 32 * 1024 + 1024)
    ]
    assert findings[0].data.shape in ((14, 14, 32), (32, 14, 14))


ONE_WORLD_ASSERT = """
from keras import layers, models

def build(fmt):
    assert fmt == "channels_last"
    return models.Sequential([
        layers.Input((8, 8, 3)), layers.Conv2D(4, 3, data_format=fmt), layers.Flatten(),
        layers.Dense(2),
    ])
"""


def test_an_assert_on_a_parameter_fixes_it(tmp_path: Path) -> None:
    findings = _lint_text(tmp_path, ONE_WORLD_ASSERT)
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", (6, 6, 4))]


RESIDUAL_GUARD = """
from keras import layers, models

def block(x, in_channels, out_channels):
    y = layers.Conv1D(out_channels, 3, padding="same")(x)
    shortcut = x
    if out_channels != in_channels:
        shortcut = layers.Conv1D(out_channels, 1)(x)
    return layers.Add()([y, shortcut])

def build(in_channels):
    inputs = layers.Input((64, 2))
    x = block(inputs, in_channels, 6)
    return models.Model(inputs, layers.Dense(2)(layers.Flatten()(x)))
"""


def test_no_shape_fault_in_a_world_the_guard_rules_out(tmp_path: Path) -> None:
    # The world where `out_channels != in_channels` is false adds (64, 6) to (64, 2): a
    # world no run reaches (the guard is there for it), so no KF003 from it.
    findings = _lint_text(tmp_path, RESIDUAL_GUARD)
    assert [(f.rule, f.data.shape) for f in findings] == [("KF001", (64, 6))]
