"""The compact screening result: what decides, without the trace.

A projection of `ScreeningResult` (built by `screener.compact.compact`), never screened
separately: the decision, each jurisdiction's decision with its nexus in one line per
distinct reason, the findings that decide (id, citation, title, explanation, missing facts),
red flags, gaps in one line, and the versions screened against. Its size grows with what
fired, not with items x clauses; the full result stays the record (audit trail, `--full`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from schemas.result import Decision, Outcome


class CompactItem(BaseModel):
    index: int
    description: str | None = None
    eccn: str | None = None
    origin_country: str | None = None


class CompactParty(BaseModel):
    role: str
    name: str
    country: str | None = None


class CompactNexus(BaseModel):
    """One reason a jurisdiction reaches (or does not reach) the items listed."""

    items: list[int]
    applies: bool | None
    explanation: str


class CompactVerdict(BaseModel):
    applies: bool | None
    decision: Decision
    nexus: list[CompactNexus] = Field(description="one entry per distinct reason")
    findings: list[str] = Field(
        default_factory=list, description="rule ids of this jurisdiction's deciding findings"
    )
    set_aside: int = Field(
        default=0, description="findings that fired but do not decide (not enforced, overcome)"
    )
    checked: int = Field(default=0, description="clauses evaluated that did not fire")
    questions: list[str] = Field(
        default_factory=list,
        description="the missing facts whose answers change the decision, each with what its "
        "representative answers lead to",
    )
    immaterial_unknowns: list[str] = Field(
        default_factory=list, description="missing facts that cannot change the decision"
    )
    assumptions: list[str] = Field(
        default_factory=list, description="defaults the decision rests on, and the clauses"
    )


class CompactFinding(BaseModel):
    rule_id: str
    jurisdiction: str
    item_index: int | None = None
    outcome: Outcome
    citation: str
    title: str
    explanation: str
    missing_facts: list[str] = Field(default_factory=list)
    license_review_policy: str | None = None
    license_exceptions: list[str] = Field(
        default_factory=list, description='"SYMBOL: status" of each exception considered'
    )
    effective: Any = Field(default=None, description="dates of effect, where the result has them")


class SetAside(BaseModel):
    """A finding that fired but does not decide, and why."""

    rule_id: str
    item_index: int | None = None
    reason: str


class CompactTrigger(BaseModel):
    clause_id: str
    jurisdiction: str
    item_index: int | None = None
    status: str
    title: str
    citation: str
    reason: str
    missing_facts: list[str] = Field(default_factory=list)


class CompactGap(BaseModel):
    item_index: int
    destination: str
    summary: str


class CompactResult(BaseModel):
    view: Literal["compact"] = "compact"
    transaction_id: str | None = None
    decision: Decision
    as_of: dt.date
    items: list[CompactItem] = Field(default_factory=list)
    parties: list[CompactParty] = Field(default_factory=list)
    jurisdictions: dict[str, CompactVerdict]
    findings: list[CompactFinding] = Field(description="the findings that decide")
    set_aside: list[SetAside] = Field(default_factory=list)
    triggers: list[CompactTrigger] = Field(default_factory=list)
    gaps: list[CompactGap] = Field(default_factory=list)
    party_hits: list[str] = Field(default_factory=list, description="one line per hit")
    versions: dict[str, str]
    engine: str
