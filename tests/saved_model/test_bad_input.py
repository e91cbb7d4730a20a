"""Hostile and broken model files: one line on stderr, exit 2, no traceback, bounded cost."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from kerasfix.cli import main
from kerasfix.frontends import InputError
from kerasfix.frontends.saved_model import read_model
from tests.saved_model.handmade import keras3_cnn, write_h5, write_keras


def lint_error(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["lint", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def lint_warning(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A file with no architecture to lint: one `warning:` line naming it, exit 0."""
    code = main(["lint", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    (line,) = [line for line in err.splitlines() if line.strip()]
    assert line.startswith(f"warning: {path.as_posix()}: ") and line.endswith("; not linted")
    return line


def test_empty_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("m.keras", "m.h5"):
        (tmp_path / name).write_bytes(b"")
        assert "empty file" in lint_error(tmp_path / name, capsys)


def test_git_lfs_pointer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "model.keras"
    path.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 553518952\n")
    assert "Git LFS pointer" in lint_error(path, capsys)


def test_not_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.keras").write_bytes(b"hello, not a zip")
    assert "not a Keras archive" in lint_error(tmp_path / "m.keras", capsys)


def test_truncated_and_corrupted_archives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_keras(tmp_path / "good.keras", keras3_cnn())
    data = good.read_bytes()
    (tmp_path / "cut.keras").write_bytes(data[: len(data) // 2])
    assert "corrupted" in lint_error(tmp_path / "cut.keras", capsys)
    index = data.index(b'"layers"')
    (tmp_path / "flip.keras").write_bytes(data[:index] + b"X" + data[index + 1 :])
    assert "corrupted" in lint_error(tmp_path / "flip.keras", capsys)


def test_missing_config_and_weights_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with zipfile.ZipFile(tmp_path / "w.keras", "w") as archive:
        archive.writestr("model.weights.h5", b"\x89HDF")
    assert "weights only" in lint_warning(tmp_path / "w.keras", capsys)
    with zipfile.ZipFile(tmp_path / "z.keras", "w") as archive:
        archive.writestr("readme.txt", b"hi")
    assert "without config.json" in lint_error(tmp_path / "z.keras", capsys)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "not a JSON object"),
        (b"[" * 200_000, "nested too deeply|not valid JSON"),
        (
            json.dumps({"class_name": "Dense", "config": {"units": 3}}).encode(),
            "single .Dense. layer",
        ),
    ],
)
def test_malformed_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: bytes, message: str
) -> None:
    path = write_keras(tmp_path / "m.keras", payload)
    assert re.search(message, lint_error(path, capsys))


def test_enormous_config_is_refused_by_declared_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERASFIX_MAX_CONFIG_BYTES", "1000")
    path = write_keras(tmp_path / "big.keras", keras3_cnn())
    assert "over the 1,000 byte limit" in lint_error(path, capsys)


def test_zip_bomb_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b" " * (32 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    assert "zip bomb" in lint_error(path, capsys)


@pytest.mark.parametrize("member", ["../evil.json", "/etc/passwd", "a/../../b", "C:/x"])
def test_path_tricks(tmp_path: Path, capsys: pytest.CaptureFixture[str], member: str) -> None:
    path = write_keras(tmp_path / "m.keras", keras3_cnn(), {member: b"x"})
    assert "unsafe member name" in lint_error(path, capsys)


def test_hdf5_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h5py = pytest.importorskip("h5py")
    write_h5(tmp_path / "bad.h5", b"\xffgarbage")
    assert "model_config" in lint_error(tmp_path / "bad.h5", capsys)
    with h5py.File(tmp_path / "int.h5", "w") as handle:
        handle.attrs["model_config"] = 5
    assert "damaged model_config" in lint_error(tmp_path / "int.h5", capsys)
    with h5py.File(tmp_path / "x.weights.h5", "w") as handle:
        handle.create_group("layers").create_group("dense").create_dataset(
            "k", shape=(2, 2), dtype="f4"
        )
    assert "weights only" in lint_warning(tmp_path / "x.weights.h5", capsys)
    with h5py.File(tmp_path / "nocfg.h5", "w") as handle:
        handle.create_group("model_weights")
    assert "model_config attribute is missing" in lint_error(tmp_path / "nocfg.h5", capsys)
    good = write_h5(tmp_path / "good.h5", keras3_cnn())
    data = good.read_bytes()
    (tmp_path / "cut.h5").write_bytes(data[:600])
    assert "HDF5" in lint_error(tmp_path / "cut.h5", capsys)
    assert read_model(good).graph.name == "functional_1"


def test_savedmodel_without_keras_metadata_and_corrupted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "saved_model.pb").write_bytes(b"\x08\x01")
    assert "without Keras metadata" in lint_warning(export, capsys)
    (export / "keras_metadata.pb").write_bytes(b"\x0a\xff\xff\xff\xff\x0f")
    assert "corrupted" in lint_error(export, capsys)


@pytest.mark.parametrize("content", ["empty", "project"])
def test_inspect_a_folder_says_it_is_one_and_what_inspect_takes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    """Issue 23 point 7: not 'a TensorFlow SavedModel without Keras metadata'."""
    folder = tmp_path / content
    folder.mkdir()
    if content == "project":
        (folder / "train.py").write_text("import keras\n")
        (folder / "data").mkdir()
    assert main(["inspect", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"error: {folder.as_posix()}: is a directory, not a SavedModel (no saved_model.pb); give"
        " a .keras or .h5 model file, a SavedModel directory, or a .py/.ipynb source file"
    ]
    assert out == ""


def test_errors_are_input_errors_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "m.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(InputError):
        read_model(tmp_path / "m.h5")
