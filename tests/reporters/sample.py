"""Hand-built lint results for reporter tests: no frontend involved."""

from __future__ import annotations

from pathlib import Path

from kerasfix.checks.flatten_dense import PoolingFacts
from kerasfix.findings import Finding, Severity
from kerasfix.graph.model import SourceSpan
from kerasfix.results import FileError, LintResult, SourceText

SCRIPT = """\
import keras
from keras import layers

a = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(64, 3), L.Flatten(), L.Dense(128)])
a = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(64, 3), L.Flatten(), L.Dense(128)])
x = layers.Flatten(
    name="multi",
)(x)
"""
CELL = "import keras\nx = keras.layers.Flatten()(x)\n"


def finding(path: str, line: int, column: int, end_line: int, end_column: int, **kw) -> Finding:
    defaults = dict(
        rule="KF001",
        severity=Severity.WARNING,
        message="Flatten over 26x26x64 feeds Dense(128): 5,537,920 parameters; "
        "GlobalAveragePooling2D would need 8,320 (-99.8%)",
        data=PoolingFacts(
            shape=(26, 26, 64),
            dense_units=128,
            params_flatten=26 * 26 * 64 * 128 + 128,
            params_pooling=64 * 128 + 128,
            suggestion="GlobalAveragePooling2D",
            known=True,
        ),
    )
    defaults.update(kw)
    cell = defaults.pop("cell", None)
    return Finding(
        path=path, span=SourceSpan(line, column, end_line, end_column, cell=cell), **defaults
    )


def sample_result(root: Path, shift: int = 0) -> LintResult:
    """Findings over a script (3 findings, one multi-line), a notebook, a model, a clean file.

    `shift` inserts that many blank lines at the top of the script, as an unrelated edit would.
    """
    script = root / "src" / "train.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    text = "\n" * shift + SCRIPT
    script.write_text(text)
    clean = root / "src" / "clean.py"
    clean.write_text("print('hello')\n")
    notebook = root / "nb.ipynb"
    notebook.write_text("{}")
    s, nb, model = script.as_posix(), notebook.as_posix(), (root / "m.keras").as_posix()
    findings = [
        finding(s, 4 + shift, 71, 4 + shift, 87),
        finding(s, 5 + shift, 71, 5 + shift, 87),
        finding(s, 6 + shift, 5, 8 + shift, 2, rule="KF002", severity=Severity.INFO,
                message="Flatten over ?x?x64 feeds Dense(?): unknown, 100% sure: see",
                data=PoolingFacts(shape=(None, None, 64), dense_units=128, params_pooling=8_320,
                                  suggestion="GlobalAveragePooling2D")),
        finding(nb, 2, 5, 2, 29, cell=3, severity=Severity.ERROR),
        Finding(rule="KF001", severity=Severity.WARNING, path=model,
                message="layer 'flatten' (in 'functional') over 12x12x64 feeds 'dense' Dense(128)",
                layer_path=("functional", "flatten"),
                data=PoolingFacts(shape=(12, 12, 64), dense_units=128, params_flatten=1_179_776,
                                  params_pooling=8_320, known=True)),
    ]  # fmt: skip
    return LintResult(
        findings=findings,
        errors=[FileError((root / "broken.py").as_posix(), "syntax error: line 3")],
        files_checked=5,
        files=[s, clean.as_posix(), nb, model, (root / "broken.py").as_posix()],
        sources={s: SourceText(text=text), nb: SourceText(cells=("print(1)\n", "", CELL))},
    )
