"""The FastAPI application: `create_app()` wires the screener, the stores and the routers.

Routers stay thin: they parse, check the key's role, call `screener` (engine, audit store,
batch runner) and shape the answer. Configuration comes from the arguments, else the
settings (`screener.settings`: CHOKEPOINT_DATABASE_URL for lists, audit trail, keys and
jobs in one database; CHOKEPOINT_JOBS_DIR for uploaded and result files, with drafts put
over the API in its `drafts/`; body and upload limits; batch processes; the shadow log of
what drafts in shadow mode would have decided, default under the jobs folder).
The Swagger UI at /docs is served from the package (fastapi-offline), never from a CDN.
The reviewer's HTML pages are under /review (`api/routers/review.py`; sign-in by API key,
session cookie and CSRF token in `api/web_session.py`; CHOKEPOINT_SESSION_SECRET).
Per-transaction limits: CHOKEPOINT_MAX_ITEMS and CHOKEPOINT_MAX_PARTIES (`screener.limits`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import errors, request_log
from api.jobs import JobRunner
from api.routers import (
    authoring,
    batches,
    gaps,
    health,
    rescreen,
    review,
    rules,
    screen,
    screenings,
    stats,
)
from api.services import Services
from api.web_session import SessionSigner
from screener.audit.db import open_engine
from screener.audit.group_commit import GroupCommit
from screener.audit.jobs import JobStore
from screener.audit.keys import KeyStore
from screener.audit.reproduce import reproducer
from screener.audit.store import AuditStore
from screener.authoring.served import ServedDrafts
from screener.limits import Limits
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.parties.store import ListStore
from screener.settings import database_url as resolve_url
from screener.settings import settings
from screener.wiring import build_screener

log = logging.getLogger("chokepoint.api")

DESCRIPTION = """Export-control screening for semiconductors, SME, advanced computing and HBM.

Every endpoint but `/healthz` needs an API key in the `X-API-Key` header
(`chokepoint keys create --role screen|author|review|admin`). Errors are JSON:
`{"error": "one-line reason", "problems": ["field.path: message", ...]}`.
"""


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
    config = settings()
    url = resolve_url(database_url)
    jobs_path = Path(jobs_dir or config.jobs_dir)
    limits = limits or Limits.from_env()
    body_limit = max_body or limits.body_bytes
    upload_limit = max_upload or config.max_upload_bytes
    processes = batch_processes or config.batch_processes

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = open_engine(url)  # applies pending migrations
        jobs_path.mkdir(parents=True, exist_ok=True)
        screener = build_screener(rules_dir, "python", url)  # as the CLI's, gaps included
        job_store = JobStore(engine=engine)
        runner = JobRunner(job_store, rules_dir=rules_dir, db_url=url, processes=processes)
        lock = threading.Lock()
        shadow_log = config.shadow_log or jobs_path / "shadow" / "shadow.jsonl"
        shadow_log.parent.mkdir(parents=True, exist_ok=True)
        drafts = ServedDrafts(screener, jobs_path / "drafts", shadow_log, guard=lock)
        for problem in drafts.restore():  # the drafts loaded before a restart
            log.warning(problem)
        # a result the row does not keep (CHOKEPOINT_AUDIT_RESULTS=digest) is re-screened
        # and checked against its digest when read
        audit = AuditStore(engine=engine, reproducer=reproducer(screener, lock))
        recorder = GroupCommit(audit)
        app.state.services = Services(
            screener=screener,
            packs=[c.pack for c in screener.compiled],
            audit=audit,
            recorder=recorder,
            keys=KeyStore(engine=engine),
            jobs=job_store,
            runner=runner,
            jobs_dir=jobs_path,
            max_upload=upload_limit,
            lock=lock,
            drafts=drafts,
            database_url=url,
            limits=limits,
            lists=ListStore(url),
            sessions=SessionSigner(config.session_secret),
        )
        runner.start()
        try:
            yield
        finally:
            runner.stop()
            drafts.close()
            recorder.close()  # the writes already queued are committed first

    app = FastAPIOffline(
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
    request_log.install(app)
    # authoring before rules: /v1/rules/drafts must not be read as the clause id 'drafts'
    for module in (health, screen, batches, screenings, rescreen, authoring, rules, stats, gaps):
        app.include_router(module.router)
    review.install(app)  # the reviewer's HTML pages under /review (not in the OpenAPI document)
    return app
