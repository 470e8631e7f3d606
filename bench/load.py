"""Load on the service, on 127.0.0.1 only: N clients each POST /v1/screen M times against a
uvicorn started here (a fresh SQLite database and key in a temporary folder), bounded in
count and time. Prints p50/p99 latency, req/s and errors, then where one request's time
goes in-process (screening, the result's JSON, the audit write).

    .venv/bin/python bench/load.py --clients 8 --requests 200
    .venv/bin/python bench/load.py --clients 4 --example examples/etch-tool-to-china.json

The client runs on the same cores as the server: on a 2-core machine the numbers are a
floor, not the service's capacity.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_TX = {
    "id": "LOAD-1",
    "date": "2026-08-03",
    "exporter": {"name": "Example Etch Systems Inc.", "country": "US"},
    "destination_country": "CN",
    "parties": [{"role": "end_user", "name": "Example Fab Co.", "country": "CN"}],
    "items": [{"eccn": "3B001.c.1.a", "origin_country": "US"}],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(folder: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    from screener.audit.keys import KeyStore

    url = f"sqlite:///{folder / 'load.db'}"
    key = KeyStore(url).create("screen", "load")[0]
    env = {**os.environ, "CHOKEPOINT_DATABASE_URL": url, "CHOKEPOINT_JOBS_DIR": str(folder)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=REPO, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server, key
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the service did not start within 120 s")


def _client(
    base: str, key: str, body: bytes, n: int, stop: float, out: list[float], errors: list[str]
) -> None:
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
        for _ in range(n):
            if time.monotonic() > stop:
                return
            t0 = time.perf_counter()
            try:
                r = c.post("/v1/screen", content=body)
                if r.status_code != 200:
                    errors.append(f"{r.status_code}: {r.text[:80]}")
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            out.append(time.perf_counter() - t0)


def breakdown(tx: dict[str, object], folder: Path, repeat: int = 50) -> dict[str, float]:
    """Mean milliseconds of each step of one POST /v1/screen, run in this process."""
    from schemas.transaction import Transaction
    from screener.audit.store import AuditStore
    from screener.engine import Screener

    screener = Screener()
    audit = AuditStore(f"sqlite:///{folder / 'breakdown.db'}")
    text = json.dumps(tx)
    parsed = Transaction.model_validate_json(text)
    result = screener.screen(parsed)
    steps = {
        "parse": lambda: Transaction.model_validate_json(text),
        "screen": lambda: screener.screen(parsed),
        "result JSON": lambda: result.model_dump_json(),
        "audit write": lambda: audit.record(parsed, result, requested_by="bench"),
    }
    out = {}
    for name, step in steps.items():
        t0 = time.perf_counter()
        for _ in range(repeat):
            step()
        out[name] = (time.perf_counter() - t0) / repeat * 1000
    out["result KB"] = len(result.model_dump_json()) / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=200, help="per client (at most 5,000)")
    ap.add_argument("--seconds", type=float, default=120, help="stop after this long")
    ap.add_argument("--example", type=Path, help="transaction JSON (default: one etch tool)")
    args = ap.parse_args()
    tx = json.loads(args.example.read_text()) if args.example else DEFAULT_TX
    body = json.dumps(tx).encode()
    n = min(args.requests, 5000)
    with tempfile.TemporaryDirectory(prefix="chokepoint-load-") as tmp:
        folder = Path(tmp)
        port = _free_port()
        server, key = _start(folder, port)
        try:
            base = f"http://127.0.0.1:{port}"
            _client(base, key, body, 5, time.monotonic() + 30, [], [])  # warm the caches
            latencies: list[float] = []
            errors: list[str] = []
            stop = time.monotonic() + args.seconds
            threads = [
                threading.Thread(target=_client, args=(base, key, body, n, stop, latencies, errors))
                for _ in range(args.clients)
            ]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(30)
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        print(
            f"{args.clients} clients x {n} requests: {len(latencies)} done in {wall:.1f} s, "
            f"{len(latencies) / wall:.0f} req/s, p50 {q[49] * 1000:.1f} ms, "
            f"p99 {q[98] * 1000:.1f} ms, errors {len(errors)}"
            + (f" (first: {errors[0]})" if errors else "")
        )
        parts = breakdown(tx, folder)
        print(
            "one request in-process: "
            + ", ".join(f"{k} {v:.2f} ms" for k, v in parts.items() if k != "result KB")
            + f"; result {parts['result KB']:.0f} KB"
        )


if __name__ == "__main__":
    main()
