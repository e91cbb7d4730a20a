"""One bad line does not sink the file: magics in a `.py`, and statements that do not parse.

Issue 12: a Colab export with `%tensorflow_version 2.x`, or a typo far below the model
(`model.fit(X, Y epochs=50)`), made the whole file a syntax error and hid its model.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kerasfix.frontends.source.recovery import parse_around_errors

MODEL = """\
model = tf.keras.Sequential([
    layers.Input((28, 28, 1)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.Flatten(),
    layers.Dense(128),
])
"""
HEADER = "import tensorflow as tf\nfrom tensorflow.keras import layers\n"
PARAMS = 26 * 26 * 32 * 128 + 128


def lint(path: Path) -> tuple[int, list[dict], str]:
    run = subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", "--no-cache", "--output-format", "json", path],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in run.stderr
    return run.returncode, json.loads(run.stdout), run.stderr


def test_colab_magics_in_a_script_are_ignored_like_in_notebooks(tmp_path: Path) -> None:
    script = tmp_path / "exported.py"
    script.write_text(
        "%tensorflow_version 2.x\n!pip install -q keras\n" + HEADER + MODEL + "files = !ls\n"
    )
    code, findings, stderr = lint(script)
    assert (code, stderr) == (1, "")
    assert [(f["rule"], f["line"], f["params_flatten"]) for f in findings] == [("KF001", 8, PARAMS)]


def test_a_shell_escape_continued_with_backslashes_is_one_command(tmp_path: Path) -> None:
    """Seen in public notebooks (bench/realworld heldout2): `!wget URL \\` with indented
    option lines; the continuation lines are part of the command, not Python."""
    cell_source = "!wget https://example.org/data.zip \\\n    -O /tmp/data.zip \\\n  -q\n"
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "outputs": [],
                        "execution_count": None,
                        "source": cell_source + HEADER + MODEL,
                    }
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    code, findings, stderr = lint(notebook)
    assert (code, stderr) == (1, "")
    assert [(f["rule"], f["cell"], f["line"], f["params_flatten"]) for f in findings] == [
        ("KF001", 1, 9, PARAMS)
    ]


def test_a_typo_below_the_model_is_reported_and_the_model_still_checked(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        HEADER + MODEL + "model.fit(X, Y epochs=50)\n"  # line 9
        "for i in range(3):\n    print(i\nmodel.save('m.h5')\n"  # unclosed paren at line 11
    )
    code, findings, stderr = lint(script)
    assert code == 2  # errors win over findings, as for any bad file
    assert [(f["rule"], f["line"], f["params_flatten"]) for f in findings] == [("KF001", 6, PARAMS)]
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    # The file's usual one-line syntax error, with its position; the path printed once.
    assert lines[0].startswith(f"error: {script.as_posix()}:9:14: syntax error: ")
    assert lines[0].count(script.name) == 1
    assert (
        "(skipped line 9; the rest of the file was analysed) (and 1 more syntax error)"
        in (lines[0])
    )


def test_a_file_that_is_only_a_syntax_error_still_fails_in_one_line(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("from keras.layers import Flatten\n\ndef f(:\n    pass\n")
    code, findings, stderr = lint(script)
    assert (code, findings) == (2, [])
    assert stderr.strip().endswith(
        "3:7: syntax error: invalid syntax (skipped lines 3-4; the rest of the file was analysed)"
    )


@pytest.mark.parametrize(
    ("source", "skipped"),
    [
        # a bad statement inside a function keeps the function (a `pass` takes its place)
        ("def f():\n    x = (1 2)\n    return 3\ny = 1\n", [(2, 2)]),
        # an unclosed bracket runs to the next statement at its indentation
        ("a = [1,\nb = 2\nc = 3\n", [(1, 1)]),
        # an if/else whose else line is broken: the whole compound statement goes
        ("if a:\n    b = 1\nelse b:\n    c = 2\nd = 4\n", [(1, 4)]),
        # a block indented for no reason is skipped whole
        ("a = 1\n    b = 2\n    c = 3\nd = 4\n", [(2, 3)]),
        # several errors are all reported
        ("x = )\ny = 1\nz = (]\nw = 2\n", [(1, 1), (3, 3)]),
    ],
)
def test_recovery_skips_the_smallest_statement(source: str, skipped: list[tuple[int, int]]) -> None:
    tree, found = parse_around_errors(source, "x.py")
    assert [(s.first_line, s.last_line) for s in found] == skipped
    kept = {node.lineno for node in tree.body if not isinstance(node, ast.Pass)}
    assert not any(first <= line <= last for line in kept for first, last in skipped)
    assert max(kept) == source.count("\n")  # the last statement is always analysed


def test_bytes_that_do_not_decode_are_reported_and_the_model_still_checked(
    tmp_path: Path,
) -> None:
    """Seen in public code (bench/realworld heldout3): a `#coding:utf-8` script whose Chinese
    comments are in another encoding. Python refuses it, so it is an error (exit 2), but the
    model is still checked; --fix never writes such a file back."""
    script = tmp_path / "cnn.py"
    comment = "# 卷积网络\n".encode("gbk")  # not valid utf-8
    original = b"#coding:utf-8\n" + comment + (HEADER + MODEL).encode()
    script.write_bytes(original)
    code, findings, stderr = lint(script)
    assert code == 2
    assert [(f["rule"], f["line"], f["params_flatten"]) for f in findings] == [("KF001", 8, PARAMS)]
    assert stderr.splitlines() == [
        f"error: {script.as_posix()}:2:3: encoding error: bytes that are not utf-8 (replaced)"
        " (the rest of the file was analysed)"
    ]
    fix = subprocess.run(
        [sys.executable, "-m", "kerasfix", "lint", "--no-cache", "--fix", "--unsafe-fixes", script],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fix.returncode == 2 and "Traceback" not in fix.stderr
    assert script.read_bytes() == original
