"""The Python evaluator stands alone: no Keras knowledge, hooks for a framework.

`frontends/source/evaluator.py` is the part a second framework frontend would reuse; the
Keras object model (`interpreter.py`) is one subclass of it. These tests keep that seam real.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

from kerasfix.frontends.source.evaluator import Evaluator
from kerasfix.frontends.source.values import Ref, Unknown

CODE = """\
import torch.nn as nn

SIZE = 32


def double(x):
    return x * 2


width = double(SIZE)
if flag:
    depth = 3
else:
    depth = 4
shape = (width, SIZE, *[1, 2])
fc = nn.Linear(width, 10)
"""


def _run(evaluator: Evaluator) -> dict[str, Any]:
    evaluator.run_module(ast.parse(CODE), CODE.splitlines())
    return evaluator.globals.vars


def test_evaluator_imports_no_keras_knowledge() -> None:
    probe = (
        "import sys\n"
        "import kerasfix.frontends.source.evaluator\n"
        "keras = [m for m in sys.modules if m.startswith('kerasfix.layers')"
        " or m in ('kerasfix.frontends.source.keras_names',"
        " 'kerasfix.frontends.source.interpreter')]\n"
        "print(keras)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_evaluator_follows_python_alone() -> None:
    names = _run(Evaluator())
    assert names["width"] == 64
    assert names["shape"] == (64, 32, 1, 2)
    assert isinstance(names["depth"], Unknown)
    assert "condition at line 11" in names["depth"].reason
    # Without a framework, an imported call is only known at run time.
    assert isinstance(names["fc"], Unknown)


def test_a_framework_plugs_in_through_the_hooks() -> None:
    class TorchLike(Evaluator):
        def call_ref(
            self, func: Ref, args: list[Any], kwargs: dict[str, Any], expr: ast.Call
        ) -> Any:
            if func.qualname == "torch.nn.Linear":
                return ("Linear", *args)
            return super().call_ref(func, args, kwargs, expr)

    names = _run(TorchLike())
    assert names["fc"] == ("Linear", 64, 10)
    assert names["width"] == 64
