"""Import styles and arguments, one small file each; and the rule pages' `fixed` examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.catalogue import load
from kerasfix.fixers.policy import FixOptions
from kerasfix.fixers.run import fix_result
from kerasfix.runner import lint_paths

HEAD = "keras.Input((32, 32, 3)), {conv}(8, 3), {flat}, {dense}(10)"

CASES = {
    "module attribute": (
        "import keras\nfrom keras import layers\n"
        "m = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 3), "
        "layers.Flatten(), layers.Dense(10)])\n",
        "layers.GlobalAveragePooling2D()",
        None,
    ),
    "tf.keras dotted": (
        "import tensorflow as tf\n"
        "m = tf.keras.Sequential([tf.keras.Input((32, 32, 3)), tf.keras.layers.Conv2D(8, 3), "
        "tf.keras.layers.Flatten(name='f'), tf.keras.layers.Dense(10)])\n",
        "tf.keras.layers.GlobalAveragePooling2D(name='f')",
        None,
    ),
    "from-import gains the name": (
        "import keras\nfrom keras.layers import Conv2D, Dense, Flatten\n"
        "m = keras.Sequential([keras.Input((32, 32, 3)), Conv2D(8, 3), Flatten(), Dense(10)])\n",
        "GlobalAveragePooling2D()",
        "from keras.layers import Conv2D, Dense, GlobalAveragePooling2D\n",  # Flatten unused
    ),
    "unsorted from-import appends": (
        "import keras\nfrom keras.layers import Flatten, Conv2D, Dense\n"
        "m = keras.Sequential([keras.Input((32, 32, 3)), Conv2D(8, 3), Flatten(), Dense(10)])\n",
        "GlobalAveragePooling2D()",
        "from keras.layers import Conv2D, Dense, GlobalAveragePooling2D\n",
    ),
    "parenthesised multi-line import": (
        "import keras\nfrom keras.layers import (\n    Conv2D,\n    Dense,\n    Flatten,\n)\n"
        "m = keras.Sequential([keras.Input((32, 32, 3)), Conv2D(8, 3), Flatten(), Dense(10)])\n",
        "GlobalAveragePooling2D()",
        "    Dense,\n    GlobalAveragePooling2D,\n)\n",
    ),
    "already imported: no duplicate": (
        "import keras\nfrom keras.layers import Conv2D, Dense, Flatten, GlobalAveragePooling2D\n"
        "m = keras.Sequential([keras.Input((32, 32, 3)), Conv2D(8, 3), Flatten(), Dense(10)])\n",
        "GlobalAveragePooling2D()",
        "from keras.layers import Conv2D, Dense, GlobalAveragePooling2D\n",
    ),
    "star import": (
        "import keras\nfrom keras.layers import *\n"
        "m = keras.Sequential([keras.Input((32, 32, 3)), Conv2D(8, 3), Flatten(), Dense(10)])\n",
        "GlobalAveragePooling2D()",
        "from keras.layers import *\n",
    ),
    "aliased Flatten": (
        "import keras\nfrom keras.layers import Conv2D, Dense, Flatten as F\n"
        "m = keras.Sequential([keras.Input((32, 32, 3)), Conv2D(8, 3), F(), Dense(10)])\n",
        "GlobalAveragePooling2D()",
        "from keras.layers import Conv2D, Dense, GlobalAveragePooling2D\n",
    ),
    "channels_first gets data_format, unknown argument dropped": (
        "import keras\nfrom keras import layers\n"
        "m = keras.Sequential([keras.Input((3, 32, 32)), "
        "layers.Conv2D(8, 3, data_format='channels_first'), "
        "layers.Flatten(name='f', bogus=1), layers.Dense(10)])\n",
        "layers.GlobalAveragePooling2D(name='f', data_format='channels_first')",
        None,
    ),
}


@pytest.mark.parametrize(("source", "call", "import_text"), CASES.values(), ids=list(CASES))
def test_import_styles(tmp_path: Path, source: str, call: str, import_text: str | None) -> None:
    path = tmp_path / "m.py"
    path.write_text(source)
    run = fix_result(lint_paths([path]), FixOptions())
    text = path.read_text()
    assert call in text, text
    if import_text:
        assert import_text in text, text
    imported = "GlobalAveragePooling2D" in (import_text or "") and (
        "GlobalAveragePooling2D" not in source
    )
    assert text.count("GlobalAveragePooling2D") == source.count("GlobalAveragePooling2D") + (
        2 if imported else 1
    )
    if "import *" not in source:  # the Flatten import went with its last use
        assert "Flatten" not in text, text
    assert run.result.findings == [] and lint_paths([path]).findings == []


def test_module_alias_is_fixed_in_its_own_spelling(tmp_path: Path) -> None:
    """`Flatten = tf.keras.layers.Flatten` bound once: the call becomes the dotted pooling
    class, no import is added and the alias line stays."""
    source = (
        "import tensorflow as tf\nFlatten = tf.keras.layers.Flatten\n"
        "m = tf.keras.Sequential([tf.keras.Input((32, 32, 3)), tf.keras.layers.Conv2D(8, 3), "
        "Flatten(), tf.keras.layers.Dense(10)])\n"
    )
    path = tmp_path / "m.py"
    path.write_text(source)
    fix_result(lint_paths([path]), FixOptions())
    assert path.read_text() == source.replace(
        "Flatten(),", "tf.keras.layers.GlobalAveragePooling2D(),"
    )
    assert lint_paths([path]).findings == []


def test_flatten_reached_through_a_variable_is_not_rewritten(tmp_path: Path) -> None:
    """An alias bound twice may name another class at the call: left for a human."""
    source = (
        "import keras\nfrom keras import layers\npool = layers.Flatten\n"
        "pool = layers.Flatten\n"
        "m = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 3), pool(), "
        "layers.Dense(10)])\n"
    )
    path = tmp_path / "m.py"
    path.write_text(source)
    run = fix_result(lint_paths([path]), FixOptions())
    assert path.read_text() == source
    assert [f.rule for f in run.result.findings] == ["KF001"]
    assert any("not fixed" in note for note in run.result.notes)


EXAMPLES = [e for rule in load().values() for e in rule.examples if e.fixed is not None]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_documented_fixed_code(example, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "example.py"
    path.write_text(example.code)
    fix_result(lint_paths([path]), FixOptions())
    assert path.read_text() == example.fixed
