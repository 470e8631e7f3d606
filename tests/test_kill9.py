"""kill -9 of the batch and of the service (issue #19, "Keep it so"): what was written before
the kill is all there, and nothing is lost or doubled after it.

- The batch: `chokepoint batch` killed with SIGKILL mid-run (its whole process group, so no
  worker outlives it), then `--resume`: the output equals, byte for byte, an uninterrupted
  run's.
- The service: a uvicorn killed with SIGKILL while clients are screening: every screening it
  answered 200 is in the audit trail under the id it answered with and its decision, at most
  the requests in flight were stored without an answer, and the database takes new writes.
  On SQLite (WAL, synchronous=NORMAL: a commit is in the WAL file when it returns) and on
  PostgreSQL when CHOKEPOINT_TEST_DATABASE_URL is set.

Each test is bounded: the subprocess start waits at most two minutes on a loaded machine,
the kill comes as soon as the first output (rows, answers) is seen.
"""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from schemas.transaction import Transaction
from screener.audit.keys import KeyStore
from screener.audit.store import AuditStore
from screener.batch.lines import build_screener
from screener.batch.runner import run_batch
from screener.engine import Screener
from screener.packs.loader import DEFAULT_RULES_DIR

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120.0


def _distinct_shipments(path: Path, n: int) -> None:
    """`n` lines that differ in value and quantity, so the line cache never answers one."""
    countries = ["CN", "DE", "JP", "RU", "SG", "NL", "KR", "IN"]
    eccns = ["3B001.c.1.a", "3B993", "EAR99", "3A090.a", "3B001.f.1", "", "5A992.c"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            ["id", "date", "exporter_name", "exporter_country", "destination_country", "eccn",
             "origin_country", "quantity", "value_usd", "end_user_name", "end_user_country"]
        )  # fmt: skip
        for i in range(n):
            c = countries[i % len(countries)]
            w.writerow(
                [f"K{i}", "2026-08-03", "Acme", "US", c, eccns[i % len(eccns)], "US",
                 str(1 + i % 9), str(1000 + i), f"Buyer {i % 50}", c]
            )  # fmt: skip


def _data_rows(path: Path) -> int:
    if not path.exists():
        return 0
    return max(0, path.read_bytes().count(b"\n") - 1)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def test_a_batch_killed_with_sigkill_resumes_to_the_same_output(
    tmp_path: Path, lists_url: str
) -> None:
    source = tmp_path / "in.csv"
    lines = 1200
    _distinct_shipments(source, lines)
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "batch", str(source), "-o", str(out), "--processes", "1",
         "--no-report", "--db", lists_url],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while _data_rows(out) == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            _kill_group(proc)
    assert proc.returncode == -signal.SIGKILL, "the batch ended before it could be killed"
    written = _data_rows(out)
    assert 0 < written < lines, written  # killed mid-run
    reference = tmp_path / "reference.csv"
    screener = build_screener(DEFAULT_RULES_DIR, "python", lists_url)  # as the CLI built it
    run_batch(source, reference, processes=1, screener=screener, report=False)
    summary = run_batch(source, out, processes=1, screener=screener, resume=True, report=False)
    assert 0 < summary.resumed_after <= written  # a row cut off mid-write is written again
    assert summary.lines == lines
    assert out.read_bytes() == reference.read_bytes()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _transactions(n: int) -> list[bytes]:
    """Distinct 2-line transactions (values differ), so each is screened afresh."""
    return [
        Transaction.model_validate(
            {
                "id": f"K9-{i}",
                "date": "2026-08-03",
                "exporter": {"name": "Acme", "country": "US"},
                "destination_country": ["CN", "DE", "JP", "RU"][i % 4],
                "items": [
                    {"eccn": "3B001.c.1.a", "origin_country": "US", "value_usd": 1000 + i},
                    {"eccn": "EAR99", "origin_country": "US", "quantity": 1 + i},
                ],
            }
        )
        .model_dump_json()
        .encode()
        for i in range(n)
    ]


def test_the_service_killed_with_sigkill_loses_no_answered_screening(
    tmp_path: Path, db_url: str, unscreened: Screener
) -> None:
    key = KeyStore(db_url).create("screen", "kill9")[0]
    port = _free_port()
    env = {**os.environ, "CHOKEPOINT_DATABASE_URL": db_url, "CHOKEPOINT_JOBS_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    answered: dict[int, str] = {}  # screening id -> decision answered
    lock = threading.Lock()
    clients, bodies = 4, _transactions(2000)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("the service did not start")

        def client(offset: int) -> None:
            headers = {"X-API-Key": key, "Content-Type": "application/json"}
            with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
                for body in bodies[offset::clients]:
                    try:
                        r = c.post("/v1/screen", content=body)
                    except httpx.HTTPError:
                        return  # the server is gone
                    assert r.status_code == 200, r.text[:200]
                    with lock:
                        answered[int(r.headers["X-Screening-Id"])] = r.json()["decision"]

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + START_TIMEOUT
        while len(answered) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        _kill_group(server)  # mid-stream: requests are in flight
        for t in threads:
            t.join(60)
    finally:
        if server.poll() is None:
            _kill_group(server)
    assert server.returncode == -signal.SIGKILL
    assert len(answered) >= 40
    store = AuditStore(db_url)
    with store.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, decision FROM cp_screenings")).all())
        if store.engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    # every answer has its row, with the decision answered; at most the requests in flight
    # were stored without an answer reaching the client
    assert {i: stored.get(i) for i in answered} == answered
    assert 0 <= len(stored) - len(answered) <= clients
    # the trail takes new writes after the kill, under the next id
    tx = Transaction.model_validate_json(bodies[0])
    new_id = store.record(tx, unscreened.screen(tx), requested_by="after-kill")
    assert new_id > max(stored)
