"""The FastAPI application: `create_app()` wires the screener, the stores and the routers.

Routers stay thin: they parse, check the key's role, call `screener` (engine, audit store,
batch runner) and shape the answer. Configuration comes from the arguments, else the
environment: CHOKEPOINT_DATABASE_URL (lists, audit trail, keys, jobs: one database),
CHOKEPOINT_JOBS_DIR (uploaded and result files, default ./chokepoint-jobs),
CHOKEPOINT_MAX_BODY_BYTES (JSON bodies, default 1 MiB), CHOKEPOINT_MAX_ITEMS and
CHOKEPOINT_MAX_PARTIES (per transaction, `screener.limits`), CHOKEPOINT_MAX_UPLOAD_BYTES
(batch uploads, default 512 MiB), CHOKEPOINT_BATCH_PROCESSES (default 1: the API's own
requests keep a core), CHOKEPOINT_SHADOW_LOG (what drafts in shadow mode would have decided,
JSONL, default under the jobs folder; drafts put over the API are kept in its `drafts/`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from api import errors
from api.jobs import JobRunner
from api.routers import authoring, batches, gaps, health, rules, screen, screenings, stats
from api.services import Services
from screener.audit.db import database_url as resolve_url
from screener.audit.db import open_engine
from screener.audit.jobs import JobStore
from screener.audit.keys import KeyStore
from screener.audit.store import AuditStore
from screener.authoring.served import ServedDrafts
from screener.batch.runner import build_screener
from screener.limits import Limits
from screener.loader import DEFAULT_RULES_DIR

log = logging.getLogger("chokepoint.api")

DESCRIPTION = """Export-control screening for semiconductors, SME, advanced computing and HBM.

Every endpoint but `/healthz` needs an API key in the `X-API-Key` header
(`chokepoint keys create --role screen|author|admin`). Errors are JSON:
`{"error": "one-line reason", "problems": ["field.path: message", ...]}`.
"""


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.isdigit() else default


def create_app(
    *,
    database_url: str | None = None,
    rules_dir: Path = DEFAULT_RULES_DIR,
    jobs_dir: Path | None = None,
    max_body: int | None = None,
    max_upload: int | None = None,
    batch_processes: int | None = None,
    limits: Limits | None = None,
) -> FastAPI:
    url = resolve_url(database_url)
    jobs_path = Path(jobs_dir or os.environ.get("CHOKEPOINT_JOBS_DIR") or "chokepoint-jobs")
    limits = limits or Limits.from_env()
    body_limit = max_body or limits.body_bytes
    upload_limit = max_upload or _int_env("CHOKEPOINT_MAX_UPLOAD_BYTES", 512 << 20)
    processes = batch_processes or _int_env("CHOKEPOINT_BATCH_PROCESSES", 1)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = open_engine(url)  # applies pending migrations
        jobs_path.mkdir(parents=True, exist_ok=True)
        screener = build_screener(rules_dir, "python", url)
        job_store = JobStore(engine=engine)
        runner = JobRunner(job_store, rules_dir=rules_dir, db_url=url, processes=processes)
        lock = threading.Lock()
        shadow_log = Path(
            os.environ.get("CHOKEPOINT_SHADOW_LOG") or jobs_path / "shadow" / "shadow.jsonl"
        )
        shadow_log.parent.mkdir(parents=True, exist_ok=True)
        drafts = ServedDrafts(screener, jobs_path / "drafts", shadow_log, guard=lock)
        for problem in drafts.restore():  # the drafts loaded before a restart
            log.warning(problem)
        app.state.services = Services(
            screener=screener,
            packs=[c.pack for c in screener.compiled],
            audit=AuditStore(engine=engine),
            keys=KeyStore(engine=engine),
            jobs=job_store,
            runner=runner,
            jobs_dir=jobs_path,
            max_upload=upload_limit,
            lock=lock,
            drafts=drafts,
            limits=limits,
        )
        runner.start()
        try:
            yield
        finally:
            runner.stop()
            drafts.close()

    app = FastAPI(
        title="chokepoint",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    errors.install(app)
    app.add_middleware(
        errors.BodyLimit,
        max_body=body_limit,
        max_upload=upload_limit,
        upload_paths=("/v1/batches",),
    )
    # authoring before rules: /v1/rules/drafts must not be read as the clause id 'drafts'
    for module in (health, screen, batches, screenings, authoring, rules, stats, gaps):
        app.include_router(module.router)
    return app
