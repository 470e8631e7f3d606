"""Rules-only benchmark: line items screened per second, p99 latency, peak memory.

Usage: python bench/bench_rules.py [--items 100000] [--durable-items 100000] [--seed 7]

Generates line items over the ECCNs the packs test (plus EAR99, coarse and unknown codes),
realistic destinations and dates, and screens them with every pack loaded, for each backend:
- evaluate: facts + clause evaluation (`Screener.raw_results(lazy=True)`: exception clauses
  are evaluated only for licence requirements, as `screen` does), the batch hot path;
- screen: the full `Screener.screen` with findings, explanations and traces built;
- p50/p99 latency of one 5-line transaction through `screen` (rules only).
Peak memory is the process's max RSS after each phase. One process, one core. Rates and p99
are reported in wall time and in the process's CPU time: on a machine shared with other work
the CPU-time figures are the ones that measure "per core".
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas.rules import Leaf, Op
from schemas.transaction import Transaction
from screener.conditions import leaves
from screener.engine import Screener

DESTINATIONS = [
    "CN",
    "HK",
    "MO",
    "RU",
    "DE",
    "NL",
    "JP",
    "KR",
    "TW",
    "SG",
    "MY",
    "VN",
    "AE",
    "IN",
    "IL",
    "SA",
    "MX",
    "GB",
    "FR",
    "US",
    "CU",
    "IR",
]
EXPORTERS = ["US", "US", "US", "DE", "NL", "JP", "KR", "TW", "SG"]


def pack_eccns(screener: Screener) -> list[str]:
    found = set()
    for compiled in screener.compiled:
        for lc in compiled.pack.clauses:
            for leaf in leaves(lc.clause.when):
                if isinstance(leaf, Leaf) and leaf.op == Op.eccn_in:
                    found.update(leaf.value)
    return sorted(found)


def make_transactions(
    n_items: int, items_per_tx: int, eccns: list[str], rng: random.Random
) -> list[Transaction]:
    pool = eccns * 3 + ["EAR99"] * len(eccns) + ["3B001", "1C350", None]
    txs = []
    for i in range(0, n_items, items_per_tx):
        items = [
            {
                "eccn": rng.choice(pool),
                "origin_country": rng.choice(["US", "US", "JP", "NL", "KR", "TW", None]),
                "us_content_percent": rng.choice([0, 5, 15, 30, 80, None]),
                "value_usd": rng.choice([400, 2500, 50_000, 3_000_000]),
                "parameters": {"tpp": rng.choice([1000, 2500, 4800, 9000])},
            }
            for _ in range(min(items_per_tx, n_items - i))
        ]
        txs.append(
            Transaction.model_validate(
                {
                    "date": f"{rng.randint(2022, 2026)}-{rng.randint(1, 12):02d}-15",
                    "exporter": {"name": "Bench Exporter", "country": rng.choice(EXPORTERS)},
                    "destination_country": rng.choice(DESTINATIONS),
                    "items": items,
                }
            )
        )
    return txs


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_backend(name: str, n_items: int, rng_seed: int) -> dict:
    t0 = time.perf_counter()
    screener = Screener(backend=name)
    load_s = time.perf_counter() - t0
    rng = random.Random(rng_seed)
    eccns = pack_eccns(screener)
    txs = make_transactions(n_items, 5, eccns, rng)
    clauses = sum(len(c.pack.clauses) for c in screener.compiled)
    gc.collect()

    t0, c0 = time.perf_counter(), time.process_time()
    for tx in txs:
        screener.raw_results(tx, lazy=True)
    evaluate_s, evaluate_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    findings = 0
    for tx in txs:
        findings += len(screener.screen(tx).findings)
    screen_s, screen_cpu = time.perf_counter() - t0, time.process_time() - c0

    latencies, cpu_latencies = [], []
    for tx in txs[:5000]:
        t, c = time.perf_counter_ns(), time.thread_time_ns()
        screener.screen(tx)
        latencies.append((time.perf_counter_ns() - t) / 1000)
        cpu_latencies.append((time.thread_time_ns() - c) / 1000)
    latencies.sort()
    cpu_latencies.sort()
    return {
        "backend": name,
        "clauses": clauses,
        "line_items": n_items,
        "pack_load_s": round(load_s, 3),
        "evaluate_items_per_s": round(n_items / evaluate_s),
        "evaluate_items_per_cpu_s": round(n_items / evaluate_cpu),
        "screen_items_per_s": round(n_items / screen_s),
        "screen_items_per_cpu_s": round(n_items / screen_cpu),
        "findings": findings,
        "p50_us_5_line_tx": round(statistics.median(latencies), 1),
        "p99_us_5_line_tx": round(latencies[int(len(latencies) * 0.99)], 1),
        "p99_cpu_us_5_line_tx": round(cpu_latencies[int(len(cpu_latencies) * 0.99)], 1),
        "peak_rss_mib": round(max_rss_mib(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--backend", choices=["python", "durable"], default="python")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = run_backend(args.backend, args.items, args.seed)
    result["python"] = platform.python_version()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
