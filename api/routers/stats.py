"""`GET /v1/stats`: decision statistics over the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.auth import AUTHOR
from api.responses import KEYED
from api.services import Services, services
from screener.audit.keys import ApiKey
from screener.audit.store import DecisionStats

router = APIRouter(prefix="/v1", tags=["audit"], responses=KEYED)


@router.get("/stats", response_model=DecisionStats)
def get_stats(
    _key: Annotated[ApiKey, Depends(AUTHOR)],
    svc: Annotated[Services, Depends(services)],
    since: Annotated[dt.date | None, Query(description="screened on or after")] = None,
    until: Annotated[dt.date | None, Query(description="screened before")] = None,
) -> DecisionStats:
    """Counts by decision, jurisdiction, rule (decisive findings) and quarter."""
    return svc.audit.stats(since, until)
