"""Generate README's screenshot: `kerasfix inspect --html` on VGG16, rendered by headless Chromium.

Usage: python scripts/readme_screenshot.py [--model VGG16.keras] [--out docs/inspect-vgg16.png]

Without --model it builds `keras.applications.VGG16(weights=None)` (with its top, 224x224
input) and saves it to a temporary directory (528 MB). Needs Keras and a Chromium/Chrome.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import headless_chromium  # noqa: E402

WIDTH, HEIGHT = 980, 740  # the headline figures and the whole chart, not the table


def build_vgg16(directory: Path) -> Path:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    path = directory / "vgg16.keras"
    keras.applications.VGG16(weights=None, include_top=True).save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=HERE.parent / "docs" / "inspect-vgg16.png")
    args = parser.parse_args(argv)
    browser = headless_chromium.find_browser()
    if browser is None:
        print("error: no chromium/google-chrome on PATH", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="kf-screenshot-") as tmp:
        directory = Path(tmp)
        model = args.model or build_vgg16(directory)
        # A stable title, whatever the temporary path: the README image should not churn.
        page = directory / "vgg16.html"
        subprocess.run(
            [sys.executable, "-m", "kerasfix", "inspect", str(model), "--html", str(page)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        text = page.read_text(encoding="utf-8").replace(model.as_posix(), "vgg16.keras")
        page.write_text(text, encoding="utf-8")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shot = headless_chromium.screenshot(browser, page, args.out, WIDTH, HEIGHT)
    if shot.console:
        print(f"error: console messages: {shot.console}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
