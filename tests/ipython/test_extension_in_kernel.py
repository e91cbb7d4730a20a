"""`%load_ext kerasfix` in a real IPython kernel: notebooks executed by nbclient + ipykernel.

The kernel is this interpreter: the tests install their own kernelspec (running
`sys.executable -m ipykernel_launcher`) in a temporary JUPYTER_PATH, so a user's or the
system's `python3` kernel can never stand in for the environment under test.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nbclient", reason="needs the test extra: nbclient and ipykernel")

import nbformat
from nbclient import NotebookClient

MODEL_IN_A_FUNCTION = """\
def build():
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            layers.Conv2D(8, 3, padding="same"),
            layers.Flatten(),
            layers.Dense(32),
        ]
    )"""


KERNEL = "kerasfix-tests"


@pytest.fixture(autouse=True)
def kernelspec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": KERNEL, "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(root))
        yield


def _execute(cells: list[str], cwd: Path) -> list[Any]:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=300,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return notebook.cells


def _outputs(cell: Any, mime: str) -> str:
    texts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            texts.append(output.text if mime == "text/plain" else "")
        elif output.output_type in ("display_data", "execute_result"):
            texts.append(output.data.get(mime, ""))
        elif output.output_type == "error":
            raise AssertionError(f"cell failed: {output.ename}: {output.evalue}")
    return "".join(texts)


def test_cells_are_checked_as_they_run_without_importing_keras(tmp_path: Path) -> None:
    cells = _execute(
        [
            "%load_ext kerasfix",
            MODEL_IN_A_FUNCTION,
            "x = 1 + 1",
            "import sys\nprint(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'keras', 'tensorflow', 'jax', 'torch'}))",
            "%kerasfix",
        ],
        tmp_path,
    )
    assert cells[0].outputs == []
    # Under the model cell: an HTML table and its text twin, with the numbers.
    # 16*16*8 = 2048 values into Dense(32): 2048*32 + 32; pooling: 8*32 + 32.
    html = _outputs(cells[1], "text/html")
    assert "<table>" in html and "KF001" in html
    assert "65,568" in html and "288" in html
    text = _outputs(cells[1], "text/plain")
    assert text.startswith("In [2] line 9: KF001 Flatten over 16x16x8 feeds Dense(32)")
    assert cells[2].outputs == []  # a clean cell shows nothing
    assert _outputs(cells[3], "text/plain").strip() == "[]"  # no framework was imported
    # %kerasfix: the whole session, the finding again, and nothing new from the hook.
    whole = _outputs(cells[4], "text/plain")
    assert whole.count("KF001") == 1 and "In [2] line 9" in whole


def test_a_cell_using_names_from_earlier_cells_is_checked_in_their_context(
    tmp_path: Path,
) -> None:
    cells = _execute(
        [
            "%load_ext kerasfix",
            "SIZE = 12\nCHANNELS = 64",
            "def head(units):\n"
            "    from keras import layers\n"
            "    return [layers.Flatten(), layers.Dense(units)]",
            "def build():\n"
            "    import keras\n"
            "    from keras import layers\n"
            "    return keras.Sequential(\n"
            "        [keras.Input((SIZE, SIZE, 3)), layers.Conv2D(CHANNELS, 1), *head(10)]\n"
            "    )\n"
            "model = None if True else build()",
        ],
        tmp_path,
    )
    assert cells[2].outputs == []  # head() alone has no shape yet
    text = _outputs(cells[3], "text/plain")
    # The Flatten is written in cell 3 and gets its size from cells 2 and 4:
    # 12*12*64 = 9216 values into Dense(10).
    assert "KF001" in text and "12x12x64" in text and "92,170" in text


def test_configuration_in_the_working_directory_applies(tmp_path: Path) -> None:
    (tmp_path / "kerasfix.toml").write_text('ignore = ["KF001"]\n', encoding="utf-8")
    cells = _execute(["%load_ext kerasfix", MODEL_IN_A_FUNCTION, "%kerasfix"], tmp_path)
    assert cells[1].outputs == []
    assert _outputs(cells[2], "text/plain").strip() == "kerasfix: no findings in this session."


@pytest.mark.keras
def test_kerasfix_magic_checks_a_live_model_by_name(tmp_path: Path) -> None:
    build = (
        "import os\nos.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\n"
        "import keras\nfrom keras import layers\n"
        "model = keras.Sequential([keras.Input((16, 16, 3)), layers.Conv2D(8, 3, padding='same'),"
        " layers.Flatten(), layers.Dense(32)])"
    )
    cells = _execute(
        ["%load_ext kerasfix", build, "%kerasfix model", "%kerasfix nothing_here"], tmp_path
    )
    live = _outputs(cells[2], "text/plain")
    assert "KF001" in live and "65,568" in live
    assert "<table>" in _outputs(cells[2], "text/html")
    assert "no variable named 'nothing_here'" in _outputs(cells[3], "text/plain")


def test_kernel_runs_this_environment(tmp_path: Path) -> None:
    cells = _execute(
        ["import sys, kerasfix\nprint(sys.prefix)\nprint(kerasfix.__file__)"], tmp_path
    )
    prefix, package = _outputs(cells[0], "text/plain").split()
    assert prefix == sys.prefix
    assert Path(package).resolve() == (Path(__file__).parents[2] / "kerasfix" / "__init__.py")
