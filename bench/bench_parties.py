"""Throughput of party screening against the full US CSL, on 2 cores.

Measures, for the matcher in screener/parties/matcher.py:

* index build time for the full CSL (25,921 parties, every alias);
* saved-index size and load time (in a fresh interpreter, as a worker or CLI run sees it);
* distinct names screened per second: in one process, and on N cores with processes
  forked from a process holding the index (built, saved, loaded back compact;
  copy-on-write, no pickling per worker; gc.freeze() before the fork, so the children's
  collector leaves the inherited index alone), and with workers that each load the saved
  index themselves;
* peak memory (ru_maxrss of the parent and of the largest worker).

The names are the labelled queries of bench/eval_matching.py (positives: corrupted list
aliases; negatives: look-alike companies and person names), de-duplicated, so about half of
them hit something; a real batch is de-duplicated before screening the same way.

Run: .venv/bin/python bench/bench_parties.py [--names 20000] [--workers 2]
"""

from __future__ import annotations

import argparse
import gc
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
NAMES = OUT / "bench_names.txt"

_MATCHER: PartyMatcher | None = None


def _peak_kb() -> int:
    """This process's peak RSS (VmHWM). ru_maxrss survives fork+exec on Linux, so a
    spawned worker would report its parent's peak; VmHWM is per address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _screen(names: list[str]) -> tuple[int, int, float, int, float]:
    """Worker: screen names with the inherited (forked) matcher."""
    assert _MATCHER is not None
    started = time.perf_counter()
    cpu = time.process_time()
    hits = sum(1 for n in names if _MATCHER.match(n))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return len(names), hits, elapsed, _peak_kb(), cpu


def _screen_loading(args: tuple[str, list[str]]) -> tuple[int, int, float, int, float]:
    """Worker: load the saved index itself, then screen."""
    path, names = args
    t0 = time.perf_counter()
    m = PartyMatcher.load(path)
    load_s = time.perf_counter() - t0
    started = time.perf_counter()
    hits = sum(1 for n in names if m.match(n))
    elapsed = time.perf_counter() - started
    return len(names), hits, elapsed, _peak_kb(), load_s


def _generate_names(n: int, seed: int) -> None:
    """Runs in a child process (the generator loads every list): writes NAMES."""
    names = _eval_names()
    entries, _ = em.load_eval_lists()
    vocab = em._Vocab(entries)
    more, _ = em.generate(
        entries,
        seed=seed,
        n_pos=(n - len(names)) // 2 + 500,
        n_neg=(n - len(names)) // 2 + 500,
        exclude=set(),
        vocab=vocab,
    )
    names = list(dict.fromkeys([*names, *(c["query"] for c in more)]))
    NAMES.write_text("\n".join(names) + "\n")


def _eval_names() -> list[str]:
    names: list[str] = []
    for split in ("test", "dev"):
        path = OUT / f"eval_{split}_cases.jsonl"
        if path.exists():
            names.extend(json.loads(line)["query"] for line in path.open())
    return list(dict.fromkeys(names))


def bench_names(n: int, seed: int) -> list[str]:
    """Distinct query names: the eval cases, topped up by generating more (in a child
    process, cached in bench/out/bench_names.txt)."""
    names = NAMES.read_text().splitlines() if NAMES.exists() else []
    if len(names) < n:
        ctx = mp.get_context("spawn")
        proc = ctx.Process(target=_generate_names, args=(n, seed))
        proc.start()
        proc.join()
        names = NAMES.read_text().splitlines()
    names = list(dict.fromkeys(x for x in names if x.strip()))
    rng = random.Random(seed)
    rng.shuffle(names)
    return names[:n]


def fresh_load_seconds(path: Path) -> float:
    code = (
        f"import sys,time; sys.path.insert(0, {str(ROOT)!r});"
        "from screener.parties.matcher import PartyMatcher;"
        f"t=time.perf_counter(); PartyMatcher.load({str(path)!r}); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
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
    load_before = os.getloadavg()
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

    # Fork from a freshly loaded copy of the saved index: the built one sits among the
    # freed JSON/pydantic objects and screens ~10-30 % slower (measured); a compact copy
    # is what a batch runner would fork from
    del entries, matcher
    gc.collect()
    _MATCHER = PartyMatcher.load(INDEX)
    # keep the collector off the index in the children: otherwise every collection walks
    # (and copy-on-write duplicates) the inherited objects
    gc.freeze()

    # N processes forked after loading the index (cold caches: nothing screened yet)
    chunks = [names[i :: args.workers] for i in range(args.workers)]
    ctx = mp.get_context("fork")
    t0 = time.perf_counter()
    with ctx.Pool(args.workers) as pool:
        results = pool.map(_screen, chunks)
    fork_wall = time.perf_counter() - t0
    fork_rate = len(names) / fork_wall
    hits = sum(r[1] for r in results)
    worker_rss = max(r[3] for r in results)
    cpu_rate = sum(r[0] for r in results) / sum(r[4] for r in results)

    # N processes that each load the saved index (spawn: nothing inherited)
    sctx = mp.get_context("spawn")
    t0 = time.perf_counter()
    with sctx.Pool(args.workers) as pool:
        loaded = pool.map(_screen_loading, [(str(INDEX), c) for c in chunks])
    spawn_wall = time.perf_counter() - t0
    spawn_rate = len(names) / spawn_wall

    # one process, loading the index, on the first half of the names
    half = names[: len(names) // 2]
    with sctx.Pool(1) as pool:
        single_run = pool.map(_screen_loading, [(str(INDEX), half)])[0]
    single_rate = single_run[0] / single_run[2]

    parent_rss = _peak_kb()
    summary: dict[str, Any] = {
        "list": {"entries": stats["entries"], "aliases": stats["aliases"], "version": version},
        "cpu_count": os.cpu_count(),
        "workers": args.workers,
        "distinct_names": len(names),
        "names_with_hits": hits,
        "load_csl_json_seconds": round(load_list_s, 2),
        "index_build_seconds": round(build_s, 2),
        "index_file_mb": round(size_mb, 1),
        "index_load_seconds_fresh_process": round(load_s, 3),
        "names_per_second_1_process": round(single_rate),
        "names_in_1_process_run": len(half),
        f"names_per_second_{args.workers}_processes_fork": round(fork_rate),
        f"names_per_second_{args.workers}_processes_load_index": round(spawn_rate),
        "names_per_cpu_second_in_workers": round(cpu_rate),
        "fork_wall_seconds": round(fork_wall, 2),
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "load_index_wall_seconds": round(spawn_wall, 2),
        "worker_load_seconds": [round(r[4], 2) for r in loaded],
        "peak_rss_mb": {
            "parent_loading_json_and_building": round(parent_rss / 1024),
            "worker_forked_with_index": round(worker_rss / 1024),
            "worker_loading_saved_index": round(max(r[3] for r in loaded) / 1024),
            "note": "VmHWM per process; a forked worker shares most pages with the parent",
        },
        "index": stats,
    }
    (OUT / "bench_parties.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    print()
    w = args.workers
    print("| measure | value |")
    print("|---|---|")
    print(
        f"| index build, full CSL ({stats['entries']:,} parties, {stats['aliases']:,} aliases)"
        f" | {build_s:.1f} s |"
    )
    print(f"| saved index: size / load in a fresh process | {size_mb:.0f} MB / {load_s:.2f} s |")
    print(f"| distinct names/s, 1 process | {single_rate:,.0f} |")
    print(f"| distinct names/s, {w} processes (forked, index inherited) | {fork_rate:,.0f} |")
    print(f"| distinct names/s, {w} processes (each loads the index) | {spawn_rate:,.0f} |")
    print(f"| names per CPU-second in a worker | {cpu_rate:,.0f} |")
    spawn_rss = max(r[3] for r in loaded) / 1024
    print(
        f"| peak RSS: parent (JSON + build) / forked worker / worker loading the index | "
        f"{parent_rss / 1024:.0f} / {worker_rss / 1024:.0f} / {spawn_rss:.0f} MB |"
    )


if __name__ == "__main__":
    main()
