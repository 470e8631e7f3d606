"""Batch throughput and peak memory: `chokepoint batch` on generated shipment lists.

Generates N lines (default 100,000 and 1,000,000) mixing the ECCNs the US pack covers, EAR99
and unclassified items, 40 destinations, random values and quantities, licence exceptions,
end-use categories and parties: end users and consignees drawn from 20,000 made-up company
names plus 2 % real names from the list (so some lines hit the Entity List and others), each
company with one country, the destination being the end user's. The
list is the full CSL of 2026-07-31 when ../shared/data has it, else the 32-row fixture.

Runs `run_batch` as the CLI does (every core, worker processes, resume off) and reports
lines/s, line items per CPU second (parent plus workers: the rate per core), the peak
resident memory of the whole process tree (parent plus workers, sampled every 0.2 s from
/proc), and the share of lines whose content repeated an earlier
line (the line cache's hits). Nothing is cached between runs except the list's match index.

Run: .venv/bin/python bench/bench_batch.py [--lines 100000 1000000] [--processes 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screener.batch.runner import run_batch  # noqa: E402
from screener.parties.store import ListStore  # noqa: E402

FULL_CSL = ROOT.parent / "shared" / "data" / "lists" / "csl-2026-07-31" / "consolidated.csv"
FIXTURE_CSL = ROOT / "tests" / "fixtures" / "lists" / "consolidated.csv"

ECCNS = [
    "3B001.c.1.a", "3B001.f.1", "3B001.a.4", "3B993", "3B994", "3A090.a", "3A090.b",
    "4A090.a", "3B090", "3C992", "3D992", "5A992.c", "3A001.a", "3B991.b", "EAR99", "EAR99",
    "EAR99", "",
]  # fmt: skip
COUNTRIES = [
    "CN", "HK", "MO", "RU", "BY", "IR", "KP", "DE", "FR", "NL", "JP", "KR", "TW", "SG", "MY",
    "IN", "VN", "TH", "AE", "SA", "IL", "TR", "BR", "MX", "CA", "GB", "IT", "ES", "SE", "FI",
    "PL", "CZ", "HU", "AU", "NZ", "ZA", "EG", "PK", "KZ", "UZ",
]  # fmt: skip
WORDS = [
    "Advanced", "Micro", "Semiconductor", "Precision", "Photonics", "Quantum", "Silicon",
    "Pacific", "Northern", "Star", "Dragon", "Lotus", "Crystal", "Vector", "Nano", "Delta",
    "Orient", "Union", "Global", "Harbor", "Summit", "Bright", "Golden", "River",
]  # fmt: skip
FORMS = ["Co., Ltd.", "GmbH", "Pte. Ltd.", "Inc.", "LLC", "S.A.", "Kabushiki Kaisha", "Limited"]
HEADER = [
    "id", "date", "exporter_name", "exporter_country", "destination_country", "description",
    "eccn", "origin_country", "us_content_percent", "quantity", "value_usd",
    "end_user_name", "end_user_country", "ultimate_consignee_name",
    "ultimate_consignee_country", "end_use_categories", "license_exceptions",
]  # fmt: skip


def company(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(FORMS)}"


def generate(path: Path, n: int, listed: list[str], seed: int = 6) -> None:
    rng = random.Random(seed)
    # a company keeps its country from line to line, as real customers do
    names = [(n, rng.choice(COUNTRIES)) for n in list({company(rng) for _ in range(25_000)})]
    names = names[:20_000]
    listed_pairs = [(n, rng.choice(COUNTRIES)) for n in listed]
    dates = ["2026-08-03", "2026-05-01", "2025-11-15", "2024-12-20"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(n):
            user, dest = (
                rng.choice(listed_pairs) if listed and rng.random() < 0.02 else rng.choice(names)
            )
            consignee, consignee_country = rng.choice(names) if rng.random() < 0.5 else ("", "")
            foreign = rng.random() < 0.2
            w.writerow(
                [
                    f"SO-{i:07d}",
                    rng.choice(dates),
                    "Example Tools Inc.",
                    "US",
                    dest,
                    "",
                    rng.choice(ECCNS),
                    "TW" if foreign else "US",
                    str(rng.choice([10, 30, 60])) if foreign else "",
                    str(rng.randint(1, 50)),
                    str(rng.randint(100, 5_000_000)),
                    user,
                    dest,
                    consignee,
                    consignee_country,
                    rng.choice(["", "", "civil", "military", "advanced_node_ic_production"]),
                    rng.choice(["", "", "", "LVS", "GBS"]),
                ]
            )


def _tree_rss_kb(pid: int) -> int:
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _tree_rss_kb(int(child))
    except (OSError, ValueError):
        pass
    return total


class PeakSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.peak = max(self.peak, _tree_rss_kb(os.getpid()))


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers are
    joined when `run_batch` returns): what "per core" means on a shared machine."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chokepoint-bench-"))
    os.environ.setdefault("CHOKEPOINT_CACHE_DIR", str(work / "idx"))
    url = f"sqlite:///{work / 'lists.db'}"
    store = ListStore(url)
    csl = FULL_CSL if FULL_CSL.exists() else FIXTURE_CSL
    store.import_list(csl, "csl-csv", "csl")
    with csl.open(encoding="utf-8-sig", newline="") as f:
        listed = [row["name"] for row, _ in zip(csv.DictReader(f), range(2000), strict=False)]
    for n in args.lines:
        source, out = work / f"in-{n}.csv", work / f"out-{n}.csv"
        t = time.monotonic()
        generate(source, n, listed)
        gen = time.monotonic() - t
        with source.open(encoding="utf-8") as f:
            next(f)
            distinct = len({line.split(",", 1)[1] for line in f})
        sampler = PeakSampler()
        sampler.start()
        cpu = _cpu_seconds()
        t = time.monotonic()
        summary = run_batch(source, out, processes=args.processes, db_url=url, scheduler="")
        elapsed = time.monotonic() - t
        cpu = _cpu_seconds() - cpu
        sampler.done.set()
        sampler.join()
        print(
            json.dumps(
                {
                    "lines": n,
                    "list": csl.parent.name,
                    "processes": args.processes,
                    "seconds": round(elapsed, 1),
                    "lines_per_s": round(n / elapsed),
                    "cpu_s": round(cpu, 1),
                    "line_items_per_cpu_s": round(n / cpu),
                    "peak_rss_mib": round(sampler.peak / 1024),
                    "distinct_line_contents": distinct,
                    "generate_s": round(gen, 1),
                    "accounted": summary.lines,
                    "errors": summary.errors,
                    "by_decision": dict(summary.by_decision.most_common()),
                }
            ),
            flush=True,
        )
        source.unlink()
        out.unlink()


if __name__ == "__main__":
    main()
