"""`GET /v1/screenings/{id}`: a stored decision as the audit trail holds it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from api.auth import READ
from api.services import Services, services
from screener.audit.keys import ApiKey
from screener.audit.store import StoredScreening

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/screenings/{screening_id}", response_model=StoredScreening)
def get_screening(
    screening_id: int,
    _key: Annotated[ApiKey, Depends(READ)],
    svc: Annotated[Services, Depends(services)],
) -> StoredScreening:
    """The transaction as received, the result as returned, the rule-pack and list versions
    used, who asked and when."""
    stored = svc.audit.get(screening_id)
    if stored is None:
        raise HTTPException(404, f"no screening {screening_id}")
    return stored
