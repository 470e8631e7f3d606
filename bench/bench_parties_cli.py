"""`chokepoint parties screen` end to end against the full CSL: names/s and memory.

What a user runs: the CSL imported into a database (not timed), then
`chokepoint parties screen names.txt` in a fresh process, start-up included (interpreter,
imports, reading the list versions, loading the cached index; the first run after an
import also builds the index, reported separately). Names are distinct (bench_parties.py's
20,000 labelled queries: corrupted list aliases and look-alike negatives, about half of
them hit; or, with --quick-names, CSL aliases with one letter dropped), plus the
cross-script cases of eval_cross_script.py when present. Memory is the
peak of the summed resident set of the process tree (parent and workers), sampled every
20 ms. A plain rapidfuzz baseline (token_sort_ratio >= 80 over every alias, one process) runs on
the same names and machine.

Run: .venv/bin/python bench/bench_parties_cli.py [--names 20000] [--workers 1 2]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CSL = Path("/work/shared/data/lists/csl-2026-07-31/screening-list.json")
CHOKEPOINT = [sys.executable, "-m", "cli"]


def _tree_rss_kb(pid: int) -> int:
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            todo.extend(int(c) for c in children)
        except OSError:
            continue
    return total


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak tree RSS (KiB), stdout."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen([*CHOKEPOINT, *args], env=env, stdout=out, cwd=ROOT)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        if proc.returncode:
            raise SystemExit(f"chokepoint {' '.join(args)} failed ({proc.returncode})")
        out.seek(0)
        return elapsed, peak, out.read().decode()


def baseline(names: list[str], workers: int) -> float:
    """Plain rapidfuzz over the CSL's aliases: names/s (index build excluded)."""
    from anyascii import anyascii
    from rapidfuzz import fuzz, process

    from screener.parties.importers import read_list
    from screener.parties.normalize import fold

    entries, _ = read_list(CSL, "csl-compact")
    texts = [fold(a.name) for e in entries for a in e.all_names()]
    queries = [fold(anyascii(n)) for n in names]
    started = time.perf_counter()
    for q in queries:  # process.cdist needs numpy, which the project does not install
        process.extract(q, texts, scorer=fuzz.token_sort_ratio, score_cutoff=80, limit=10)
    return len(queries) / (time.perf_counter() - started)


def main() -> None:
    import bench_parties as bp

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", type=int, default=20_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument(
        "--quick-names", action="store_true", help="CSL aliases with a letter dropped"
    )
    args = ap.parse_args()
    if args.quick_names or not bp.NAMES.exists():
        # without the generated queries: every distinct alias of the CSL, each with one
        # letter changed (so none is an exact key), shuffled
        import random

        from screener.parties.importers import read_list

        entries, _ = read_list(CSL, "csl-compact")
        rng = random.Random(7)
        names = []
        for e in entries:
            for a in e.all_names():
                w = a.name
                i = rng.randrange(len(w)) if len(w) > 6 else -1
                names.append(w[:i] + w[i + 1 :] if i > 0 else w)
        names = list(dict.fromkeys(names))
        rng.shuffle(names)
        names = names[: args.names]
    else:
        names = bp.bench_names(args.names, seed=7)
    extra = ROOT / "bench" / "out" / "eval_cross_script.cases.jsonl"
    if extra.exists():
        names += [json.loads(line)["query"] for line in extra.open()]
    names = list(dict.fromkeys(names))
    tmp = Path(tempfile.mkdtemp(prefix="cp-bench-cli-"))
    env = {**os.environ, "CHOKEPOINT_CACHE_DIR": str(tmp / "cache"), "PYTHONPATH": str(ROOT)}
    db = f"sqlite:///{tmp / 'lists.db'}"
    subprocess.run(
        [*CHOKEPOINT, "lists", "import", str(CSL), "--format", "csl-compact", "--db", db],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    path = tmp / "names.txt"
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    one = tmp / "one.txt"
    one.write_text("Huawei Technologies Co., Ltd.\n")
    report: dict[str, object] = {"names": len(names)}
    first, peak, _ = run_cli(["parties", "screen", str(one), "--db", db], env)
    report["first run after import (builds and caches the index), 1 name"] = {
        "seconds": round(first, 2),
        "peak_mib": round(peak / 1024),
    }
    startup, peak, _ = run_cli(["parties", "screen", str(one), "--db", db], env)
    report["start-up alone (cached index), 1 name"] = {"seconds": round(startup, 2)}
    for w in args.workers:
        secs, peak, out = run_cli(
            ["parties", "screen", str(path), "--db", db, "--workers", str(w)], env
        )
        lines = out.splitlines()
        hit = sum(1 for line in lines if json.loads(line).get("hits"))
        report[f"{w} worker(s)"] = {
            "seconds": round(secs, 2),
            "names_per_s": round(len(names) / secs),
            "names_per_s_excluding_startup": round(len(names) / max(secs - startup, 1e-9)),
            "peak_tree_mib": round(peak / 1024),
            "names_with_hits": hit,
        }
    print(json.dumps(report, indent=2), flush=True)
    if not args.skip_baseline:
        report["rapidfuzz token_sort_ratio >= 80 (process.extract, one process), names/s"] = round(
            baseline(names, -1)
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
