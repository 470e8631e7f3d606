"""`GET /v1/stats`: decision statistics over the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AuthorKey, Svc
from api.responses import KEYED
from screener.audit.store import DecisionStats

router = APIRouter(prefix="/v1", tags=["audit"], responses=KEYED)


@router.get("/stats", response_model=DecisionStats)
def get_stats(
    _key: AuthorKey,
    svc: Svc,
    since: Annotated[dt.date | None, Query(description="screened on or after")] = None,
    until: Annotated[dt.date | None, Query(description="screened before")] = None,
) -> DecisionStats:
    """Counts by decision, jurisdiction, rule (decisive findings) and quarter."""
    return svc.audit.stats(since, until)
