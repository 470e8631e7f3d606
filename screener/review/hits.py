"""Where a stored party hit stands with the reviewers: pending, released, confirmed, or a
release re-opened because the list entry changed since. The same reading as screening's
(`screener.parties.screening.PartyScreening._adjudicate`), so the page and the next
screening agree on whether a hit still needs a decision."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from schemas.lists import PartyHit
from screener.parties.screening import describe_hit
from screener.parties.store import Adjudication, ListStore


class HitStatus(StrEnum):
    pending = "pending"  # nobody has decided on this name against this entry
    reopened = "reopened"  # released, but the entry has changed since: decide again
    released = "released"  # a reviewer said it is not the listed party (entry unchanged)
    confirmed = "confirmed"  # a reviewer said it is the listed party

    @property
    def waiting(self) -> bool:
        return self in (HitStatus.pending, HitStatus.reopened)


class HitView(BaseModel):
    """One hit of a stored screening as the reviewer sees it."""

    index: int  # its position in the stored result's `party_hits`
    role: str
    query: str
    list_name: str
    list_version: str
    entry_id: str
    entry_name: str
    matched_alias: str
    source: str
    band: str
    score: float
    alignment: list[dict[str, Any]]
    adjustments: list[str]
    footnotes: list[str]
    transliteration: str | None
    alias_source: str | None
    also_listed: list[str]
    note_at_screening: str | None  # the adjudication the screening itself applied, if any
    explanation: str  # the one line findings quote (`describe_hit`)
    status: HitStatus
    decisions: list[Adjudication]  # every decision on this name and entry, newest first


def list_name(hit: dict[str, Any]) -> str:
    return str(hit["list_version"]).split("@", 1)[0]


def status_of(
    store: ListStore, query: str, name: str, entry_id: str
) -> tuple[HitStatus, list[Adjudication]]:
    """(status, decisions newest first) of a name against one list entry, now."""
    decisions = store.adjudications_for(query, name, entry_id)
    if not decisions:
        return HitStatus.pending, decisions
    latest = decisions[0]
    if latest.decision == "true_match":
        return HitStatus.confirmed, decisions
    current = store.current_entry_hash(name, entry_id)
    if current is not None and current != latest.entry_hash:
        return HitStatus.reopened, decisions
    return HitStatus.released, decisions


def hit_view(store: ListStore | None, index: int, hit: dict[str, Any]) -> HitView:
    """A stored hit with its status now (no store: pending, no decisions known)."""
    status, decisions = (
        status_of(store, hit["query"], list_name(hit), hit["entry_id"])
        if store is not None
        else (HitStatus.pending, [])
    )
    return HitView(
        index=index,
        role=hit.get("role") or "party",
        query=hit["query"],
        list_name=list_name(hit),
        list_version=hit["list_version"],
        entry_id=hit["entry_id"],
        entry_name=hit["entry_name"],
        matched_alias=hit["matched_alias"],
        source=hit["source"],
        band=hit["band"],
        score=float(hit["score"]),
        alignment=list(hit.get("alignment") or []),
        adjustments=list(hit.get("adjustments") or []),
        footnotes=list(hit.get("footnotes") or []),
        transliteration=hit.get("transliteration"),
        alias_source=hit.get("alias_source"),
        also_listed=list(hit.get("also_listed") or []),
        note_at_screening=hit.get("adjudication"),
        explanation=describe_hit(PartyHit.model_validate(hit)),
        status=status,
        decisions=decisions,
    )
