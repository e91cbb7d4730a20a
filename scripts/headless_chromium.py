"""Drive the system's headless Chromium (the Debian package) from Python: no download, no driver.

Used by the browser tests and by `scripts/readme_screenshot.py`. Each call starts a fresh
browser with a new profile directory: `--screenshot` for pixels, `--dump-dom` for the page
as the browser parsed it, and `--enable-logging=stderr --v=0` to collect console messages
(Chromium logs them as `INFO:CONSOLE...` lines). Also a small PNG decoder (zlib and struct
from the standard library) so a screenshot can be checked for being blank.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE = re.compile(r":CONSOLE[^\]]*\]\s*(.*)")
TIMEOUT = 120


def find_browser() -> str | None:
    """Path of an installed Chromium/Chrome, or None."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class Rendered:
    output: bytes  # the screenshot PNG, or the dumped DOM
    console: list[str]  # console messages the page produced


def run(browser: str, page: Path, mode: list[str], out_dir: Path) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="kf-chromium-") as profile:
        return subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *mode, page.resolve().as_uri()],
            cwd=out_dir,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )


def screenshot(
    browser: str, page: Path, png: Path, width: int = 1000, height: int = 1200
) -> Rendered:
    """Render `page` into `png` at the given window size."""
    done = run(
        browser,
        page,
        [f"--window-size={width},{height}", f"--screenshot={png.resolve()}"],
        png.parent,
    )
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot: {done.stderr.decode(errors='replace')}")
    return Rendered(png.read_bytes(), console_messages(done.stderr))


def dump_dom(browser: str, page: Path) -> Rendered:
    """The DOM after loading `page`, serialised by the browser."""
    done = run(browser, page, ["--dump-dom"], page.parent)
    return Rendered(done.stdout, console_messages(done.stderr))


def console_messages(stderr: bytes) -> list[str]:
    text = stderr.decode("utf-8", errors="replace")
    return [match.group(1) for match in CONSOLE.finditer(text)]


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows (RGB or RGBA, 8 bits) of a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    position, idat, header = 8, [], None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunk = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        position += 12 + length
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour})")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, channels)
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def _unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = previous[i]
        if kind == 1:
            line[i] = (line[i] + left) & 255
        elif kind == 2:
            line[i] = (line[i] + up) & 255
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            corner = previous[i - bpp] if i >= bpp else 0
            estimate = left + up - corner
            pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
            best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[i] = (line[i] + best) & 255


def colour_count(data: bytes) -> dict[bytes, int]:
    """How many pixels of each colour a PNG holds (RGB, alpha ignored)."""
    width, _, rows = png_pixels(data)
    channels = len(rows[0]) // width
    counts: dict[bytes, int] = {}
    for row in rows:
        for x in range(0, len(row), channels):
            pixel = row[x : x + 3]
            counts[pixel] = counts.get(pixel, 0) + 1
    return counts
