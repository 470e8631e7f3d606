"""One stored screening as the reviewer reads it: what was decided per jurisdiction, the
findings that decide, the facts asked for (with what each answer would lead to), and every
party hit with its explanation and where it stands with the reviewers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from screener.audit.store import StoredScreening
from screener.parties.store import ListStore
from screener.rescreen import SOURCE_PREFIX
from screener.review.hits import HitView, hit_view


class FindingView(BaseModel):
    jurisdiction: str
    rule_id: str
    outcome: str
    title: str
    citation: str
    explanation: str
    missing_facts: list[str]
    item_index: int | None
    confidence: str


class QuestionView(BaseModel):
    """A fact on which the decision depends (`JurisdictionVerdict.questions`)."""

    jurisdiction: str
    fact: str
    item_index: int | None
    answers: list[str]  # "24.0 -> clear", one per representative answer


class ScreeningView(BaseModel):
    id: int
    transaction_id: str | None
    screened_at: dt.datetime
    requested_by: str
    source: str
    decision: str
    as_of: str
    verdicts: dict[str, str]  # jurisdictions with a nexus (or undecided nexus) -> decision
    findings: list[FindingView]  # the decisive ones
    questions: list[QuestionView]
    hits: list[HitView]
    parties: list[dict[str, Any]]
    items: list[dict[str, Any]]
    destination: str
    exporter: str
    versions: dict[str, str]
    replaces: int | None  # the screening this re-screening replaced (`rescreen:<id>`)

    @property
    def waiting_hits(self) -> list[HitView]:
        return [h for h in self.hits if h.status.waiting]


def _answers(question: dict[str, Any]) -> list[str]:
    return [f"{a['value']} -> {', '.join(a['decisions'])}" for a in question.get("answers") or []]


def screening_view(stored: StoredScreening, lists: ListStore | None) -> ScreeningView:
    """The page's data from the audit record; hit statuses read now from `lists` (None: no
    list store, every hit pending)."""
    result = stored.result
    verdicts = {
        j: v["decision"]
        for j, v in sorted(result["jurisdictions"].items())
        if v.get("applies") is not False
    }
    findings = [
        FindingView(
            jurisdiction=f["jurisdiction"],
            rule_id=f["rule_id"],
            outcome=f["outcome"],
            title=f["title"],
            citation=f["citation"],
            explanation=f["explanation"],
            missing_facts=list(f.get("missing_facts") or []),
            item_index=f.get("item_index"),
            confidence=f["confidence"],
        )
        for f in result["findings"]
        if f.get("decisive")
    ]
    questions = [
        QuestionView(
            jurisdiction=j,
            fact=q["fact"],
            item_index=q.get("item_index"),
            answers=_answers(q),
        )
        for j, v in sorted(result["jurisdictions"].items())
        for q in v.get("questions") or []
    ]
    hits = [hit_view(lists, i, h) for i, h in enumerate(result.get("party_hits") or [])]
    tx = stored.transaction
    return ScreeningView(
        id=stored.id,
        transaction_id=stored.transaction_id,
        screened_at=stored.screened_at,
        requested_by=stored.requested_by,
        source=stored.source,
        decision=stored.decision,
        as_of=str(result["as_of"]),
        verdicts=verdicts,
        findings=findings,
        questions=questions,
        hits=hits,
        parties=list(tx.get("parties") or []),
        items=list(tx.get("items") or []),
        destination=str(tx.get("destination_country") or ""),
        exporter=str((tx.get("exporter") or {}).get("name") or ""),
        versions=stored.versions,
        replaces=_replaced(stored.source),
    )


def _replaced(source: str) -> int | None:
    rest = source.removeprefix(SOURCE_PREFIX)
    return int(rest) if rest != source and rest.isdigit() else None
