"""`POST /v1/rescreen`: re-screen the audit trail against the latest list versions (the
reviewer's daily loop, issue #17); thin over `screener.rescreen.run_rescreen`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from api.deps import ScreenKey, Svc
from api.responses import KEYED, refusals
from screener.rescreen import RescreenReport, run_rescreen

router = APIRouter(prefix="/v1", tags=["audit"], responses=KEYED)


class RescreenRequest(BaseModel):
    since: dt.date | None = Field(default=None, description="screenings made on or after")
    as_of: dt.date | None = Field(
        default=None, description="screen every transaction as of this date (default: its own)"
    )
    record: bool = Field(default=True, description="store the changed results in the audit trail")


@router.post(
    "/rescreen",
    response_model=RescreenReport,
    summary="Re-screen stored screenings against the latest list versions",
    responses=refusals(403, _403="the key's role may not screen"),
)
def rescreen_trail(
    key: ScreenKey,
    svc: Svc,
    body: Annotated[RescreenRequest, Body()] = RescreenRequest(),  # noqa: B008
) -> RescreenReport:
    """Each stored screening whose decision or party hits changed, with the list entries
    that caused it; the new results are stored (source `rescreen:<old id>`) unless
    `record` is false. Only screenings whose party names match an entry added, changed or
    removed since they were made are screened again."""
    screener = svc.current(fresh=True)  # over the latest lists, rebuilt only when they change
    with svc.lock:  # one screening at a time, as for /v1/screen
        return run_rescreen(
            svc.database_url,
            svc.runner.rules_dir,
            since=body.since,
            as_of=body.as_of,
            record=body.record,
            requested_by=key.label,
            screener=screener,
        )
