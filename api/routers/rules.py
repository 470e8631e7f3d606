"""`GET /v1/rules`: the loaded packs and their clauses, by jurisdiction and as-of date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from api.deps import ReadKey, Svc
from api.responses import KEYED, refusals
from schemas.rules import Clause

router = APIRouter(prefix="/v1", tags=["rules"], responses=KEYED)


class ClauseSummary(BaseModel):
    id: str
    kind: str
    title: str
    citation: str
    effective_from: dt.date
    effective_to: dt.date | None
    status: str
    outcome: str | None
    confidence: str


class PackSummary(BaseModel):
    id: str
    jurisdiction: str
    title: str
    version: str
    clauses: list[ClauseSummary]


class RulesResponse(BaseModel):
    as_of: dt.date | None
    packs: list[PackSummary]


def _summary(c: Clause) -> ClauseSummary:
    return ClauseSummary(
        id=c.id,
        kind=c.kind.value,
        title=c.title,
        citation=c.citation,
        effective_from=c.effective_from,
        effective_to=c.effective_to,
        status=c.status.value,
        outcome=c.outcome.value if c.outcome else None,
        confidence=f"{c.confidence.level}: {c.confidence.source}",
    )


@router.get(
    "/rules",
    response_model=RulesResponse,
    responses=refusals(404, _404="no pack for that jurisdiction"),
)
def list_rules(
    _key: ReadKey,
    svc: Svc,
    jurisdiction: Annotated[str | None, Query(description="e.g. US")] = None,
    as_of: Annotated[
        dt.date | None, Query(description="only clauses in effect on this date")
    ] = None,
) -> RulesResponse:
    packs = [p for p in svc.packs if jurisdiction is None or p.jurisdiction == jurisdiction.upper()]
    if jurisdiction is not None and not packs:
        known = ", ".join(sorted(p.jurisdiction for p in svc.packs))
        raise HTTPException(404, f"no pack for jurisdiction {jurisdiction!r}; loaded: {known}")
    return RulesResponse(
        as_of=as_of,
        packs=[
            PackSummary(
                id=p.meta.id,
                jurisdiction=p.jurisdiction,
                title=p.meta.title,
                version=p.version,
                clauses=[
                    _summary(lc.clause)
                    for lc in p.clauses
                    if as_of is None or lc.clause.in_effect(as_of)
                ],
            )
            for p in packs
        ],
    )


@router.get("/rules/{clause_id}", responses=refusals(404, _404="no clause of that id"))
def get_rule(
    clause_id: str,
    _key: ReadKey,
    svc: Svc,
) -> dict[str, Any]:
    """One clause in full (condition, examples, rationale) with its file and line."""
    for p in svc.packs:
        for lc in p.clauses:
            if lc.clause.id == clause_id:
                return {
                    "pack": p.meta.id,
                    "version": p.version,
                    "file": lc.file.name,
                    "line": lc.line,
                    "clause": lc.clause.model_dump(mode="json", by_alias=True),
                }
    raise HTTPException(404, f"no clause {clause_id!r}")
