"""Latency of `POST /v1/screen` over a real uvicorn on loopback (sequential requests, each
screened and stored in the SQLite audit trail), with the fixture lists imported.

Run: .venv/bin/python bench/bench_api.py [--requests 500]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from screener.audit.keys import KeyStore  # noqa: E402
from screener.parties.store import ListStore  # noqa: E402

TX = json.loads((ROOT / "examples" / "etch-tool-to-china.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chokepoint-api-bench-"))
    os.environ.setdefault("CHOKEPOINT_CACHE_DIR", str(work / "idx"))
    url = f"sqlite:///{work / 'api.db'}"
    ListStore(url).import_list(
        ROOT / "tests" / "fixtures" / "lists" / "consolidated.csv", "csl-csv", "csl"
    )
    key = KeyStore(url).create("screen")[0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(database_url=url, jobs_dir=work / "jobs")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    times = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": key}) as http:
        for i in range(args.requests + 20):
            tx = {**TX, "id": f"B-{i}"}
            t = time.perf_counter()
            r = http.post("/v1/screen", json=tx)
            elapsed = time.perf_counter() - t
            assert r.status_code == 200, r.text
            if i >= 20:  # warm-up
                times.append(elapsed * 1000)
    server.should_exit = True
    thread.join(10)
    times.sort()
    print(
        json.dumps(
            {
                "requests": len(times),
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(len(times) * 0.95)], 2),
                "p99_ms": round(times[int(len(times) * 0.99)], 2),
                "mean_ms": round(statistics.fmean(times), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
