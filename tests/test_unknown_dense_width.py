"""An unknown Dense width is KF002 with per-unit counts, never KF001 without numbers (issue 23
point 3): README defines KF001 as exact counts for both heads, and its fix is applied by plain
`--fix`; KF002's waits for `--unsafe-fixes`. Every output format says the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kerasfix.cli import main
from kerasfix.runner import lint_paths

HEAD = """\
import sys

import keras
from keras import layers

n_classes = int(sys.argv[1])
model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3),
        layers.Flatten(),
        layers.Dense({dense}),
    ]
)
"""
UNKNOWN = HEAD.format(dense="n_classes")
# 26x26x32 after the 3x3 convolution: each unit costs 21,632 + 1 after Flatten, 32 + 1 pooled.
PER_UNIT = "per unit of the Dense: 21,633 parameters with Flatten, 33 with GlobalAveragePooling2D"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "model.py"
    path.write_text(text, encoding="utf-8")
    return path


def _output(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    main(["lint", "--isolated", *args])
    return capsys.readouterr().out


def test_unknown_width_is_kf002_with_per_unit_counts(tmp_path: Path) -> None:
    (finding,) = lint_paths([_write(tmp_path, UNKNOWN)]).findings
    assert (finding.rule, finding.severity.value) == ("KF002", "info")
    assert "Dense(?)" in finding.message and PER_UNIT in finding.message
    assert "sys.argv" in finding.message  # why the width is unknown
    report = finding.to_dict()
    assert report["dense_units"] is None and report["params_flatten"] is None
    assert (report["params_flatten_per_unit"], report["params_pooling_per_unit"]) == (21_633, 33)


def test_without_bias_each_unit_has_no_plus_one(tmp_path: Path) -> None:
    text = UNKNOWN.replace("Dense(n_classes)", "Dense(n_classes, use_bias=False)")
    (finding,) = lint_paths([_write(tmp_path, text)]).findings
    assert (finding.data.params_flatten_per_unit, finding.data.params_pooling_per_unit) == (
        21_632,
        32,
    )


def test_known_width_is_still_kf001_without_per_unit_counts(tmp_path: Path) -> None:
    (finding,) = lint_paths([_write(tmp_path, HEAD.format(dense="10"))]).findings
    assert finding.rule == "KF001" and finding.data.params_flatten == 21_633 * 10
    assert finding.to_dict()["params_flatten_per_unit"] is None
    assert "per unit" not in finding.message


def test_plain_fix_leaves_it_and_unsafe_fixes_fix_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, UNKNOWN)
    assert main(["lint", "--isolated", "--fix", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == UNKNOWN
    assert "--unsafe-fixes" in capsys.readouterr().err
    assert main(["lint", "--isolated", "--fix", "--unsafe-fixes", "--show-fixes", str(path)]) == 0
    assert "layers.GlobalAveragePooling2D()," in path.read_text(encoding="utf-8")
    shown = capsys.readouterr().err
    assert "KF002 Flatten -> GlobalAveragePooling2D (Dense parameters per unit 21,633 -> 33)" in (
        shown
    )


def test_every_reporter_says_kf002_and_the_per_unit_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(_write(tmp_path, UNKNOWN))
    (item,) = json.loads(_output(["--output-format", "json", path], capsys))
    assert item["rule"] == "KF002" and PER_UNIT in item["message"]
    assert item["params_pooling_per_unit"] == 33
    (line,) = _output(["--output-format", "json-lines", path], capsys).splitlines()
    assert json.loads(line)["params_flatten_per_unit"] == 21_633
    (result,) = json.loads(_output(["--output-format", "sarif", path], capsys))["runs"][0][
        "results"
    ]
    assert (result["ruleId"], result["level"]) == ("KF002", "note")
    assert PER_UNIT in result["message"]["text"]
    facts = result["properties"]
    assert (facts["params_flatten_per_unit"], facts["params_pooling_per_unit"]) == (21_633, 33)
    github = _output(["--output-format", "github", path], capsys)
    assert github.startswith("::notice title=kerasfix (KF002),") and PER_UNIT in github
    (issue,) = json.loads(_output(["--output-format", "gitlab", path], capsys))
    assert (issue["check_name"], issue["severity"]) == ("KF002", "minor")
    assert PER_UNIT in issue["description"]
    text = _output([path], capsys)
    assert "KF002 [info]" in text and PER_UNIT in text


def test_editor_hover_shows_the_per_unit_table(tmp_path: Path) -> None:
    pytest.importorskip("lsprotocol", reason="needs the server extra")
    from kerasfix.server.convert import hover_markdown

    (finding,) = lint_paths([_write(tmp_path, UNKNOWN)]).findings
    hover = hover_markdown(finding)
    assert "| Flatten → Dense | 21,633 |" in hover
    assert "| GlobalAveragePooling2D → Dense | 33 |" in hover


TWO_HEADS = """\
import sys

import keras
from keras import layers

n = int(sys.argv[1])
inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(32, 3)(inputs)
x = layers.Flatten()(x)
model = keras.Model(inputs, [layers.Dense(10)(x), layers.Dense(n)(x)])
"""


def test_a_flatten_with_a_known_and_an_unknown_head(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One Flatten, two heads: KF001 (exact) and KF002 (width unknown). Plain --fix replaces
    the Flatten for the KF001, which fixes the KF002 head too: it is counted as fixed, and no
    "more fixes with --unsafe-fixes" is promised for it."""
    path = _write(tmp_path, TWO_HEADS)
    assert sorted(f.rule for f in lint_paths([path]).findings) == ["KF001", "KF002"]
    assert main(["lint", "--isolated", "--fix", str(path)]) == 0
    err = capsys.readouterr().err
    assert "Fixed 2 findings in 1 file (KF001: 1, KF002: 1)." in err
    assert "--unsafe-fixes" not in err
    assert "x = layers.GlobalAveragePooling2D()(x)" in path.read_text(encoding="utf-8")
