"""The screening result: per jurisdiction, a decision with the clauses that fired and why."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field


class Outcome(StrEnum):
    """What a fired clause says. Ordered by severity: the most severe wins."""

    prohibited = "prohibited"
    license_required = "license_required"
    review = "review"


class Decision(StrEnum):
    prohibited = "prohibited"
    license_required = "license_required"
    review = "review"
    clear = "clear"
    not_applicable = "not_applicable"


SEVERITY: dict[str, int] = {
    Decision.prohibited: 4,
    Decision.license_required: 3,
    Decision.review: 2,
    Decision.clear: 1,
    Decision.not_applicable: 0,
}


def most_severe(decisions: list[Decision], default: Decision = Decision.clear) -> Decision:
    return max(decisions, key=SEVERITY.__getitem__, default=default)


class ConditionTrace(BaseModel):
    """One leaf of a clause's condition as it was tested: the fact, its value, the test."""

    fact: str
    op: str
    expected: Any
    actual: Any
    result: bool | None = Field(
        description="whether the test as written in `op` held (a negated op: the negation), "
        "or null when the fact is missing"
    )


class Effective(BaseModel):
    """A clause's dates of effect, with the instrument that brought it into effect when the
    clause names one: what an auditor checks against the transaction's date."""

    since: dt.date = Field(description="first day the clause applies")
    until: dt.date | None = Field(
        default=None, description="last day the clause applies (inclusive); null while in force"
    )
    instrument: str | None = Field(
        default=None,
        description="the instrument that brought the clause into effect (e.g. 88 FR 73458), "
        "where the clause names one",
    )


class ExceptionAdvice(BaseModel):
    """Whether a licence exception can overcome a licence requirement, and why."""

    symbol: str
    rule_id: str
    citation: str
    status: Literal["available", "foreclosed", "undecided"]
    claimed: bool = Field(description="the exporter said it intends to use this exception")
    explanation: str
    missing_facts: list[str] = Field(default_factory=list)


class Finding(BaseModel):
    rule_id: str
    jurisdiction: str
    outcome: Outcome
    citation: str
    title: str
    instrument: str | None = Field(
        default=None,
        description="the legal instrument the finding comes from, e.g. 'Regulation (EU) "
        "2021/821 as applied by the Netherlands' or the Dutch national regulation",
    )
    item_index: int | None = None
    explanation: str
    conditions: list[ConditionTrace] = Field(default_factory=list)
    missing_facts: list[str] = Field(default_factory=list)
    license_review_policy: str | None = None
    status: str = "in_force"
    decisive: bool = Field(
        default=True, description="false for clauses on the books but not enforced"
    )
    confidence: str
    pack_version: str
    license_exceptions: list[ExceptionAdvice] = Field(
        default_factory=list,
        description="licence exceptions considered for a licence requirement, with the reason",
    )
    overcome_by: str | None = Field(
        default=None,
        description="the claimed licence exception whose conditions are met; the finding then "
        "no longer decides",
    )
    effective: Effective | None = Field(
        default=None, description="the clause's dates of effect and the instrument"
    )


class Trigger(BaseModel):
    """A red flag (a `trigger` clause) that held, or could not be decided, for one item.

    Red flags are guidance, not licence requirements: a raised trigger makes the
    jurisdiction's decision at least `review` (the exporter must resolve it before
    proceeding, Supp. No. 3 to 15 CFR Part 732), never `license_required`. An undecided
    trigger (a fact it needs is missing) is listed with the missing facts but decides nothing.
    """

    clause_id: str
    jurisdiction: str
    title: str
    citation: str
    item_index: int | None = None
    status: Literal["raised", "undecided"]
    reason: str = Field(description="the clause's rationale: why this is a red flag")
    explanation: str = Field(description="the facts tested and their values")
    conditions: list[ConditionTrace] = Field(default_factory=list)
    missing_facts: list[str] = Field(default_factory=list)
    confidence: str
    pack_version: str
    effective: Effective | None = Field(
        default=None, description="the clause's dates of effect and the instrument"
    )


class Nexus(BaseModel):
    """Why a jurisdiction reaches an item (or why it may)."""

    item_index: int
    applies: bool | None = Field(description="null when the facts given cannot decide it")
    basis: list[str] = Field(default_factory=list, description="clause titles that established it")
    citations: list[str] = Field(default_factory=list)
    explanation: str


class Answer(BaseModel):
    """One representative answer to a question and the decisions it leaves possible."""

    value: str
    decisions: list[Decision]


class Question(BaseModel):
    """A fact the transaction does not give whose answer changes the jurisdiction's decision:
    what to ask the exporter."""

    fact: str = Field(description="the fact path (or, with clause_id, what the clause lacks)")
    item_index: int | None = Field(description="the item it concerns; null: the transaction")
    clause_id: str | None = Field(
        default=None, description="set when the unknown is one clause's outcome, not a value"
    )
    answers: list[Answer] = Field(
        default_factory=list, description="representative answers and where each leads"
    )


class Assumption(BaseModel):
    """A default the law or practice supports, applied because the transaction is silent."""

    fact: str = Field(description="the fact assumed")
    assumed: str = Field(description="what was assumed")
    reason: str = Field(description="why the assumption is supported")
    clauses: list[str] = Field(
        default_factory=list,
        description="clauses of this jurisdiction that tested the assumed fact: the findings "
        "that could change if the assumption were false",
    )


class JurisdictionVerdict(BaseModel):
    jurisdiction: str
    applies: bool | None
    decision: Decision
    nexus: list[Nexus] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    checked: list[str] = Field(
        default_factory=list, description="clauses in effect that were evaluated and did not fire"
    )
    checked_effective: dict[str, Effective] = Field(
        default_factory=dict, description="the dates of effect of each clause in `checked`, by id"
    )
    triggers: list[Trigger] = Field(
        default_factory=list, description="red flags raised (or undecided) for this jurisdiction"
    )
    possible_decisions: list[Decision] = Field(
        default_factory=list,
        description="when facts are missing: the decisions their possible answers lead to",
    )
    questions: list[Question] = Field(
        default_factory=list,
        description="the missing facts whose answers change the decision (the smallest such "
        "set): a `review` asks exactly these",
    )
    immaterial_unknowns: list[str] = Field(
        default_factory=list,
        description="missing facts that cannot change the decision, whatever their answer",
    )
    assumptions: list[Assumption] = Field(
        default_factory=list, description="defaults the decision rests on (see Assumption)"
    )


class GapPosition(BaseModel):
    """One jurisdiction's answer for the same item, end user and destination, as if the item
    were exported from that jurisdiction's territory."""

    jurisdiction: str
    exporter_country: str = Field(description="the ship-from country assumed for the baseline")
    decision: Decision
    rule_ids: list[str] = Field(default_factory=list, description="decisive clauses that fired")
    citations: list[str] = Field(default_factory=list)
    missing_facts: list[str] = Field(
        default_factory=list, description="facts whose absence made a clause undecided (review)"
    )
    explanation: str
    profile: str = Field(default="", description="the jurisdiction's profile, in one line")


class Gap(BaseModel):
    """Jurisdictions that disagree on one line item: who requires a licence and who does not.

    A gap is reported only where the baseline jurisdictions reach different decisions.
    """

    item_index: int
    destination: str
    as_of: dt.date
    summary: str = Field(description='e.g. "licence required from NL, JP; none from EU, US"')
    positions: list[GapPosition]


class ScreeningResult(BaseModel):
    transaction_id: str | None = None
    decision: Decision
    as_of: dt.date
    jurisdictions: dict[str, JurisdictionVerdict]
    findings: list[Finding]
    derived_facts: list[dict[str, Any]] = Field(
        default_factory=list, description="per item: the facts derived before evaluation"
    )
    gaps: list[Gap] = Field(
        default_factory=list,
        description="per item, where the baseline jurisdictions disagree on the same item, end "
        "user and destination shipped from each of their territories",
    )
    triggers: list[Trigger] = Field(
        default_factory=list,
        description="red flags of every jurisdiction; a raised one makes that jurisdiction's "
        "decision at least review",
    )
    party_hits: list[dict[str, Any]] = Field(default_factory=list)
    versions: dict[str, str] = Field(description="rule pack id -> content hash")
    engine: str
