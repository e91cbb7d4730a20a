"""Writing back: line endings, encodings, permissions, symlinks, and files left untouched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kerasfix.fixers.apply import fix_file
from kerasfix.fixers.codemod import Rewrite, rewrite
from kerasfix.fixers.policy import FixOptions
from kerasfix.runner import lint_paths
from kerasfix.settings import Settings
from tests.fixers.helpers import findings, run

MODEL = """\
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3),  # a comment, kept
        layers.Flatten(name="flat"),
        layers.Dense(10),
    ]
)
"""
FIXED = MODEL.replace("layers.Flatten(", "layers.GlobalAveragePooling2D(")


def test_crlf_line_endings_kept(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.py"
    path.write_bytes(MODEL.replace("\n", "\r\n").encode())
    assert run(["lint", "--fix", str(path)], capsys)[0] == 0
    assert path.read_bytes() == FIXED.replace("\n", "\r\n").encode()


def test_bom_and_pep263_cookie_kept(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + ("# é\n" + MODEL).encode())
    latin = tmp_path / "latin.py"
    latin.write_bytes(("# -*- coding: latin-1 -*-\n# café\n" + MODEL).encode("latin-1"))
    assert run(["lint", "--fix", str(bom), str(latin)], capsys)[0] == 0
    assert bom.read_bytes() == b"\xef\xbb\xbf" + ("# é\n" + FIXED).encode()
    assert latin.read_bytes() == ("# -*- coding: latin-1 -*-\n# café\n" + FIXED).encode("latin-1")


def test_permissions_and_symlink_kept(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    real = tmp_path / "real.py"
    real.write_text(MODEL)
    os.chmod(real, 0o751)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    assert run(["lint", "--fix", str(link)], capsys)[0] == 0
    assert link.is_symlink() and real.read_text() == FIXED
    assert stat.S_IMODE(real.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_fix_that_would_not_parse_leaves_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    result = lint_paths([path])

    def broken(units, sites) -> Rewrite:  # type: ignore[no-untyped-def]
        done = rewrite(units, sites)
        done.texts = [
            text.replace("GlobalAveragePooling2D(", "GlobalAveragePooling2D((")
            for text in done.texts
        ]
        return done

    outcome = fix_file(
        str(path), "source", result.findings, FixOptions(), Settings(), rewriter=broken
    )
    assert outcome.abandoned is not None and "would not parse" in outcome.abandoned
    assert not outcome.changed and outcome.remaining == result.findings
    assert path.read_text() == MODEL


def test_fix_that_does_not_converge_is_abandoned(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    result = lint_paths([path])

    def flip_flop(units, sites) -> Rewrite:  # type: ignore[no-untyped-def]
        done = rewrite(units, sites)
        done.texts = [text + "x = layers.Flatten()\n" for text in units]  # never settles
        return done

    outcome = fix_file(
        str(path), "source", result.findings, FixOptions(), Settings(), rewriter=flip_flop
    )
    assert outcome.abandoned is not None and not outcome.changed


def test_file_changed_since_lint_is_left_alone(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from kerasfix.fixers.run import fix_result

    path = tmp_path / "m.py"
    path.write_text(MODEL)
    result = lint_paths([path])
    edited = "# edited meanwhile\n" + MODEL
    path.write_text(edited)
    run_ = fix_result(result, FixOptions())
    assert path.read_text() == edited
    assert "changed since it was linted" in run_.result.notes[-1]


def test_selection_and_suppressions_are_respected(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    assert run(["lint", "--fix", "--ignore", "KF001", str(path)], capsys)[0] == 0
    assert path.read_text() == MODEL
    noqa = MODEL.replace('name="flat"),', 'name="flat"),  # noqa: KF001')
    path.write_text(noqa)
    assert run(["lint", "--fix", str(path)], capsys)[0] == 0
    assert path.read_text() == noqa
    (tmp_path / "pyproject.toml").write_text('[tool.kerasfix]\nignore = ["KF001"]\n')
    path.write_text(MODEL)
    run(["lint", "--fix", str(path)], capsys)
    assert path.read_text() == MODEL


def test_pooling_max_and_show_fixes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    code, _, err = run(["lint", "--fix", "--pooling", "max", "--show-fixes", str(path)], capsys)
    assert code == 0
    assert path.read_text() == MODEL.replace("layers.Flatten(", "layers.GlobalMaxPooling2D(")
    assert "KF001 Flatten -> GlobalMaxPooling2D (Dense parameters 216,330 -> 330)" in err
    assert "retrain" in err


def test_kf002_needs_unsafe_fixes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    source = MODEL.replace("shape=(28, 28, 1)", "shape=(size, size, 1)").replace(
        "import keras\n", "import sys\n\nimport keras\n\nsize = int(sys.argv[1])\n", 1
    )
    path = tmp_path / "m.py"
    path.write_text(source)
    code, _, err = run(["lint", "--fix", str(path)], capsys)
    assert code == 1 and path.read_text() == source
    assert "available with `--unsafe-fixes`" in err
    assert run(["lint", "--fix", "--unsafe-fixes", str(path)], capsys)[0] == 0
    assert "layers.GlobalAveragePooling2D(name=" in path.read_text()
    assert findings(path) == []


def test_diff_exit_codes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    code, out, _ = run(["lint", "--diff", str(path)], capsys)
    assert code == 1 and '+        layers.GlobalAveragePooling2D(name="flat"),' in out
    assert path.read_text() == MODEL
    assert run(["lint", "--diff", "--exit-zero", str(path)], capsys)[0] == 0
    assert run(["lint", "--diff", str(path), str(tmp_path / "missing.py")], capsys)[0] == 2
