"""Messages a first-time user reads (issue 11, point 9): whole help lines, the path printed
once, an empty notebook called empty. (One wording for one custom layer:
tests/saved_model/test_real_models.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kerasfix.cli import main


def test_top_level_help_shows_whole_command_descriptions(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    commands = out.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in commands] == [
        "inspect",
        "lint",
        "rewrite",
        "rule",
        "server",
    ]
    for line in commands:
        assert line.rstrip().endswith(".") and "..." not in line and "(e." not in line, line


def test_a_syntax_error_names_the_path_once(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("syntax.py").write_text("import keras\nfrom keras.layers import Flatten\nx = Flatten(((\n")
    assert main(["lint", "syntax.py"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.count("syntax.py") == 1
    assert re.match(r"error: syntax\.py:3:\d+: syntax error", line), line  # as Ruff prints it


@pytest.mark.parametrize("content", [b"", b"  \n"])
def test_an_empty_notebook_is_an_empty_file(tmp_path: Path, capsys, content: bytes) -> None:
    path = tmp_path / "empty.ipynb"
    path.write_bytes(content)
    assert main(["lint", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path.as_posix()}: empty file\n"


def test_kf002_names_the_value_that_is_not_a_tensor(tmp_path: Path, capsys) -> None:
    """Seen in public code (FaceNet, bench/realworld heldout2): "because its input is not a
    tensor" named no value; the message says which value, which layer and where."""
    script = tmp_path / "m.py"
    script.write_text(
        "from keras import layers\n"
        "features = None\n"
        "y = layers.Conv2D(8, 3)(features)\n"
        "y = layers.Flatten()(y)\n"
        "y = layers.Dense(4)(y)\n",
        encoding="utf-8",
    )
    assert main(["lint", "--isolated", "--no-cache", str(script)]) == 1
    out = capsys.readouterr().out
    assert (
        "its parameter count is unknown because Conv2D is called on `features` (line 3), "
        "which is not a tensor" in out
    )


@pytest.mark.parametrize(
    ("flat", "pooled", "shown"),
    [
        (3965056, 8320, "(-99.8%)"),
        (16588928, 2176, "(-99.99%)"),
        (2534730, 90, "(-99.996%)"),  # 2 decimals would round it to a false -100.00%
    ],
)
def test_the_saving_is_never_rounded_up_to_minus_100_percent(
    flat: int, pooled: int, shown: str
) -> None:
    from kerasfix.checks.flatten_dense import _counts_text

    assert _counts_text(flat, pooled, "GlobalAveragePooling2D").endswith(shown)
