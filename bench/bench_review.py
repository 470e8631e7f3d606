"""What the review queue costs as the audit trail grows: N stored screenings (a fresh SQLite
database in a temporary folder, the fixture CSL), a share of them with a party hit, some of
those hits decided; then the time to find what waits (`screener.review.queue.waiting`) and
to build the queue's first page of 50 (`review_queue`, which reads those results whole).

    .venv/bin/python bench/bench_review.py --screenings 2000 10000

Results are screened once per kind and recorded N times (recording is measured in
bench/load.py); each screening gets its own transaction id, so none supersedes another.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenings", type=int, nargs="+", default=[2000])
    parser.add_argument("--hit-share", type=float, default=0.3, help="share with a party hit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CHOKEPOINT_CACHE_DIR"] = str(Path(folder) / "idx")
        from schemas.transaction import Transaction
        from screener.audit.store import AuditStore
        from screener.parties.store import ListStore
        from screener.review.queue import review_queue, waiting
        from screener.wiring import build_screener

        for n in args.screenings:
            url = f"sqlite:///{Path(folder) / f'review-{n}.db'}"
            store = ListStore(url)
            store.import_list(REPO / "tests/fixtures/lists/consolidated.csv", "csl-csv", "csl")
            screener = build_screener(db_url=url, gaps=False)
            audit = AuditStore(url)

            def body(name: str) -> dict[str, object]:
                return {
                    "date": "2026-08-03",
                    "exporter": {"name": "Acme", "country": "US"},
                    "destination_country": "CN",
                    "parties": [{"role": "end_user", "name": name, "country": "CN"}],
                    "items": [{"eccn": "EAR99", "origin_country": "US"}],
                }

            names = ["Kunlun Bank Company", "China Mobile Ltd", "Example Fab Co."]
            screened = {}
            for name in names:
                tx = Transaction.model_validate(body(name))
                screened[name] = (tx, screener.screen(tx))
            store.record_adjudication(  # the China Mobile hits are decided
                "China Mobile Ltd", "csl", "CMIC:30923", "false_positive", "bench", "other co."
            )
            hits = int(n * args.hit_share)
            start = time.perf_counter()
            for i in range(n):
                name = names[0] if i < hits // 2 else names[1] if i < hits else names[2]
                tx, result = screened[name]
                tx = tx.model_copy(update={"id": f"PO-{i}"})
                audit.record(
                    tx, result.model_copy(update={"transaction_id": tx.id}), requested_by="bench"
                )
            filled = time.perf_counter() - start
            start = time.perf_counter()
            ids, waiting_hits = waiting(audit, store)
            found = time.perf_counter() - start
            start = time.perf_counter()
            page = review_queue(audit, store, limit=50)
            built = time.perf_counter() - start
            print(
                f"{n:>7,} screenings ({hits:,} with a hit, {hits - hits // 2:,} decided since): "
                f"{len(ids):,} waiting with {waiting_hits:,} hits; find {found * 1000:,.0f} ms, "
                f"first page of {len(page.items)} {built * 1000:,.0f} ms "
                f"(recording took {filled:,.1f} s)"
            )
            store.dispose()


if __name__ == "__main__":
    main()
