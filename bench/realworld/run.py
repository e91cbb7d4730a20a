"""kerasfix on public Keras code: a crash/hang/time sweep and a labelled recall set.

    python bench/realworld/run.py collect [--mirrors /work/.mirror]   # (re)write sources.json
    python bench/realworld/run.py collect --repos a/b,c/d [--split heldout3|4|...|18]
                                    # (re)write sources_heldout2.json (or the split's list)
    python bench/realworld/run.py [--scratch DIR] [--mirrors DIR] [--no-timing]
    python bench/realworld/run.py labels [--split S]  # score labels.json (heldout3-18: by name)
    python bench/realworld/run.py verify-labels [--write]             # rebuild labels in Keras
    python bench/realworld/run.py repos [--missing]   # the corpus's repositories, sweep first

Only references are committed here (sources.json: repo, commit, path; labels.json: sites
and their truth), never the third-party files. The script extracts the files from local
git snapshots of the repositories (`<mirrors>/<owner>+<name>/repo`, as the project's
search tool's `fetch` leaves them) into a scratch directory; repositories whose snapshot
is absent are named and skipped. The analysed files are never executed: kerasfix reads
them, and the label truth comes from the small Keras snippets written by hand in
labels.json (`verify-labels` runs only those).

The sweep runs `kerasfix lint DIR --output-format json` once per repository with default
settings (result cache on, as in pre-commit) and counts tracebacks, per-file errors and
timeouts; a second pass times every file alone in-process (`file_check.check_file`, default
settings, no cache) for the per-file p50/p99/max.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCES = HERE / "sources.json"
# Repositories of the fresh held-out splits: labelled, never swept, never fixed on.
HELDOUT_SOURCES = {
    "heldout2": HERE / "sources_heldout2.json",
    "heldout3": HERE / "sources_heldout3.json",
    "heldout4": HERE / "sources_heldout4.json",
    "heldout5": HERE / "sources_heldout5.json",
    "heldout6": HERE / "sources_heldout6.json",
    "heldout7": HERE / "sources_heldout7.json",
    "heldout8": HERE / "sources_heldout8.json",
    "heldout9": HERE / "sources_heldout9.json",
    "heldout10": HERE / "sources_heldout10.json",
    "heldout11": HERE / "sources_heldout11.json",
    "heldout12": HERE / "sources_heldout12.json",
    "heldout13": HERE / "sources_heldout13.json",
    "heldout14": HERE / "sources_heldout14.json",
    "heldout15": HERE / "sources_heldout15.json",
    "heldout16": HERE / "sources_heldout16.json",
    "heldout17": HERE / "sources_heldout17.json",
    "heldout18": HERE / "sources_heldout18.json",
    "heldout19": HERE / "sources_heldout19.json",
    "heldout20": HERE / "sources_heldout20.json",
    "heldout21": HERE / "sources_heldout21.json",
    "heldout22": HERE / "sources_heldout22.json",
    "heldout23": HERE / "sources_heldout23.json",
    "heldout24": HERE / "sources_heldout24.json",
    "heldout25": HERE / "sources_heldout25.json",
    "heldout26": HERE / "sources_heldout26.json",
    "heldout27": HERE / "sources_heldout27.json",
    "heldout28": HERE / "sources_heldout28.json",
    "heldout29": HERE / "sources_heldout29.json",
    "heldout30": HERE / "sources_heldout30.json",
    "heldout31": HERE / "sources_heldout31.json",
    "heldout32": HERE / "sources_heldout32.json",
    "heldout33": HERE / "sources_heldout33.json",
    "heldout34": HERE / "sources_heldout34.json",
    "heldout35": HERE / "sources_heldout35.json",
}
LABELS = HERE / "labels.json"
# Splits kept for one final, clean measurement: scored (and their files linted) only when
# asked for by name (`labels --split heldout3`), never as part of a default run.
SCORED_ONLY_BY_NAME = {
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
    "heldout9",
    "heldout10",
    "heldout11",
    "heldout12",
    "heldout13",
    "heldout14",
    "heldout15",
    "heldout16",
    "heldout17",
    "heldout18",
    "heldout19",
    "heldout20",
    "heldout21",
    "heldout22",
    "heldout23",
    "heldout24",
    "heldout25",
    "heldout26",
    "heldout27",
    "heldout28",
    "heldout29",
    "heldout30",
    "heldout31",
    "heldout32",
    "heldout33",
    "heldout34",
    "heldout35",
}
DEFAULT_MIRRORS = Path("/work/.mirror")
SUFFIXES = (".py", ".ipynb")
MAX_BYTES = 4 * 1024 * 1024
REPO_TIMEOUT = 1800  # seconds for one repository's whole lint run


def git_dir(mirrors: Path, repo: str) -> Path | None:
    base = mirrors / repo.replace("/", "+") / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").exists():
            return candidate
    return None


def git(gdir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={gdir}", *args], check=True, capture_output=True, text=True
    ).stdout


def collect(mirrors: Path, repos: list[str] | None = None, out: Path = SOURCES) -> None:
    """Write `out`: every .py/.ipynb (< 4 MiB) at HEAD of every snapshot present (or of `repos`).
    The sweep's list leaves out every held-out split's repositories: they are labelled, not
    swept."""
    entries: list[dict[str, str]] = []
    held_out: set[str] = set()
    if repos is None:
        held_out = {e["repo"] for listing in held_out_listings() for e in read_listing(listing)}
    for folder in sorted(mirrors.iterdir()):
        if not folder.is_dir() or "+" not in folder.name:
            continue
        repo = folder.name.replace("+", "/", 1)
        if (repos is not None and repo not in repos) or repo in held_out:
            continue
        gdir = git_dir(mirrors, repo)
        if gdir is None:
            continue
        commit = git(gdir, "rev-parse", "HEAD").strip()
        # -z: paths verbatim (without it git quotes non-ASCII paths and they were dropped)
        for line in filter(None, git(gdir, "ls-tree", "-r", "-l", "-z", commit).split("\0")):
            meta, path = line.split("\t", 1)
            size = meta.split()[3]
            if path.endswith(SUFFIXES) and size.isdigit() and int(size) < MAX_BYTES:
                entries.append({"repo": repo, "commit": commit, "path": path})
    out.write_text(json.dumps(entries, indent=1) + "\n")
    found = {e["repo"] for e in entries}
    print(f"{out.name}: {len(entries)} files from {len(found)} repositories")


def held_out_listings() -> tuple[Path, ...]:
    """The held-out splits' source lists that exist (a split may not be collected yet)."""
    return tuple(path for path in HELDOUT_SOURCES.values() if path.exists())


def list_repos(mirrors: Path, missing_only: bool) -> None:
    """Every repository the sweep and the labelled splits read, one per line: the sweep's
    first, then each split's, newest split first. A session's `fetch` brings at most 500
    repositories and the corpus has more: fetch in this order (`--missing`: only those
    without a snapshot), so the sweep and the newest parts are whole."""

    def split_number(item: tuple[str, Path]) -> int:
        digits = item[0].removeprefix("heldout")
        return int(digits) if digits.isdigit() else 1

    listings = [SOURCES] + [
        path for _, path in sorted(HELDOUT_SOURCES.items(), key=split_number, reverse=True)
    ]
    seen: set[str] = set()
    for listing in listings:
        if not listing.exists():
            continue
        for entry in read_listing(listing):
            repo = entry["repo"]
            if repo in seen:
                continue
            seen.add(repo)
            if not missing_only or git_dir(mirrors, repo) is None:
                print(repo)


def read_listing(listing: Path) -> list[dict[str, str]]:
    return json.loads(listing.read_text())


def extract(
    mirrors: Path, scratch: Path, sources: tuple[Path, ...] = (SOURCES,)
) -> dict[str, Path]:
    """Write every source file into scratch/<owner>+<name>/<path>; return repo -> folder."""
    by_repo: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entry in (e for listing in sources for e in read_listing(listing)):
        by_repo[(entry["repo"], entry["commit"])].append(entry["path"])
    folders: dict[str, Path] = {}
    missing: list[str] = []
    for (repo, commit), paths in sorted(by_repo.items()):
        gdir = git_dir(mirrors, repo)
        if gdir is None:
            missing.append(repo)
            continue
        folder = scratch / repo.replace("/", "+")
        specs = "".join(f"{commit}:{path}\n" for path in paths)
        out = subprocess.run(
            ["git", f"--git-dir={gdir}", "cat-file", "--batch"],
            input=specs.encode(),
            capture_output=True,
            check=True,
        ).stdout
        pos = 0
        for path in paths:
            header_end = out.index(b"\n", pos)
            header = out[pos:header_end].split()
            pos = header_end + 1
            if len(header) < 3 or header[1] != b"blob":
                continue  # "missing": that commit is not in this snapshot
            size = int(header[2])
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(out[pos : pos + size])
            pos += size + 1
        folders[repo] = folder
    if missing:
        print(f"snapshots absent, skipped: {', '.join(missing)}")
    return folders


def lint_repo(folder: Path, files: list[str] | None = None) -> dict[str, Any]:
    """One default `kerasfix lint` over a repository folder (cache on), as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("KERASFIX_NO_CACHE", None)
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "kerasfix",
                "lint",
                *(files or ["."]),
                "--output-format",
                "json",
            ],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=REPO_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return {"hung": True, "seconds": REPO_TIMEOUT, "findings": [], "stderr": ""}
    try:
        findings = json.loads(proc.stdout) if proc.stdout.strip() else []
    except json.JSONDecodeError:
        findings = []
    return {
        "hung": False,
        "seconds": time.perf_counter() - start,
        "code": proc.returncode,
        "findings": findings,
        "stderr": proc.stderr,
    }


TIMER = """
import json, sys, time
from pathlib import Path
from kerasfix.discovery import discover
from kerasfix.file_check import check_file
from kerasfix.settings import Settings
settings = Settings()
for path, kind in discover([Path(sys.argv[1])], settings):
    start = time.perf_counter()
    outcome = check_file(path, kind, settings)
    took = time.perf_counter() - start
    error = outcome.error.message if outcome.error else None
    print(json.dumps({"path": path.as_posix(), "seconds": took, "error": error}), flush=True)
"""


def time_repo(folder: Path) -> list[dict[str, Any]]:
    """Seconds per file, each file checked alone in-process with default settings."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", TIMER, "."],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=REPO_TIMEOUT,
    )
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def repo_of(file: str) -> str:
    """The `owner/name` a labelled or linted path (`owner/name/path/in/repo`) belongs to."""
    return "/".join(file.split("/")[:2])


def site_key(item: dict[str, Any]) -> tuple[str, int | None, int]:
    """(file, cell, line) of a label or of a finding (whose file is in `_file`)."""
    return (item.get("_file", item.get("file")), item.get("cell"), item["line"])


def where(site: dict[str, Any]) -> str:
    cell = f":cell {site['cell']}" if site.get("cell") else ""
    return f"{site['file']}{cell}:{site['line']}"


def score_split(
    sites: list[dict[str, Any]],
    findings: dict[str, list[dict[str, Any]]],
    misses: list[str],
    sampled: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Precision and recall of KF001, exact counts on hits, coverage of unknown-size sites.
    In a `sampled` repository only the drawn lines are labelled: findings elsewhere are not
    scored."""
    expected = {site_key(s): s for s in sites}
    in_files = [f for file in {s["file"] for s in sites} for f in findings.get(file, [])]
    in_files = [
        f for f in in_files if repo_of(f["_file"]) not in sampled or site_key(f) in expected
    ]
    flagged = [f for f in in_files if f["rule"] == "KF001"]
    hits = {site_key(f): f for f in flagged if expected.get(site_key(f), {}).get("rule") == "KF001"}
    for f in flagged:
        if site_key(f) not in hits:
            misses.append(f"  false positive {where(f | {'file': f['_file']})}: {f['message']}")
    want = [s for s in sites if s["rule"] == "KF001"]
    exact = 0
    for site in want:
        hit = hits.get(site_key(site))
        if hit is None:
            got = [f["rule"] for f in in_files if site_key(f) == site_key(site)]
            misses.append(f"  missed {where(site)}: got {got or 'nothing'}")
        elif site.get("units_static") is False:
            continue  # the Dense width is a run-time value: no exact count to check
        elif [hit["params_flatten"], hit["params_pooling"]] == [
            site["params_flatten"],
            site["params_pooling"],
        ]:
            exact += 1
        else:
            misses.append(
                f"  inexact {where(site)}: {hit['params_flatten']}/{hit['params_pooling']}, "
                f"Keras {site['params_flatten']}/{site['params_pooling']}"
            )
    unknown = [s for s in sites if s["rule"] == "KF002"]
    reported = {site_key(f) for f in in_files}
    covered = sum(1 for s in unknown if site_key(s) in reported)
    for s in unknown:
        if site_key(s) not in reported:
            misses.append(f"  unknown-size site not reported {where(s)}")
    return {
        "sites": len(sites),
        "kf001": len(want),
        # by site: a two-headed site flagged twice is one site
        "precision": (len(hits), len({site_key(f) for f in flagged})),
        "recall": (len(hits), len(want)),
        "exact": (
            exact,
            sum(1 for s in want if site_key(s) in hits and s.get("units_static") is not False),
        ),
        "unknown": (covered, len(unknown)),
    }


def ratio(pair: tuple[int, int]) -> str:
    done, total = pair
    return f"{done / total:.2f} ({done}/{total})" if total else "- (0/0)"


def labelled_sites(only: str | None) -> list[dict[str, Any]]:
    """The sites of split `only`, or of every split but those scored only by name."""
    return [
        site
        for site in json.loads(LABELS.read_text())["sites"]
        if site["split"] == only or (only is None and site["split"] not in SCORED_ONLY_BY_NAME)
    ]


def score_labels(
    findings: dict[str, list[dict[str, Any]]],
    only: str | None = None,
    absent: frozenset[str] = frozenset(),
) -> None:
    """Print the labelled-set table, one row per split, then every miss. Sites of the
    `absent` repositories (no snapshot to lint) are left out."""
    if not LABELS.exists():
        print("labels.json absent: no labelled scores")
        return
    by_split: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for site in labelled_sites(only):
        if repo_of(site["file"]) not in absent:
            by_split[site["split"]].append(site)
    print("\n## Labelled set")
    print("| split | sites | KF001 sites | precision | recall | exact | unknown-size reported |")
    print("|---|---|---|---|---|---|---|")
    misses: list[str] = []
    sampled = frozenset(json.loads(LABELS.read_text()).get("sampled_repos", {}))
    for split, sites in sorted(by_split.items()):
        misses.append(f"[{split}]")
        row = score_split(sites, findings, misses, sampled)
        print(
            f"| {split} | {row['sites']} | {row['kf001']} | {ratio(row['precision'])} "
            f"| {ratio(row['recall'])} | {ratio(row['exact'])} | {ratio(row['unknown'])} |"
        )
    print("\n".join(misses))


def keras_truth(site: dict[str, Any]) -> tuple[list[int], int, int]:
    """Shape entering Flatten and both heads' Dense parameters, built by Keras itself."""
    import math

    import keras
    from keras import layers as L

    def seq(shape: tuple[int, ...], *stack: Any) -> Any:
        x = keras.Input(shape)
        for layer in stack:
            x = layer(x)
        return x

    scope: dict[str, Any] = {"keras": keras, "L": L, "seq": seq}
    exec(site["keras"], scope)  # our own snippet from labels.json, never analysed code
    shape = [int(d) for d in scope["feature"].shape[1:]]
    channels = shape[0] if site.get("data_format") == "channels_first" else shape[-1]
    bias = site.get("dense_use_bias", True)  # `Dense(1, use_bias=False)` of a GAN critic
    flat = L.Dense(site["dense_units"], use_bias=bias)
    pooled = L.Dense(site["dense_units"], use_bias=bias)
    flat.build((None, math.prod(shape)))
    pooled.build((None, channels))
    return shape, flat.count_params(), pooled.count_params()


def verify_labels(write: bool) -> None:
    """Rebuild every labelled site's hand-written Keras snippet; compare (or fill) its numbers."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    data = json.loads(LABELS.read_text())
    bad = 0
    for site in data["sites"]:
        if not site.get("keras"):
            continue
        shape, params_flatten, params_pooling = keras_truth(site)
        if write:
            site.update(shape=shape, params_flatten=params_flatten, params_pooling=params_pooling)
        elif [shape, params_flatten, params_pooling] != [
            site["shape"],
            site["params_flatten"],
            site["params_pooling"],
        ]:
            bad += 1
            print(f"MISMATCH {where(site)}: Keras {shape} {params_flatten} {params_pooling}")
    if write:
        LABELS.write_text(json.dumps(data, indent=1) + "\n")
    print(f"{len(data['sites'])} labelled sites, {bad} differ from Keras")
    sys.exit(1 if bad else 0)


def sweep(mirrors: Path, scratch: Path, timing: bool) -> None:
    folders = extract(mirrors, scratch)
    total_files = sum(1 for f in scratch.rglob("*") if f.suffix in SUFFIXES)
    print(f"# Real-world sweep: {total_files} files from {len(folders)} repositories in {scratch}")
    tracebacks: list[str] = []
    errors: list[str] = []
    hung: list[str] = []
    rules: Counter[str] = Counter()
    findings_by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    wall = 0.0
    for repo, folder in sorted(folders.items()):
        result = lint_repo(folder)
        wall += result["seconds"]
        if result["hung"]:
            hung.append(repo)
        if "Traceback (most recent call last)" in result["stderr"]:
            tracebacks.append(f"{repo}: {result['stderr'].strip().splitlines()[-1]}")
        for line in result["stderr"].splitlines():
            if line.startswith("error:") or ": internal error" in line or "timed out" in line:
                errors.append(f"{repo}: {line}")
        for finding in result["findings"]:
            rules[finding["rule"]] += 1
            file = f"{repo}/{finding['path'].removeprefix('./')}"
            finding["_file"] = file
            findings_by_file[file].append(finding)
    (scratch / "findings.json").write_text(json.dumps(findings_by_file, indent=1))
    print(f"lint wall time, all repositories: {wall:.1f} s")
    print(f"tracebacks: {len(tracebacks)}")
    for line in tracebacks:
        print(f"  {line}")
    print(f"repositories over {REPO_TIMEOUT} s: {len(hung)} {hung}")
    print(f"per-file error lines: {len(errors)}")
    for line in errors:
        print(f"  {line}")
    print(f"findings: KF001 {rules['KF001']}, KF002 {rules['KF002']}")
    if timing:
        times: list[tuple[float, str]] = []
        timeouts = []
        for repo, folder in sorted(folders.items()):
            for row in time_repo(folder):
                times.append((row["seconds"], f"{repo}/{row['path'].removeprefix('./')}"))
                if row["error"] and "timed out" in row["error"]:
                    timeouts.append(row["path"])
        seconds = [t for t, _ in times]
        if seconds:
            print(
                f"per-file time over {len(seconds)} files: "
                f"p50 {statistics.median(seconds) * 1000:.1f} ms, "
                f"p99 {percentile(seconds, 0.99) * 1000:.1f} ms, max {max(seconds) * 1000:.1f} ms "
                f"({max(times)[1]}); timeouts: {len(timeouts)}"
            )
            print("slowest:")
            for took, name in sorted(times, reverse=True)[:5]:
                print(f"  {took:.3f} s {name}")
    # Splits of repositories outside the sweep (heldout2) are scored by `run.py labels`; here
    # they would read as all missed.
    outside = frozenset(
        repo for site in labelled_sites(None) if (repo := repo_of(site["file"])) not in folders
    )
    if outside:
        print(
            f"\nlabelled sites of {len(outside)} repositories outside this sweep left out "
            "(score them with: run.py labels)"
        )
    score_labels(findings_by_file, absent=outside)


def score_only(mirrors: Path, scratch: Path, only: str | None) -> None:
    """Lint only the labelled files of the scored splits (one run per repository); score them."""
    folders = extract(mirrors, scratch, (SOURCES, *held_out_listings()))
    wanted: dict[str, set[str]] = defaultdict(set)
    for site in labelled_sites(only):
        repo = repo_of(site["file"])
        wanted[repo].add(site["file"].split("/", 2)[2])
    findings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    absent = sorted(set(wanted) - set(folders))
    if absent:  # named by extract(); their sites are left out of the scores, not missed
        print(f"not scored (no snapshot): {len(absent)} repositories")
    for repo, files in sorted(wanted.items()):
        if repo in absent:
            continue
        result = lint_repo(folders[repo], sorted(files))
        if "Traceback (most recent call last)" in result["stderr"]:
            print(f"traceback in {repo}: {result['stderr'].strip().splitlines()[-1]}")
        for finding in result["findings"]:
            finding["_file"] = f"{repo}/{finding['path'].removeprefix('./')}"
            findings[finding["_file"]].append(finding)
    score_labels(findings, only, frozenset(absent))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="sweep",
        choices=("sweep", "labels", "collect", "verify-labels", "repos"),
    )
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument(
        "--scratch", type=Path, default=None, help="extraction folder (default: a temporary one)"
    )
    parser.add_argument(
        "--write", action="store_true", help="verify-labels: fill in Keras' numbers"
    )
    parser.add_argument(
        "--split",
        help="labels: score only this split (dev, heldout, heldout2, heldout3, heldout4, "
        "heldout5, heldout6, heldout7, heldout8, heldout9, heldout10, heldout11); "
        "collect --repos: the held-out split whose list to write (default heldout2)",
    )
    parser.add_argument(
        "--repos",
        help="collect: only these owner/name (comma-separated), into the held-out split's list",
    )
    parser.add_argument("--no-timing", action="store_true", help="skip the per-file timing pass")
    parser.add_argument(
        "--missing", action="store_true", help="repos: only those without a snapshot"
    )
    args = parser.parse_args()
    if args.command == "collect" and args.repos:
        split = args.split or "heldout2"
        if split not in HELDOUT_SOURCES:
            parser.error(f"--split with --repos: one of {', '.join(HELDOUT_SOURCES)}")
        collect(args.mirrors, args.repos.split(","), HELDOUT_SOURCES[split])
    elif args.command == "collect":
        collect(args.mirrors)
    elif args.command == "repos":
        list_repos(args.mirrors, args.missing)
    elif args.command == "verify-labels":
        verify_labels(args.write)
    else:
        with tempfile.TemporaryDirectory(prefix="kf-realworld-") as temporary:
            scratch = args.scratch or Path(temporary)
            scratch.mkdir(parents=True, exist_ok=True)
            if args.command == "labels":
                score_only(args.mirrors, scratch, args.split)
            else:
                sweep(args.mirrors, scratch, not args.no_timing)


if __name__ == "__main__":
    main()
