"""`GET /v1/screenings/{id}`: a stored decision as the audit trail holds it, with its result
re-screened and checked against the stored digest (`screener.audit.reproduce`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from api.deps import ReadKey, Svc
from api.responses import KEYED, refusals
from screener.audit.store import StoredScreening

router = APIRouter(prefix="/v1", tags=["audit"], responses=KEYED)


# ids are SQLite/PostgreSQL BIGINTs: anything larger is refused (422), not an OverflowError
ScreeningId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the X-Screening-Id")]


@router.get("/screenings/{screening_id}", response_model=StoredScreening, responses=refusals(404))
def get_screening(
    screening_id: ScreeningId,
    _key: ReadKey,
    svc: Svc,
) -> StoredScreening:
    """The transaction as screened, the rule-pack and list versions used, the decision
    summary, who asked and when, and the result as it was answered: re-screened here and
    given only when its SHA-256 equals the stored one (`reproduction` says `verified`, or
    why not, e.g. the packs changed since)."""
    stored = svc.audit.get(screening_id)  # a result the row does not keep is reproduced
    if stored is None:
        raise HTTPException(404, f"no screening {screening_id}")
    return stored
