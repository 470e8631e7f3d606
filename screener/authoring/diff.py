"""What a draft pack changes for one screening, and the summary over many.

Shared by replay (stored screenings) and shadow mode (new screenings), so an analyst reads one
vocabulary: a screening is *newly flagged* when the draft's decision is more severe than the
live pack's, *newly cleared* when it is less severe, and *reasons changed* when the decision is
the same but the decisive clauses (or their outcomes) differ. Only decisive findings count: a
non-enforced clause or a requirement overcome by a licence exception never decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from schemas.result import SEVERITY, Decision, ScreeningResult

Change = Literal["newly_flagged", "newly_cleared", "reasons_changed", "unchanged"]


def decisive_clauses(result: ScreeningResult) -> dict[str, str]:
    """{clause id: the most severe outcome it decided with}, over every item."""
    out: dict[str, str] = {}
    for f in result.findings:
        if f.decisive and SEVERITY[f.outcome.value] > SEVERITY.get(out.get(f.rule_id, ""), -1):
            out[f.rule_id] = f.outcome.value
    return out


class ScreeningDiff(BaseModel):
    """One screening evaluated by the live pack and by the draft."""

    screening_id: str
    transaction_id: str | None = None
    as_of: dt.date
    live_decision: Decision
    draft_decision: Decision
    change: Change
    newly_firing: dict[str, str] = Field(
        default_factory=dict, description="clause id -> outcome: decisive under the draft only"
    )
    no_longer_firing: dict[str, str] = Field(
        default_factory=dict, description="clause id -> outcome: decisive under live only"
    )
    stored_decision: Decision | None = Field(
        default=None, description="the decision recorded when the screening was made"
    )
    drift: bool = Field(
        default=False,
        description="the live pack now decides otherwise than the stored decision, or on "
        "other decisive clauses (the live pack or the lists changed since): the diff is draft "
        "against live-now",
    )

    def describe(self) -> str:
        """One sentence for an analyst: what changes and which clauses cause it."""
        parts = [f"{self.live_decision.value} -> {self.draft_decision.value}"]
        if self.no_longer_firing:
            parts.append("no longer: " + ", ".join(sorted(self.no_longer_firing)))
        if self.newly_firing:
            parts.append("newly: " + ", ".join(sorted(self.newly_firing)))
        return "; ".join(parts)


def compare(
    screening_id: str,
    live: ScreeningResult,
    draft: ScreeningResult,
    stored_decision: Decision | None = None,
    stored_rule_ids: tuple[str, ...] | None = None,
) -> ScreeningDiff:
    """The difference between the live and the draft result of the same transaction; the
    stored decision and decisive clauses, when given, show drift of live-now from then."""
    before, after = decisive_clauses(live), decisive_clauses(draft)
    newly = {cid: o for cid, o in after.items() if before.get(cid) != o}
    gone = {cid: o for cid, o in before.items() if after.get(cid) != o}
    up, down = SEVERITY[draft.decision.value], SEVERITY[live.decision.value]
    change: Change = (
        "newly_flagged"
        if up > down
        else "newly_cleared"
        if up < down
        else "reasons_changed"
        if newly or gone
        else "unchanged"
    )
    return ScreeningDiff(
        screening_id=screening_id,
        transaction_id=live.transaction_id,
        as_of=live.as_of,
        live_decision=live.decision,
        draft_decision=draft.decision,
        change=change,
        newly_firing=newly,
        no_longer_firing=gone,
        stored_decision=stored_decision,
        drift=(stored_decision is not None and stored_decision != live.decision)
        or (stored_rule_ids is not None and set(stored_rule_ids) != set(before)),
    )


class ClauseImpact(BaseModel):
    """What one clause does to the decisions: the screenings it newly decides or no longer
    decides, and among them those whose decision changes."""

    clause_id: str
    newly_firing: list[str] = Field(default_factory=list)
    no_longer_firing: list[str] = Field(default_factory=list)
    newly_flagged: list[str] = Field(default_factory=list)
    newly_cleared: list[str] = Field(default_factory=list)


class ImpactReport(BaseModel):
    """The difference a draft makes over a set of screenings (replayed or shadowed)."""

    draft: str
    draft_version: str | None = None
    live_versions: dict[str, str] = Field(
        default_factory=dict, description="versions of the live packs and lists compared against"
    )
    since: dt.date | None = None
    until: dt.date | None = None
    screened: int = 0
    unchanged: int = 0
    newly_flagged: int = 0
    newly_cleared: int = 0
    reasons_changed: int = 0
    drift: int = 0
    errors: list[str] = Field(default_factory=list)
    changes: list[ScreeningDiff] = Field(
        default_factory=list, description="every screening whose outcome or reasons change"
    )
    by_clause: list[ClauseImpact] = Field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.newly_flagged + self.newly_cleared + self.reasons_changed


def summarize(
    diffs: Iterable[ScreeningDiff],
    draft: str,
    draft_version: str | None = None,
    errors: Iterable[str] = (),
) -> ImpactReport:
    """Count the changes and attribute them to clauses: a newly flagged screening to the
    clauses newly firing, a newly cleared one to the clauses no longer firing."""
    report = ImpactReport(draft=draft, draft_version=draft_version, errors=list(errors))
    impacts: dict[str, ClauseImpact] = {}

    def impact(cid: str) -> ClauseImpact:
        return impacts.setdefault(cid, ClauseImpact(clause_id=cid))

    for d in diffs:
        report.screened += 1
        report.drift += d.drift
        if d.change == "unchanged":
            report.unchanged += 1
            continue
        setattr(report, d.change, getattr(report, d.change) + 1)
        report.changes.append(d)
        for cid in d.newly_firing:
            impact(cid).newly_firing.append(d.screening_id)
            if d.change == "newly_flagged":
                impact(cid).newly_flagged.append(d.screening_id)
        for cid in d.no_longer_firing:
            impact(cid).no_longer_firing.append(d.screening_id)
            if d.change == "newly_cleared":
                impact(cid).newly_cleared.append(d.screening_id)
    report.by_clause = sorted(impacts.values(), key=lambda i: i.clause_id)
    return report
