"""Throughput of party screening against the full US CSL, on 2 cores.

Measures, for the matcher in screener/parties/matcher.py:

* index build time for the full CSL (25,921 parties, every alias);
* saved-index size and load time (in a fresh interpreter, as a worker or CLI run sees it);
* distinct names screened per second: in one process, and on N cores with processes
  forked after the index is built (copy-on-write; no pickling of the index), and with
  workers that each load the saved index instead;
* peak memory (ru_maxrss of the parent and of the largest worker).

The names are the labelled queries of bench/eval_matching.py (positives: corrupted list
aliases; negatives: look-alike companies and person names), de-duplicated, so about half of
them hit something; a real batch is de-duplicated before screening the same way.

Run: .venv/bin/python bench/bench_parties.py [--names 20000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eval_matching as em  # noqa: E402

from screener.parties.matcher import PartyMatcher  # noqa: E402

OUT = ROOT / "bench" / "out"
INDEX = OUT / "csl_index.pkl"

_MATCHER: PartyMatcher | None = None


def _screen(names: list[str]) -> tuple[int, int, float, int]:
    """Worker: screen names with the inherited (forked) matcher."""
    assert _MATCHER is not None
    started = time.perf_counter()
    hits = sum(1 for n in names if _MATCHER.match(n))
    elapsed = time.perf_counter() - started
    return len(names), hits, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _screen_loading(args: tuple[str, list[str]]) -> tuple[int, int, float, int, float]:
    """Worker: load the saved index itself, then screen."""
    path, names = args
    t0 = time.perf_counter()
    m = PartyMatcher.load(path)
    load_s = time.perf_counter() - t0
    started = time.perf_counter()
    hits = sum(1 for n in names if m.match(n))
    elapsed = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return len(names), hits, elapsed, rss, load_s


def bench_names(n: int, seed: int) -> list[str]:
    """Distinct query names: the eval cases if written, topped up by generating more."""
    names: list[str] = []
    for split in ("test", "dev"):
        path = OUT / f"eval_{split}_cases.jsonl"
        if path.exists():
            names.extend(json.loads(line)["query"] for line in path.open())
    names = list(dict.fromkeys(names))
    if len(names) < n:
        entries, _ = em.load_eval_lists()
        vocab = em._Vocab(entries)
        more, _ = em.generate(entries, seed=seed, n_pos=(n - len(names)) // 2 + 500,
                              n_neg=(n - len(names)) // 2 + 500, exclude=set(), vocab=vocab)
        names = list(dict.fromkeys([*names, *(c["query"] for c in more)]))
    rng = random.Random(seed)
    rng.shuffle(names)
    return names[:n]


def fresh_load_seconds(path: Path) -> float:
    code = (
        "import sys,time; sys.path.insert(0, %r);"
        "from screener.parties.matcher import PartyMatcher;"
        "t=time.perf_counter(); PartyMatcher.load(%r); print(time.perf_counter()-t)"
    ) % (str(ROOT), str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip())


def main() -> None:
    global _MATCHER
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    names = bench_names(args.names, args.seed)
    t0 = time.perf_counter()
    entries = em.load_csl()
    version = em.csl_version()
    load_list_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    matcher = PartyMatcher(entries, version)
    build_s = time.perf_counter() - t0
    stats = matcher.index_stats()
    matcher.save(INDEX)
    size_mb = INDEX.stat().st_size / 1e6
    load_s = min(fresh_load_seconds(INDEX) for _ in range(3))

    # one process (cold caches: a fresh copy of the index)
    single = PartyMatcher.load(INDEX)
    sample = names[: min(len(names), 6000)]
    t0 = time.perf_counter()
    for n in sample:
        single.match(n)
    single_rate = len(sample) / (time.perf_counter() - t0)
    del single

    # N processes forked after building the index
    _MATCHER = PartyMatcher.load(INDEX)
    chunks = [names[i :: args.workers] for i in range(args.workers)]
    ctx = mp.get_context("fork")
    t0 = time.perf_counter()
    with ctx.Pool(args.workers) as pool:
        results = pool.map(_screen, chunks)
    fork_wall = time.perf_counter() - t0
    fork_rate = len(names) / fork_wall
    hits = sum(r[1] for r in results)
    worker_rss = max(r[3] for r in results)

    # N processes that each load the saved index (spawn: nothing inherited)
    sctx = mp.get_context("spawn")
    t0 = time.perf_counter()
    with sctx.Pool(args.workers) as pool:
        loaded = pool.map(_screen_loading, [(str(INDEX), c) for c in chunks])
    spawn_wall = time.perf_counter() - t0
    spawn_rate = len(names) / spawn_wall

    parent_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary: dict[str, Any] = {
        "list": {"entries": stats["entries"], "aliases": stats["aliases"],
                 "version": version},
        "cpu_count": os.cpu_count(),
        "workers": args.workers,
        "distinct_names": len(names),
        "names_with_hits": hits,
        "load_csl_json_seconds": round(load_list_s, 2),
        "index_build_seconds": round(build_s, 2),
        "index_file_mb": round(size_mb, 1),
        "index_load_seconds_fresh_process": round(load_s, 3),
        "names_per_second_1_process": round(single_rate),
        f"names_per_second_{args.workers}_processes_fork": round(fork_rate),
        f"names_per_second_{args.workers}_processes_load_index": round(spawn_rate),
        "fork_wall_seconds": round(fork_wall, 2),
        "load_index_wall_seconds": round(spawn_wall, 2),
        "worker_load_seconds": [round(r[4], 2) for r in loaded],
        "peak_rss_mb": {
            "parent": round(parent_rss / 1024),
            "largest_worker_fork": round(worker_rss / 1024),
            "largest_worker_load_index": round(max(r[3] for r in loaded) / 1024),
            "children_max": round(children_rss / 1024),
        },
        "index": stats,
    }
    (OUT / "bench_parties.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    print()
    w = args.workers
    print("| measure | value |")
    print("|---|---|")
    print(f"| index build, full CSL ({stats['entries']:,} parties, {stats['aliases']:,} aliases)"
          f" | {build_s:.1f} s |")
    print(f"| saved index: size / load in a fresh process | {size_mb:.0f} MB / {load_s:.2f} s |")
    print(f"| distinct names/s, 1 process | {single_rate:,.0f} |")
    print(f"| distinct names/s, {w} processes (fork after build) | {fork_rate:,.0f} |")
    print(f"| distinct names/s, {w} processes (each loads the index) | {spawn_rate:,.0f} |")
    print(f"| peak RSS: parent / worker | {parent_rss / 1024:.0f} MB / {worker_rss / 1024:.0f} MB |")


if __name__ == "__main__":
    main()
