"""Project a `ScreeningResult` onto its compact form (`schemas.compact.CompactResult`).

Why: the full result carries every item's nexus in every jurisdiction, every clause checked
and each licence exception's reasoning: 170 KB for a 3-item shipment, most of it saying
"no nexus" or "did not fire". A reviewer needs what decides. The projection drops nothing
that decides: every finding that fired, is in force and is not overcome is kept whole
(explanation, citation, missing facts); findings that fired but do not decide are named
with the reason; the rest is counted. The full result stays the record of the screening.
"""

from __future__ import annotations

from typing import Any

from schemas.compact import (
    CompactFinding,
    CompactGap,
    CompactItem,
    CompactNexus,
    CompactParty,
    CompactResult,
    CompactTrigger,
    CompactVerdict,
    SetAside,
)
from schemas.result import Finding, Nexus, Question, ScreeningResult
from schemas.transaction import Transaction


def deciding(finding: Finding) -> bool:
    """In force (not a text on the books but not enforced) and not overcome by a claimed
    licence exception whose conditions are met."""
    return finding.decisive and finding.overcome_by is None


def set_aside_reason(finding: Finding) -> str:
    if finding.overcome_by:
        return f"overcome by licence exception {finding.overcome_by}"
    return f"not enforced (status {finding.status}): reported for the record, does not decide"


def hit_line(hit: dict[str, Any]) -> str:
    """One line per party hit: who matched what, on which list, how well."""
    line = (
        f"{hit.get('role') or 'party'} {hit.get('query')!r} ~ {hit.get('entry_name')!r} "
        f"({hit.get('list_code')}, {hit.get('band')}, {float(hit.get('score') or 0):.2f})"
    )
    if hit.get("adjudication"):
        line += f"; {hit['adjudication']}"
    return line


def nexus_lines(nexus: list[Nexus]) -> list[CompactNexus]:
    """Items that share a reason share a line, in item order."""
    grouped: dict[tuple[bool | None, str], list[int]] = {}
    for n in nexus:
        grouped.setdefault((n.applies, n.explanation), []).append(n.item_index)
    return [
        CompactNexus(items=items, applies=applies, explanation=text)
        for (applies, text), items in grouped.items()
    ]


def _effective(finding: Finding) -> Any:
    """Dates of effect, where the result model carries them (`Finding.effective`)."""
    value = getattr(finding, "effective", None)
    if value is not None and hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def _finding(f: Finding) -> CompactFinding:
    return CompactFinding(
        rule_id=f.rule_id,
        jurisdiction=f.jurisdiction,
        item_index=f.item_index,
        outcome=f.outcome,
        citation=f.citation,
        title=f.title,
        explanation=f.explanation,
        missing_facts=f.missing_facts,
        license_review_policy=f.license_review_policy,
        license_exceptions=[
            f"{a.symbol}: {a.status}{' (claimed)' if a.claimed else ''}"
            for a in f.license_exceptions
        ],
        effective=_effective(f),
    )


def _items(result: ScreeningResult, tx: Transaction | None) -> list[CompactItem]:
    if tx is not None:
        return [
            CompactItem(
                index=i,
                description=line.item.description
                if line.activity is None
                else f"service ({line.activity.value}): {line.item.description}".rstrip(": "),
                eccn=line.item.eccn,
                origin_country=line.item.origin_country,
            )
            for i, line in enumerate(tx.lines())
        ]
    return [
        CompactItem(
            index=i, eccn=facts.get("item.eccn"), origin_country=facts.get("item.origin_country")
        )
        for i, facts in enumerate(result.derived_facts)
    ]


def _parties(tx: Transaction | None) -> list[CompactParty]:
    if tx is None:
        return []
    exporter = CompactParty(role="exporter", name=tx.exporter.name, country=tx.exporter.country)
    return [exporter] + [
        CompactParty(role=p.role.value, name=p.name, country=p.country) for p in tx.parties
    ]


def compact(result: ScreeningResult, tx: Transaction | None = None) -> CompactResult:
    """The compact view of `result`; with `tx` (the transaction screened) it also names the
    items (description, ECCN) and the parties."""
    jurisdictions = {}
    for code, verdict in result.jurisdictions.items():
        jurisdictions[code] = CompactVerdict(
            applies=verdict.applies,
            decision=verdict.decision,
            nexus=nexus_lines(verdict.nexus),
            findings=list(dict.fromkeys(f.rule_id for f in verdict.findings if deciding(f))),
            set_aside=sum(not deciding(f) for f in verdict.findings),
            checked=len(verdict.checked),
            questions=[question_text(q) for q in verdict.questions],
            immaterial_unknowns=verdict.immaterial_unknowns,
            assumptions=[
                f"{a.assumed} ({a.reason}); tested by {', '.join(a.clauses)}"
                for a in verdict.assumptions
            ],
        )
    return CompactResult(
        transaction_id=result.transaction_id,
        decision=result.decision,
        as_of=result.as_of,
        items=_items(result, tx),
        parties=_parties(tx),
        jurisdictions=jurisdictions,
        findings=[_finding(f) for f in result.findings if deciding(f)],
        set_aside=[
            SetAside(rule_id=f.rule_id, item_index=f.item_index, reason=set_aside_reason(f))
            for f in result.findings
            if not deciding(f)
        ],
        triggers=[
            CompactTrigger(
                clause_id=t.clause_id,
                jurisdiction=t.jurisdiction,
                item_index=t.item_index,
                status=t.status,
                title=t.title,
                citation=t.citation,
                reason=t.reason,
                missing_facts=t.missing_facts,
            )
            for t in result.triggers
        ],
        gaps=[
            CompactGap(item_index=g.item_index, destination=g.destination, summary=g.summary)
            for g in result.gaps
        ],
        party_hits=[hit_line(h) for h in result.party_hits],
        versions=result.versions,
        engine=result.engine,
    )


def question_text(q: Question) -> str:
    """`item.us_content_percent (item 0): 24.0 -> clear; 26.0 -> license_required`."""
    where = "" if q.item_index is None else f" (item {q.item_index})"
    answers = "; ".join(
        f"{a.value} -> {' or '.join(d.value for d in a.decisions)}" for a in q.answers
    )
    return f"{q.fact}{where}" + (f": {answers}" if answers else "")
