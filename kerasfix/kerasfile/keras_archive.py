"""Keras 3 `.keras` archives: a zip holding config.json, metadata.json and the weights.

Reading, only the zip's central directory and the two small JSON members are read; the
weights member is never opened here. Member sizes are checked before reading and reads are capped,
so a zip bomb or a lying header costs at most the cap.
"""

from __future__ import annotations

import posixpath
import shutil
import time
import zipfile
from pathlib import Path
from typing import IO, Any

from kerasfix.frontends.base import InputError, NoArchitecture
from kerasfix.kerasfile.sniff import parse_json
from kerasfix.kerasfile.zip_member import WEIGHTS_MEMBER
from kerasfix.limits import (
    COMPRESSION_CHECKED_BYTES,
    MAX_ARCHIVE_MEMBERS,
    MAX_COMPRESSION_RATIO,
    MAX_METADATA_BYTES,
    max_config_bytes,
)

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHT_MEMBERS = ("model.weights.h5", "model.weights.npz")


def read_archive(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(model config, metadata) from a `.keras` archive; InputError for anything else."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_members(infos)
            names = {info.filename: info for info in infos}
            if CONFIG not in names:
                if any(name.endswith(WEIGHT_MEMBERS) for name in names):
                    raise NoArchitecture(
                        "the archive holds weights only, no architecture (config.json)"
                    )
                raise InputError("a zip archive without config.json, not a Keras model")
            config = parse_json(_read(archive, names[CONFIG], max_config_bytes()), CONFIG)
            metadata: Any = {}
            if METADATA in names:
                try:
                    metadata = parse_json(
                        _read(archive, names[METADATA], MAX_METADATA_BYTES), METADATA
                    )
                except InputError:
                    metadata = {}  # metadata only adds the Keras version to the report
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"not a readable Keras archive (truncated or corrupted zip: {exc})"
        ) from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise InputError(f"unsupported zip archive ({exc})") from None
    except OSError as exc:
        raise InputError(f"cannot read the archive ({exc.strerror or exc})") from None
    if not isinstance(config, dict):
        raise InputError("config.json is not a JSON object")
    return config, metadata if isinstance(metadata, dict) else {}


def weights_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    """The weights file inside the archive, if any."""
    for info in archive.infolist():
        if info.filename in WEIGHT_MEMBERS:
            return info
    return None


def _check_members(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise InputError(f"the archive has more than {MAX_ARCHIVE_MEMBERS} members")
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if (
            name.startswith(("/", "\\"))
            or posixpath.isabs(name)
            or (len(name) > 1 and name[1] == ":")
            or ".." in parts
            or "\x00" in name
        ):
            raise InputError(f"unsafe member name {name[:80]!r} in the archive")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """A member's bytes, refusing it by its declared sizes first and reading at most `cap`."""
    if info.file_size > cap:
        raise InputError(
            f"{info.filename} is {info.file_size:,} bytes, over the {cap:,} byte limit"
        )
    if (
        info.compress_size > 0
        and info.file_size > COMPRESSION_CHECKED_BYTES
        and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
    ):
        raise InputError(
            f"{info.filename} expands {info.file_size // info.compress_size}x: a zip bomb"
        )
    if info.flag_bits & 0x1:
        raise InputError(f"{info.filename} is encrypted")
    with archive.open(info) as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise InputError(f"{info.filename} is over the {cap:,} byte limit")
    return data


def write_archive(
    handle: IO[bytes], members: dict[str, str | bytes], weights: IO[bytes], size: int
) -> None:
    """A `.keras` archive as Keras writes it: the JSON `members` (config.json,
    metadata.json), then the `size` bytes of HDF5 `weights` stored uncompressed, so readers
    open them in place (`zip_member.py`)."""
    with zipfile.ZipFile(handle, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        info = zipfile.ZipInfo(WEIGHTS_MEMBER, time.localtime()[:6])
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = size
        with archive.open(info, "w", force_zip64=size > (1 << 31)) as member:
            shutil.copyfileobj(weights, member, 16 << 20)
