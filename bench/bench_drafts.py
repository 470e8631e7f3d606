"""Draft load/unload in a running process: does memory come back?

Usage: python bench/bench_drafts.py [--loads 1000] [--warmup 50] [--api]

Each cycle writes a *different* draft (the narrowed SME-set draft of tests/fixtures/drafts
with a changed effective_from, so the content hash and hence the compiled draft are new),
loads it into a `DraftRegistry` over the live Screener, screens one transaction with it (so
its condition closures and finding caches are built and used) and unloads it. RSS (VmRSS from
/proc/self/status) is read after a warm-up, then after every quarter of the run, after a
final gc. A leak shows as RSS growing with the number of loads; a flat line after the warm-up
means unloaded drafts are freed. Drafts use the python backend (durable-rules cannot delete a
ruleset without leaking ~170 KB per cycle, ../shared/reference/durable-rules.md §1.3).

`--api` runs the cycles through the service instead (FastAPI TestClient over `create_app`,
a temporary SQLite database): `PUT /v1/rules/drafts/bench` with the draft's files as text,
then `DELETE`, so the files written under the jobs folder, the registry and the request
handling are all part of what must come back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from screener.authoring.drafts import DraftRegistry
from screener.engine import Screener

DRAFT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "drafts"
TX = {
    "exporter": {"name": "Example Etch Systems Inc.", "country": "US"},
    "destination_country": "CN",
    "date": "2026-08-01",
    "items": [{"eccn": "3B001.c.1.a", "origin_country": "US"}],
}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def write_draft(folder: Path, n: int) -> None:
    """The narrowed draft, made distinct by its n-th effective date."""
    text = (DRAFT / "narrow-sme-cleaning" / "ccl_sme.yaml").read_text()
    day = dt.date(2023, 11, 17) - dt.timedelta(days=n)
    (folder / "ccl_sme.yaml").write_text(
        text.replace("effective_from: 2023-11-17", f"effective_from: {day.isoformat()}")
    )


def cycle(registry: DraftRegistry, folder: Path, n: int) -> str:
    write_draft(folder, n)
    _, screener = registry.load("bench", folder)
    decision = screener.screen(TX).decision.value
    registry.unload("bench")
    return decision


def api_cycler(folder: Path) -> tuple[Callable[[int], str], Callable[[], list[str]], Any]:
    """A cycle through the running service: PUT the n-th draft, DELETE it."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from screener.audit.keys import KeyStore

    url = f"sqlite:///{folder / 'bench.db'}"
    client = TestClient(create_app(database_url=url, jobs_dir=folder / "jobs"))
    client.__enter__()
    headers = {"X-API-Key": KeyStore(url).create("author", "bench")[0]}
    meta = (DRAFT / "narrow-sme-cleaning" / "draft.yaml").read_text()

    def cycle(n: int) -> str:
        write_draft(folder, n)
        files = {"ccl_sme.yaml": (folder / "ccl_sme.yaml").read_text(), "draft.yaml": meta}
        r = client.put("/v1/rules/drafts/bench", json={"files": files}, headers=headers)
        assert r.status_code == 200, r.text
        assert client.delete("/v1/rules/drafts/bench", headers=headers).status_code == 204
        return str(r.json()["kind"])

    def loaded() -> list[str]:
        return [d["name"] for d in client.get("/v1/rules/drafts", headers=headers).json()]

    return cycle, loaded, client


def measure(cycle: Callable[[int], str], warmup: int, loads: int) -> dict[str, Any]:
    """Run `warmup` cycles, then `loads` more, sampling RSS (after a collection) at each
    quarter: what stays after warm-up is what a load leaks."""
    for n in range(warmup):
        cycle(n)
    gc.collect()
    warm_rss = rss_mb()
    samples: list[tuple[int, float]] = []
    outcomes: set[str] = set()
    t0 = time.perf_counter()
    for n in range(loads):
        outcomes.add(cycle(warmup + n))
        if (n + 1) % max(1, loads // 4) == 0:
            gc.collect()
            samples.append((n + 1, round(rss_mb(), 1)))
    elapsed = time.perf_counter() - t0
    gc.collect()
    end_rss = rss_mb()
    return {
        "rss_mb_after_warmup": round(warm_rss, 1),
        "rss_mb_samples": samples,
        "rss_mb_after": round(end_rss, 1),
        "growth_mb_after_warmup": round(end_rss - warm_rss, 1),
        "growth_kb_per_cycle": round((end_rss - warm_rss) * 1024 / loads, 2),
        "ms_per_cycle": round(1000 * elapsed / loads, 1),
        "outcomes": sorted(outcomes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loads", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--api", action="store_true", help="PUT/DELETE through the service")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-drafts-"))
    if args.api:
        api_main(args, folder)
        return
    live = Screener()
    registry = DraftRegistry(live)
    start_rss = rss_mb()
    report = {
        "mode": "in process: load, screen, unload",
        "loads": args.loads,
        "warmup": args.warmup,
        "live_clauses": sum(len(c.pack.clauses) for c in live.compiled),
        "rss_mb_before_warmup": round(start_rss, 1),
        **measure(lambda n: cycle(registry, folder, n), args.warmup, args.loads),
        "drafts_still_loaded": registry.names(),
        "python": platform.python_version(),
    }
    print(json.dumps(report, indent=2))


def api_main(args: argparse.Namespace, folder: Path) -> None:
    start_rss = rss_mb()
    cycle, loaded, client = api_cycler(folder)
    measured = measure(cycle, args.warmup, args.loads)
    still = loaded()
    left = sorted(p.name for p in (folder / "jobs" / "drafts").iterdir())
    client.__exit__(None, None, None)
    report = {
        "mode": "api: PUT + DELETE /v1/rules/drafts/bench",
        "cycles": args.loads,
        "warmup": args.warmup,
        "rss_mb_before_app": round(start_rss, 1),
        **measured,
        "drafts_still_loaded": still,
        "draft_folders_left": left,
        "python": platform.python_version(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
