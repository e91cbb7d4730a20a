"""Score KF003 on the labelled SFData programs (labels.json, made by label.py with Keras).

Recall: of the faults decidable from the file (the Stack Overflow file alone crashes in
Keras with a shape error, and the fix runs), how many KF003 reports on that file; the same
on the runnable buggy versions (`*_context.py`, data written in), whose every fault is in
the file. Precision: every KF003 on a fixed program that Keras runs is false; a KF003 on a
buggy file is confirmed where Keras crashed on that file with a shape error, confirmed on
the program where it crashed so on the program's other buggy version (the Stack Overflow
file and its runnable version share the model), and listed as not confirmed otherwise.

    python bench/shape_faults/run.py [--mirror /work/.mirror/tensfa+tensfa/repo] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def kf003(mirror: Path, commit: str, path: str, tmp: Path) -> list[str]:
    """KF003 messages for one stored file, linted as its own file."""
    from kerasfix.runner import lint_paths
    from kerasfix.settings import Settings

    text = subprocess.run(
        ["git", "-C", str(mirror), "show", f"{commit}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    target = tmp / Path(path).name
    target.write_text(text, encoding="utf-8")
    result = lint_paths([target], Settings(select=("KF003",)))
    return [f"{f.line}: {f.message}" for f in result.findings if f.rule == "KF003"]


def score(labels: list[dict], mirror: Path, verbose: bool) -> dict[str, object]:
    counts = {"decidable": 0, "found": 0, "buggy_runnable": 0, "buggy_found": 0}
    true_findings, false_findings, program_confirmed = 0, 0, 0
    false_places: list[str] = []
    other_version: list[str] = []
    fixed_false = 0
    with tempfile.TemporaryDirectory() as tmp:
        for entry in labels:
            fixed_ok = entry["fixed_run"]["ran"]
            findings = {
                key: kf003(mirror, entry["commit"], entry[key], Path(tmp))
                for key in ("original", "buggy_runnable", "fixed")
            }
            for key, run_key in (("original", "file_alone_run"), ("buggy_runnable", "buggy_run")):
                crashed = entry[run_key]["shape_error"]
                if crashed and fixed_ok:
                    counts["decidable" if key == "original" else "buggy_runnable"] += 1
                    if findings[key]:
                        counts["found" if key == "original" else "buggy_found"] += 1
                either = entry["file_alone_run"]["shape_error"] or entry["buggy_run"]["shape_error"]
                for message in findings[key]:
                    if crashed:
                        true_findings += 1
                    elif either:  # Keras hit a shape fault in the program's other version
                        program_confirmed += 1
                        other_version.append(f"{entry[key]}:{message}")
                    else:
                        false_findings += 1
                        false_places.append(f"{entry[key]}:{message}")
            if fixed_ok:
                for message in findings["fixed"]:
                    false_findings += 1
                    fixed_false += 1
                    false_places.append(f"{entry['fixed']}:{message}")
            if verbose:
                print(entry["id"], {k: len(v) for k, v in findings.items()},
                      entry["file_alone_run"]["error"], entry["buggy_run"]["error"])  # fmt: skip
    total = true_findings + program_confirmed + false_findings
    return {
        "programs": len(labels),
        "fixed_that_run": sum(1 for e in labels if e["fixed_run"]["ran"]),
        "recall_file": f"{counts['found']}/{counts['decidable']}",
        "recall_runnable_buggy": f"{counts['buggy_found']}/{counts['buggy_runnable']}",
        "findings": total,
        "confirmed_on_that_file": true_findings,
        "confirmed_on_the_programs_other_version": program_confirmed,
        "not_confirmed": false_findings,
        "on_fixes_that_run": fixed_false,
        "confirmed_by_the_other_version": other_version,
        "not_confirmed_findings": false_places,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror/tensfa+tensfa/repo"))
    parser.add_argument("--labels", type=Path, default=HERE / "labels.json")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    labels = json.loads(args.labels.read_text(encoding="utf-8"))
    print(json.dumps(score(labels, args.mirror, args.verbose), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
