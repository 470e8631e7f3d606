"""The batch on Dask against the one-machine batch: lines/s of each and an output-identity check.

Generates N lines (default 50,000) as bench/bench_batch.py does (its generator: 18 ECCNs,
40 destinations, 20,000 made-up companies plus 2 % real CSL names), then screens them
  1. on this machine's worker processes (`run_batch(processes=P)`, the default run), and
  2. on Dask (`--scheduler local:P`, a LocalCluster of P single-threaded worker processes,
     started inside the timed run, or `--scheduler tcp://HOST:8786`),
and prints one JSON line per run and a last one comparing them: both outputs must be equal
byte for byte (`identical: true`); a difference prints the first differing line and exits 1.
The list is the full CSL of 2026-07-31 when ../shared/data has it, else the 32-row fixture.

Run: .venv/bin/python bench/bench_dask.py [--lines 50000] [--processes 2] [--scheduler local:2]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_batch import FIXTURE_CSL, FULL_CSL, generate  # noqa: E402

from screener.batch.runner import BatchSummary, run_batch  # noqa: E402
from screener.parties.screening import load_party_screening  # noqa: E402
from screener.parties.store import ListStore  # noqa: E402


def first_difference(a: Path, b: Path) -> str:
    with a.open(encoding="utf-8") as fa, b.open(encoding="utf-8") as fb:
        for number, (x, y) in enumerate(zip(fa, fb, strict=False), start=1):
            if x != y:
                return f"output line {number}:\n  one machine: {x}  dask:        {y}"
    return "one output is a prefix of the other"


def timed(label: str, n: int, run: dict[str, object], source: Path, out: Path) -> float:
    t = time.monotonic()
    summary: BatchSummary = run_batch(source, out, report=False, **run)  # type: ignore[arg-type]
    elapsed = time.monotonic() - t
    print(
        json.dumps(
            {
                "run": label,
                "lines": n,
                "seconds": round(elapsed, 1),
                "lines_per_s": round(n / elapsed),
                "accounted": summary.lines,
                "errors": summary.errors,
                "partitions": summary.partitions,
            }
        ),
        flush=True,
    )
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scheduler", default=None, help="default: local:PROCESSES")
    parser.add_argument("--partition-size", type=int, default=2000)
    args = parser.parse_args()
    scheduler = args.scheduler or f"local:{args.processes}"
    work = Path(tempfile.mkdtemp(prefix="chokepoint-bench-dask-"))
    os.environ.setdefault("CHOKEPOINT_CACHE_DIR", str(work / "idx"))
    url = f"sqlite:///{work / 'lists.db'}"
    csl = FULL_CSL if FULL_CSL.exists() else FIXTURE_CSL
    store = ListStore(url)
    store.import_list(csl, "csl-csv", "csl")
    load_party_screening(store)  # the list's match index cached for both runs, outside the timing
    with csl.open(encoding="utf-8-sig", newline="") as f:
        listed = [row["name"] for row, _ in zip(csv.DictReader(f), range(2000), strict=False)]
    source = work / "in.csv"
    generate(source, args.lines, listed)
    one, dask = work / "one.csv", work / "dask.csv"
    local = timed(
        f"one machine, {args.processes} processes",
        args.lines,
        {"processes": args.processes, "db_url": url, "scheduler": ""},
        source,
        one,
    )
    cluster = timed(
        f"dask {scheduler}",
        args.lines,
        {"scheduler": scheduler, "db_url": url, "partition_size": args.partition_size},
        source,
        dask,
    )
    identical = one.read_bytes() == dask.read_bytes()
    print(
        json.dumps(
            {
                "list": csl.parent.name,
                "lines": args.lines,
                "one_machine_lines_per_s": round(args.lines / local),
                "dask_lines_per_s": round(args.lines / cluster),
                "dask_over_one_machine": round(local / cluster, 2),
                "identical": identical,
            }
        ),
        flush=True,
    )
    if not identical:
        print(first_difference(one, dask), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
