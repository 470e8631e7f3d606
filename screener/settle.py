"""Write a settlement over the unknowns (`screener.decide`) into a jurisdiction's verdict.

The verdict keeps every finding; what changes is which of them decide. A `review` finding
whose missing facts cannot change the decision stops being decisive and says why; one whose
facts are asked stays decisive. The verdict gains the questions to put to the exporter, the
unknowns that did not matter, and the decisions that remain possible.
"""

from __future__ import annotations

from schemas.result import (
    Answer,
    Decision,
    Finding,
    JurisdictionVerdict,
    Outcome,
    Question,
)
from screener.answers import PARAGRAPH
from screener.folding import Question as Asked
from screener.folding import Settlement, Unknown


def settle_verdict(verdict: JurisdictionVerdict, settlement: Settlement) -> JurisdictionVerdict:
    if not settlement.exhaustive:
        return verdict.model_copy(
            update={
                "questions": [
                    _question(q.unknown, []) for q in sorted(settlement.questions, key=_order)
                ],
                "possible_decisions": [],
            }
        )
    asked = {q.unknown for q in settlement.questions}
    decision = settlement.decision
    findings = [_settle_finding(f, asked, decision) for f in verdict.findings]
    applies = verdict.applies
    if settlement.applies is not None:
        applies = settlement.applies
    return verdict.model_copy(
        update={
            "decision": Decision.not_applicable if applies is False else decision,
            "applies": applies,
            "findings": findings,
            "possible_decisions": settlement.possible,
            "questions": [
                _question(q.unknown, [Answer(value=v, decisions=d) for v, d in q.answers])
                for q in sorted(settlement.questions, key=_order)
            ],
            "immaterial_unknowns": sorted({u.label() for u in settlement.immaterial}),
        }
    )


def _asks(finding: Finding, asked: set[Unknown]) -> bool:
    """The finding lacks a fact that is asked (or is itself an asked free clause)."""
    for unknown in asked:
        if unknown.clause is not None:
            if unknown.clause == finding.rule_id and unknown.item_index == finding.item_index:
                return True
            continue
        if unknown.item_index not in (None, finding.item_index):
            continue
        if unknown.fact in finding.missing_facts:
            return True
        if unknown.fact == PARAGRAPH and any(
            m.startswith("item.eccn (") for m in finding.missing_facts
        ):
            return True
        if any(c.fact == unknown.fact and c.result is not None for c in finding.conditions):
            return True  # a test of presence (`exists`) on the asked fact
    return False


def _settle_finding(finding: Finding, asked: set[Unknown], decision: Decision) -> Finding:
    # only an undecided clause can be immaterial; a clause that holds with outcome `review`
    # is the rule author's own call for a human look, and stays decisive
    if not finding.decisive or finding.outcome != Outcome.review or not finding.missing_facts:
        return finding
    if _asks(finding, asked):
        return finding
    lacking = ", ".join(finding.missing_facts) or "what it tests"
    return finding.model_copy(
        update={
            "decisive": False,
            "explanation": finding.explanation
            + f" Not needed to decide: whatever the answer on {lacking}, this jurisdiction's "
            f"decision is {decision.value}.",
        }
    )


def _order(q: Asked) -> tuple[int, str, str]:
    """Transaction-level questions first, then by item, fact and clause: one order whatever
    order a backend reported its clauses in."""
    u = q.unknown
    return (-1 if u.item_index is None else u.item_index, u.fact, u.clause or "")


def _question(unknown: Unknown, answers: list[Answer]) -> Question:
    return Question(
        fact=unknown.fact, item_index=unknown.item_index, clause_id=unknown.clause, answers=answers
    )
