"""The service under load, on 127.0.0.1 only: an open-loop constant rate of POST /v1/screen
(requests leave on a fixed schedule whether or not earlier ones have been answered, so a
slow server cannot slow the load down and hide its own latency), bounded in rate, time and
requests in flight, against a uvicorn started here on a fresh database: a SQLite file, a
throw-away schema of a PostgreSQL database, or both one after the other.

    python bench/load.py --rate 200 --seconds 60                    # SQLite and PostgreSQL
    python bench/load.py --rate 200 --seconds 20 --db sqlite --workers 1
    python bench/load.py --db postgresql --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Each request is one of `--distinct` (default 2,000) generated 5-line transactions (as
`bench/bench_rules.py` makes them; no party list imported), sent in turn; the warm-up sends
up to 1,000 of them first, so a small pool measures the service with the engine's caches hit
and a pool as large as the run (rate x seconds) measures transactions screened afresh.
Latency is measured from the moment the schedule said the request should leave (so a
client that fell behind counts against the server, not for it). Printed per database:
requests done, achieved rate, p50/p99/max latency, errors, the audited-count check (every
200 answered has its audit row, found by its X-Screening-Id, and no row exists that was not
answered), the load generator's own CPU time, and the load average before and after. Then
where one request's time goes in-process (`breakdown`).

The load generator runs on the same cores as the server: on a 2-core machine shared with
other work, read the numbers as what this machine gave at that load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MAX_RATE, MAX_SECONDS, MAX_IN_FLIGHT = 2000, 300, 512
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Run:
    """What one load run measured."""

    latencies: list[float] = field(default_factory=list)  # seconds, from the scheduled start
    errors: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)  # X-Screening-Id of every 200
    wall: float = 0.0
    client_cpu: float = 0.0
    skipped: int = 0  # not sent: MAX in flight already waiting (counted as errors too)


def transactions(n: int, lines: int, seed: int = 11) -> list[bytes]:
    """`n` distinct request bodies of `lines`-line transactions over the packs' ECCNs."""
    from bench.bench_rules import make_transactions, pack_eccns
    from screener.engine import Screener

    eccns = pack_eccns(Screener())
    txs = make_transactions(n * lines, lines, eccns, random.Random(seed))
    return [tx.model_dump_json(exclude_none=True).encode() for tx in txs]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(kind: str, folder: Path, pg_url: str) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'load.db'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"cp_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        from screener.audit.db import dispose_all

        dispose_all()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def start_server(url: str, folder: Path, workers: int) -> tuple[subprocess.Popen[bytes], str, str]:
    """uvicorn on a free loopback port with `workers` processes; returns it, its base URL
    and a screen-role key."""
    from screener.audit.keys import KeyStore

    key = KeyStore(url).create("screen", "load")[0]
    port = _free_port()
    env = {**os.environ, "CHOKEPOINT_DATABASE_URL": url, "CHOKEPOINT_JOBS_DIR": str(folder)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
         "--workers", str(workers)],
        cwd=REPO, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base, key
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the service did not start within 180 s")


async def open_loop(
    base: str,
    key: str,
    bodies: list[bytes],
    rate: float,
    seconds: float,
    in_flight: int,
    path: str = "/v1/screen",
) -> Run:
    """Send `rate` requests a second for `seconds`, each at its scheduled moment."""
    from bench.loopback_http import Pool

    run = Run()
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    host, port = base.removeprefix("http://").split(":")
    pool = Pool(host, int(port), in_flight)
    busy = 0

    async def one(body: bytes, due: float) -> None:
        nonlocal busy
        try:
            r = await asyncio.wait_for(pool.post(path, body, headers), 30)
            if r.status == 200:
                run.ids.append(int(r.headers["x-screening-id"]))
            else:
                run.errors.append(f"{r.status}: {r.body[:100]!r}")
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            run.errors.append(type(exc).__name__)
        finally:
            run.latencies.append(time.perf_counter() - due)
            busy -= 1

    tasks = []
    total = int(rate * seconds)
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for i in range(total):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if busy >= in_flight:
            run.skipped += 1
            run.errors.append(f"not sent: {in_flight} requests already in flight")
            continue
        busy += 1
        tasks.append(asyncio.create_task(one(bodies[i % len(bodies)], due)))
    await asyncio.gather(*tasks)
    run.wall = time.perf_counter() - t0
    run.client_cpu = time.process_time() - cpu0
    await pool.close()
    return run


def audited(url: str, ids: list[int]) -> tuple[int, int, int]:
    """(rows stored, answered ids without a row, rows never answered)."""
    from sqlalchemy import select
    from sqlmodel import Session, col

    from screener.audit.db import open_engine
    from screener.audit.models import ScreeningRow

    with Session(open_engine(url)) as session:
        stored = set(session.exec(select(col(ScreeningRow.id))).scalars().all())
    answered = set(ids)
    return len(stored), len(answered - stored), len(stored - answered)


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server process and its workers."""
    import psutil

    total = 0.0
    parent = psutil.Process(pid)
    for proc in [parent, *parent.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(kind: str, args: argparse.Namespace, bodies: list[bytes]) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="chokepoint-load-") as tmp,
        database(kind, Path(tmp), args.pg_url) as url,
    ):
        server, base, key = start_server(url, Path(tmp), args.workers)
        try:
            warm = asyncio.run(  # every transaction once: the caches a running service has
                open_loop(base, key, bodies, 50, min(len(bodies), 1000) / 50, 64)
            )
            before, cpu0 = load_average(), server_cpu(server.pid)
            path = "/v1/screen" + ("?view=compact" if args.view == "compact" else "")
            run = asyncio.run(
                open_loop(base, key, bodies, args.rate, args.seconds, args.in_flight, path)
            )
            after, server_seconds = load_average(), server_cpu(server.pid) - cpu0
        finally:
            server.terminate()  # graceful: uvicorn finishes the requests it holds
            server.wait(60)
        rows, lost, extra = audited(url, warm.ids + run.ids)
    lat = sorted(run.latencies)
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [0.0] * 99
    done = len(run.latencies)
    print(
        f"{kind}: {args.workers} worker(s), {args.view} view, "
        f"{args.rate:g} req/s x {args.seconds:g} s: "
        f"{done} answered in {run.wall:.1f} s ({done / run.wall:.0f} req/s), "
        f"p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, max {lat[-1] * 1000:.0f} ms, "
        f"errors {len(run.errors)}" + (f" (first: {run.errors[0]})" if run.errors else "")
    )
    print(
        f"  audited: {rows} rows for {len(warm.ids) + len(run.ids)} answered "
        f"(answered without a row: {lost}, rows never answered: {extra}) -> "
        + ("OK" if lost == extra == 0 else "MISMATCH")
    )
    print(
        f"  server CPU {server_seconds:.1f} s: {server_seconds / max(1, done) * 1000:.2f} ms a "
        f"request ({server_seconds / run.wall * 100:.0f} % of a core)"
    )
    print(
        f"  load generator CPU {run.client_cpu:.1f} s ({run.client_cpu / run.wall * 100:.0f} % "
        f"of a core); load average before {before}, after {after}"
    )


def breakdown(bodies: list[bytes], folder: Path, n: int = 200) -> dict[str, float]:
    """Mean CPU milliseconds (this thread's) of each step of one POST /v1/screen, in this
    process, over `n` of the transactions: parsing, screening afresh and again (the caches
    hit), the result's JSON, the audit entry (summary, digest) and its write, the key check;
    then the whole request through the ASGI app (process CPU, the test client's included)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from schemas.transaction import Transaction
    from screener.audit.keys import KeyStore
    from screener.audit.store import AuditStore, entry
    from screener.wiring import build_screener

    url = f"sqlite:///{folder / 'breakdown.db'}"
    screener = build_screener(db_url=url)  # as the service builds it: gaps included
    audit = AuditStore(url)
    audit_keys = KeyStore(url)
    key = audit_keys.create("screen", "breakdown")[0]
    sample = bodies[:n]
    txs = [Transaction.model_validate_json(b) for b in sample]
    out: dict[str, float] = {}

    def timed(name: str, step: Callable[[int], object]) -> list[object]:
        t0 = time.thread_time()
        done = [step(i) for i in range(len(sample))]
        out[name] = (time.thread_time() - t0) / len(sample) * 1000
        return done

    timed("parse", lambda i: Transaction.model_validate_json(sample[i]))
    results: list[Any] = timed("screen afresh", lambda i: screener.screen(txs[i]))
    timed("screen again", lambda i: screener.screen(txs[i]))
    texts: list[Any] = timed("result JSON", lambda i: results[i].model_dump_json())
    entries: list[Any] = timed(
        "audit entry", lambda i: entry(txs[i], results[i], requested_by="b", result_json=texts[i])
    )
    timed("audit write", lambda i: audit.write([entries[i]]))
    timed("key check", lambda i: audit_keys.verify(key))
    os.environ["CHOKEPOINT_JOBS_DIR"] = str(folder)
    with TestClient(create_app(database_url=url)) as client:
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        for body in sample:  # screened before in this app: the caches hit, as in the run
            client.post("/v1/screen", content=body, headers=headers)
        t0 = time.process_time()
        for body in sample:
            client.post("/v1/screen", content=body, headers=headers)
        out["whole request, caches hit"] = (time.process_time() - t0) / len(sample) * 1000
    out["result KB"] = sum(map(len, texts)) / len(texts) / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rate", type=float, default=200, help=f"requests/s (at most {MAX_RATE})")
    ap.add_argument("--seconds", type=float, default=60, help=f"at most {MAX_SECONDS}")
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both", "none"], default="both")
    ap.add_argument("--pg-url", default=os.environ.get("CHOKEPOINT_TEST_DATABASE_URL", PG_URL))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="uvicorn workers")
    ap.add_argument("--lines", type=int, default=5, help="items per transaction")
    ap.add_argument(
        "--distinct",
        type=int,
        default=2000,
        help="distinct transactions, sent in turn (a small number: the engine's caches hit)",
    )
    ap.add_argument("--in-flight", type=int, default=256, help="requests in flight at most")
    ap.add_argument("--view", choices=["full", "compact"], default="full", help="?view= answer")
    ap.add_argument("--no-breakdown", action="store_true")
    args = ap.parse_args()
    args.rate = min(args.rate, MAX_RATE)
    args.seconds = min(args.seconds, MAX_SECONDS)
    args.in_flight = min(args.in_flight, MAX_IN_FLIGHT)
    bodies = transactions(max(1, min(args.distinct, 20000)), args.lines)
    print(
        f"{len(bodies)} transactions of {args.lines} lines, mean body "
        f"{sum(map(len, bodies)) / len(bodies):.0f} bytes; load average {load_average()}"
    )
    kinds = {"both": ("sqlite", "postgresql"), "none": ()}.get(args.db, (args.db,))
    for kind in kinds:
        measure(kind, args, bodies)
    if not args.no_breakdown:
        with tempfile.TemporaryDirectory(prefix="chokepoint-breakdown-") as tmp:
            parts = breakdown(bodies, Path(tmp))
        print(
            "one request in-process (CPU ms): "
            + ", ".join(f"{k} {v:.2f}" for k, v in parts.items() if k != "result KB")
            + f"; result {parts['result KB']:.1f} KB"
        )


if __name__ == "__main__":
    main()
