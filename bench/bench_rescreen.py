"""Re-screening after a list update: how much of the audit trail the diff filter skips, and
how long a run takes, against re-screening everything.

Usage: python bench/bench_rescreen.py [--screenings N] [--added K]

Version A of the CSL is the full trade.gov list (../shared/data/lists/csl-2026-07-31/
consolidated.csv, 25,921 entries; the 32-row fixture when ../shared is absent) without K
Entity List rows; version B is the full list, so the diff adds K entries. N stored
screenings (SQLite in a temporary folder) name one party each: one in 50 a party that only
version B lists, the others names of other listed entries or unlisted company names. After
B is imported, `rescreen` runs (timed), then every screening is screened again (timed) for
comparison. Prints the counts and both times as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas.transaction import Transaction  # noqa: E402
from screener.audit.store import AuditStore  # noqa: E402
from screener.parties.store import ListStore  # noqa: E402
from screener.rescreen import RescreenStats, rescreen  # noqa: E402
from screener.wiring import build_screener  # noqa: E402

FULL = ROOT.parent / "shared/data/lists/csl-2026-07-31/consolidated.csv"
FIXTURE = ROOT / "tests/fixtures/lists/consolidated.csv"
_WORD_TEXT = (
    "Apex Blue Cedar Delta Ember Fjord Granite Harbor Iris Juniper Kestrel Lumen Meridian "
    "Nimbus Orchid Pioneer Quartz Riverside Summit Tundra Union Vertex Willow Xenon Yarrow "
    "Zephyr Atlas Beacon Cobalt Dune Eastgate Falcon Grove Horizon Ingot Jasper Keystone"
)
WORDS = _WORD_TEXT.split()
SUFFIXES = ("Ltd", "GmbH", "Co., Ltd.", "Trading LLC", "Pte. Ltd.", "S.A.", "Industries")


def _tx(i: int, name: str) -> Transaction:
    return Transaction.model_validate(
        {
            "id": f"B-{i}",
            "date": "2026-11-20",
            "exporter": {"name": "Example Etch Systems Inc.", "country": "US"},
            "destination_country": "CN",
            "parties": [{"role": "end_user", "name": name, "country": "CN"}],
            "items": [{"eccn": "EAR99", "origin_country": "US"}],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screenings", type=int, default=2000)
    parser.add_argument("--added", type=int, default=20)
    args = parser.parse_args()
    source = FULL if FULL.is_file() else FIXTURE
    folder = Path(tempfile.mkdtemp(prefix="chokepoint-rescreen-"))
    os.environ["CHOKEPOINT_CACHE_DIR"] = str(folder / "cache")
    url = f"sqlite:///{folder / 'bench.db'}"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    rng = random.Random(17)
    el = [i for i, row in enumerate(rows) if ",Entity List (EL) -" in row]
    held_back = set(rng.sample(el, min(args.added, len(el))))
    version_a = folder / "a.csv"
    version_a.write_text(
        header + "".join(r for i, r in enumerate(rows) if i not in held_back), encoding="utf-8"
    )
    store = ListStore(url)
    store.import_list(version_a, "csl-csv", "csl")
    entries = store.version_entries("csl")
    held_names = [next(csv.reader([rows[i]]))[5] for i in sorted(held_back)]
    listed_names = [e.name for e in rng.sample(entries, min(500, len(entries)))]
    screener = build_screener(db_url=url, gaps=False)
    audit = AuditStore(url)
    started = time.perf_counter()
    for i in range(args.screenings):
        if i % 50 == 0:
            name = held_names[(i // 50) % len(held_names)]
        elif i % 5 == 0:
            name = rng.choice(listed_names)
        else:
            words = " ".join(rng.sample(WORDS, 3))
            name = f"{words} {rng.choice(SUFFIXES)}"  # mostly distinct, as a real trail is
        tx = _tx(i, name)
        audit.record(tx, screener.screen(tx), requested_by="bench", source="bench")
    record_seconds = time.perf_counter() - started
    store.import_list(source, "csl-csv", "csl")  # version B: the K held-back rows come back
    stats = RescreenStats()
    fresh = build_screener(db_url=url, gaps=False)
    changes = list(rescreen(audit, store, fresh, stats=stats, record=False))
    full = build_screener(db_url=url, gaps=False)  # its own caches, as a separate run has
    started = time.perf_counter()
    for stored in audit.iter_screenings():
        full.screen(stored.transaction)
    full_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "list": str(source.relative_to(ROOT.parent)),
                "entries_b": len(entries) + len(held_back),
                "added": len(held_back),
                "screenings": args.screenings,
                "record_seconds": round(record_seconds, 2),
                "rescreen": stats.model_dump(exclude={"diffs"}),
                "changed": len(changes),
                "full_rescreen_seconds": round(full_seconds, 2),
                "speed_up": round(full_seconds / stats.seconds, 1) if stats.seconds else None,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
