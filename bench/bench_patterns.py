"""Benchmark the cross-shipment patterns on a generated stream (default 1,000,000 shipments).

Each backend runs in its own process (clean peak memory): generate transaction dicts, validate
them into Transactions, derive lines, feed the pattern engine. Reported per backend: wall
time and shipments/s end to end, the time spent inside the pattern engine alone and its
shipments/s, peak RSS growth, the largest number of live window entries, and the alerts. The
alerts of both backends are written to bench/out and compared.

    .venv/bin/python bench/bench_patterns.py                 # both backends, 1M shipments
    .venv/bin/python bench/bench_patterns.py --n 200000 --backend durable
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from schemas.transaction import Transaction  # noqa: E402
from screener.patterns.engine import PatternEngine, make_backend  # noqa: E402
from screener.patterns.generate import generate  # noqa: E402
from screener.patterns.loader import load_patterns  # noqa: E402
from screener.patterns.stream import LineBuilder  # noqa: E402

OUT = REPO / "bench" / "out"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(backend: str, n: int, seed: int) -> dict[str, object]:
    patterns = load_patterns()
    windows = make_backend(backend)  # type: ignore[arg-type]
    engine = PatternEngine(patterns, windows)
    builder = LineBuilder()
    base_rss = _rss_mb()
    OUT.mkdir(parents=True, exist_ok=True)
    alerts_path = OUT / f"pattern-alerts-{backend}.jsonl"
    digest = hashlib.sha256()
    alerts = 0
    per_pattern: dict[str, int] = {}
    in_engine = 0.0
    lines = 0
    peak_live = 0
    start = time.perf_counter()
    with alerts_path.open("w") as out:
        for k, raw in enumerate(generate(n, seed=seed)):
            tx = Transaction.model_validate(raw)
            for line in builder.lines(tx):
                t0 = time.perf_counter()
                found = engine.feed(line)
                in_engine += time.perf_counter() - t0
                lines += 1
                for alert in found:
                    text = alert.model_dump_json()
                    out.write(text + "\n")
                    digest.update(text.encode())
                    alerts += 1
                    per_pattern[alert.pattern_id] = per_pattern.get(alert.pattern_id, 0) + 1
            if k % 10_000 == 0:
                peak_live = max(peak_live, getattr(windows, "live_entries", 0))
    wall = time.perf_counter() - start
    windows.close()
    return {
        "backend": backend,
        "shipments": n,
        "lines": lines,
        "wall_s": round(wall, 1),
        "shipments_per_s_end_to_end": round(n / wall),
        "engine_s": round(in_engine, 1),
        "shipments_per_s_engine": round(n / in_engine),
        "peak_rss_growth_mb": round(_rss_mb() - base_rss, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
        "peak_live_window_entries_sampled": peak_live,
        "durable_peak_live_facts": getattr(windows, "peak_live", None),
        "durable_id_retries": getattr(windows, "id_retries", None),
        "alerts": alerts,
        "alerts_by_pattern": per_pattern,
        "alerts_sha256": digest.hexdigest(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", choices=["indexed", "durable", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.backend, args.n, args.seed)))
        return
    backends = ["indexed", "durable"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        cmd = [sys.executable, __file__, "--child", "--backend", backend, "--n", str(args.n)]
        cmd += ["--seed", str(args.seed)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(result, indent=2), flush=True)
        results.append(result)
    if len(results) == 2:
        same = results[0]["alerts_sha256"] == results[1]["alerts_sha256"]
        print(f"identical alerts from both backends: {same}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"bench_patterns-{args.n}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
