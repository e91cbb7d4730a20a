"""Bench: does `kerasfix rewrite --data` keep the deep digits CNN's accuracy on any CPU?

Issue 24's promise: held-out accuracy within half a point of the original's. The suite checks
one seed in its own setting (oneDNN off); this checks seeds 0, 1, 2 with TensorFlow's oneDNN
kernels off and on (`TF_ENABLE_ONEDNN_OPTS`, on by default on some CPUs only). For each
setting a child process trains the teacher per seed (with labels, that seed) and runs the
real CLI on its training inputs (no labels), measured on the test digits (--verify-data).
The last columns say what the default half-point check decides from the same figures: with
those labels (--verify-data), and without (the held-out part of --data only).
Run: python bench/bench_distill_seeds.py [--seeds 0,1,2] [--onednn 0,1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from kerasfix.model_rewrite.fidelity import PROMISE, check_promise  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--onednn", default="0,1")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.child:
        for seed in seeds:
            print(json.dumps(_one(seed)), flush=True)
        return
    children = []  # one per setting, run side by side (one core each on a 2-core machine)
    for setting in args.onednn.split(","):
        env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=setting)
        cmd = [sys.executable, __file__, "--child", "--seeds", args.seeds]
        children.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True))
    rows = []
    for child in children:
        out, _ = child.communicate()
        assert child.returncode == 0, out
        rows += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    print("| oneDNN | seed | original | rewritten | change | test agreement | held-out "
          "agreement | kept epoch | promise | default, --verify-data | default, no labels | "
          "time |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        change = r["after"] - r["before"]
        kept = "kept" if change >= -PROMISE - 1e-9 else "**lost**"
        print(
            f"| {'on' if r['onednn'] == '1' else 'off'} | {r['seed']} | {r['before']:.2%} | "
            f"{r['after']:.2%} | {change * 100:+.2f} | {r['agreement']:.2%} | "
            f"{r['heldout']} | {r['kept']} | {kept} | {r['labelled']} | {r['unlabelled']} | "
            f"{r['wall']:.0f} s |"
        )


def _decision(outputs: dict) -> str:
    """What the default check (no --min-agreement) does with these figures."""
    from kerasfix.model_rewrite.errors import RewriteError

    try:
        check_promise(outputs)
    except RewriteError:
        return "refused"
    return "written"


def _one(seed: int) -> dict:
    """Train the teacher under `seed`, rewrite it with the CLI, measure on the test digits."""
    import keras

    from tests.rewrite import distill_models as dm

    task = dm.digits()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        teacher, before = dm.trained(keras, dm.deep_cnn, task, 12, seed=seed)
        model = root / "model.keras"
        teacher.save(model)
        train, test = task.save(root)
        out = root / "slim.keras"
        cmd = [sys.executable, "-m", "kerasfix", "rewrite", str(model), "-o", str(out)]
        cmd += ["--data", str(train), "--verify-data", str(test), "--seed", str(seed)]
        began = time.perf_counter()
        # --min-agreement 0: always written, so every run is measured; what the default
        # check decides is computed below from the same figures (fidelity.check_promise)
        cmd += ["--min-agreement", "0", "--report-format", "json"]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - began
        report = json.loads(proc.stdout)
        run, outputs, held = report["distill"], report["outputs"], report["distill"]["heldout"]
        return {
            "seed": seed,
            "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", ""),
            "before": before,
            "wall": wall,
            "after": outputs["accuracy_after"],
            "agreement": outputs["top1_agreement"],
            "heldout": f"{held['top1_agreement']:.2%} of {int(held['samples'])}",
            "kept": f"{run['best_epoch']}/{run['epochs_run']}",
            "labelled": _decision(outputs),
            "unlabelled": _decision(held),
        }


if __name__ == "__main__":
    main()
