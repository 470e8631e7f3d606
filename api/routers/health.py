"""`GET /healthz`: no key needed; says whether the database answers, which one it is
(password masked) and which packs loaded."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import Svc
from screener.settings import shown_url

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    summary="Liveness and readiness",
    responses={503: {"description": "the database does not answer"}},
)
def healthz(svc: Svc) -> Any:
    try:
        with svc.audit.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # report it, do not raise: this is the health check
        database = f"unavailable: {type(exc).__name__}"
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "database_url": shown_url(svc.database_url) if svc.database_url else None,
        "versions": svc.screener.versions,
    }
    return JSONResponse(body, status_code=200 if database == "ok" else 503)
