"""A seeded random sample of the sweep's KF001 findings, each rebuilt in Keras 3.

    python bench/realworld/run.py --scratch DIR --no-timing       # the sweep: DIR/findings.json
    python bench/realworld/rebuilt_sample.py draw DIR/findings.json [--seed 12 --size 50]
    # then write, by hand, each site's `keras` reconstruction (read from the source at `commit`)
    python bench/realworld/rebuilt_sample.py build     # Keras numbers and verdicts, in place
    python bench/realworld/rebuilt_sample.py check     # rebuild and compare: exit 1 on a change

`draw` sorts the sweep's KF001 findings by (file, cell, line) and takes `random.Random(seed)
.sample`, so the same sweep and seed give the same sites; it records kerasfix's numbers for
each. Every `keras` snippet is our own minimal reconstruction of the layers before Flatten
(never the analysed code): it assigns `feature`, the tensor that enters Flatten, built with
`weights=None` and no download. `build` runs them (run.py's `keras_truth`) and writes Keras's
numbers and the verdicts; the numbers in rebuilt_sample.json are never written by hand.

Verdicts: *real* when Keras builds the stack and the map entering Flatten has more than one
spatial position (pooling then changes the parameter count) and the site was not marked
`not_a_site` on reading (with the reason); *shape_exact* when kerasfix's shape equals Keras's;
*exact* when the shape and both parameter counts do, or null when kerasfix gave no counts (a
Dense width known only at run time: the snippet then builds with the width noted in `note`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import SOURCES, keras_truth  # noqa: E402  (run.py is a script beside this one)

SAMPLE = HERE / "rebuilt_sample.json"
KERASFIX_FIELDS = ("shape", "dense_units", "params_flatten", "params_pooling", "message")


def draw(findings_path: Path, seed: int, size: int) -> None:
    """Write the sample's sites with kerasfix's numbers, keeping reconstructions already written."""
    findings = json.loads(findings_path.read_text())
    flagged = sorted(
        (f for per_file in findings.values() for f in per_file if f["rule"] == "KF001"),
        key=lambda f: (f["_file"], f["cell"] if f["cell"] is not None else -1, f["line"]),
    )
    commits = {e["repo"]: e["commit"] for e in json.loads(SOURCES.read_text())}
    old = {_key(s): s for s in json.loads(SAMPLE.read_text())["sites"]} if SAMPLE.exists() else {}
    sites = []
    for finding in random.Random(seed).sample(flagged, size):
        owner, name, path = finding["_file"].split("/", 2)
        site = {
            "repo": f"{owner}/{name}",
            "commit": commits[f"{owner}/{name}"],
            "path": path,
            "cell": finding["cell"],
            "line": finding["line"],
            "kerasfix": {field: finding[field] for field in KERASFIX_FIELDS},
        }
        kept = old.get(_key(site), {})
        site.update(
            {k: kept.get(k) for k in ("keras", "dense_units", "data_format", "not_a_site", "note")}
        )
        sites.append(site)
    about = {
        "about": __doc__.split("\n\n", 2)[2].strip(),
        "drawn_from": f"{len(flagged)} KF001 findings of the sweep",
        "draw": f"rebuilt_sample.py draw findings.json --seed {seed} --size {size}",
    }
    SAMPLE.write_text(json.dumps(about | {"sites": sites}, indent=1) + "\n")
    print(f"drew {size} of {len(flagged)} KF001 findings (seed {seed}) into {SAMPLE.name}")


def _key(site: dict[str, Any]) -> tuple[str, str, int | None, int]:
    return (site["repo"], site["path"], site["cell"], site["line"])


def rebuild(site: dict[str, Any]) -> dict[str, Any]:
    """Keras's numbers for one site, or the error Keras raised while building it."""
    try:
        shape, params_flatten, params_pooling = keras_truth(site)
    except Exception as error:  # Keras refusing the stack is the result, not a crash
        return {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"}
    return {"shape": shape, "params_flatten": params_flatten, "params_pooling": params_pooling}


def verdict(site: dict[str, Any], keras: dict[str, Any]) -> dict[str, bool | None]:
    """real, shape_exact, and exact (None when kerasfix gave no numbers: a run-time Dense width)."""
    claimed = site["kerasfix"]
    built = "error" not in keras
    channels = 1
    if built:
        first = site.get("data_format") == "channels_first"
        channels = keras["shape"][0] if first else keras["shape"][-1]
    real = built and not site.get("not_a_site") and math.prod(keras["shape"]) > channels
    shape_exact = real and claimed["shape"] == keras["shape"]
    exact: bool | None = shape_exact and all(
        claimed[k] == keras[k] for k in ("params_flatten", "params_pooling")
    )
    if real and claimed["params_flatten"] is None:
        exact = None
    return {"real": real, "shape_exact": shape_exact, "exact": exact}


def build(check: bool) -> None:
    """Rebuild every reconstruction; write (or, with check, compare) Keras's numbers."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    data = json.loads(SAMPLE.read_text())
    changed = 0
    for site in data["sites"]:
        if not site.get("keras"):
            sys.exit(
                f"error: no reconstruction yet for {site['repo']}/{site['path']}:{site['line']}"
            )
        keras = rebuild(site)
        result = {"keras_result": keras, "verdict": verdict(site, keras)}
        if check and any(site.get(k) != v for k, v in result.items()):
            changed += 1
            print(f"CHANGED {site['repo']}/{site['path']}:{site['line']}: {result}")
        site.update(result)
    summarise(data["sites"])
    if check:
        print(f"{len(data['sites'])} sites rebuilt, {changed} differ from rebuilt_sample.json")
        sys.exit(1 if changed else 0)
    SAMPLE.write_text(json.dumps(data, indent=1) + "\n")


def summarise(sites: list[dict[str, Any]]) -> None:
    """The headline (real; exact among findings with numbers; shapes) and every other site."""
    real = [s for s in sites if s["verdict"]["real"]]
    numbered = [s for s in real if s["verdict"]["exact"] is not None]
    exact = [s for s in numbered if s["verdict"]["exact"]]
    shapes = [s for s in real if s["verdict"]["shape_exact"]]
    print(
        f"{len(real)}/{len(sites)} real, {len(exact)}/{len(numbered)} exact "
        f"(findings with numbers), shapes {len(shapes)}/{len(real)} exact"
    )
    for site in sites:
        state = site["verdict"]
        if state["exact"] or (state["exact"] is None and state["shape_exact"]):
            continue
        claimed, keras = site["kerasfix"], site["keras_result"]
        cell = f":cell {site['cell']}" if site["cell"] is not None else ""
        got = keras.get("error") or (
            f"{keras['shape']} {keras['params_flatten']:,}/{keras['params_pooling']:,}"
        )
        print(
            f"  {'inexact' if state['real'] else 'false'} {site['repo']}/{site['path']}"
            f"{cell}:{site['line']}: kerasfix {claimed['shape']} {claimed['params_flatten']}/"
            f"{claimed['params_pooling']}; Keras {got}"
            f"{'; ' + site['note'] if site.get('note') else ''}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("draw", "build", "check"))
    parser.add_argument("findings", nargs="?", type=Path, help="draw: the sweep's findings.json")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--size", type=int, default=50)
    args = parser.parse_args()
    if args.command == "draw":
        if args.findings is None:
            parser.error("draw needs the sweep's findings.json")
        draw(args.findings, args.seed, args.size)
    else:
        build(check=args.command == "check")


if __name__ == "__main__":
    main()
