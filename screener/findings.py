"""Findings, red flags and licence-exception advice: what one clause says about one item.

Each depends only on the clause and the values of the facts its condition reads, so it is
built once per distinct set of those values (a template, `BoundedCache`) and copied with the
item's index: batches of similar lines reuse the explanation instead of rebuilding it.
Templates are never modified after they are built (results share their condition traces).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, Literal

from schemas.result import ExceptionAdvice, Finding, Outcome, Trigger
from schemas.rules import Clause, ClauseStatus
from schemas.vocabulary import GENERAL_AUTHORISATIONS
from screener.cache import BoundedCache
from screener.compiled import CompiledPack
from screener.conditions import missing_facts, trace_condition
from screener.explain import finding_explanation
from screener.facts import Facts
from screener.packs.index import IndexedClause


class FindingBuilder:
    """Builds each finding, red flag and piece of advice once per distinct key."""

    def __init__(self) -> None:
        self._findings: BoundedCache[Finding] = BoundedCache()
        self._advice: BoundedCache[ExceptionAdvice] = BoundedCache()
        self._triggers: BoundedCache[Trigger] = BoundedCache()

    def finding(
        self, compiled: CompiledPack, clause: Clause, facts: Facts, item_index: int, nexus: bool
    ) -> Finding:
        """The finding for one clause and item, built once per distinct set of facts read.

        A finding depends only on the clause and the values of the facts its condition reads,
        so batches of similar lines reuse the explanation instead of rebuilding it.
        """
        key = (
            clause.id,
            nexus,
            tuple(_frozen(facts.get(p)) for p in compiled.reads[clause.id]),
        )
        template = self._findings.get_or_build(
            key, lambda: _build_finding(compiled, clause, facts, nexus)
        )
        return template.model_copy(update={"item_index": item_index})

    def trigger(
        self, compiled: CompiledPack, clause: Clause, facts: Facts, item_index: int
    ) -> Trigger:
        """A red flag for one item, built once per distinct set of facts its clause reads."""
        key = (clause.id, tuple(_frozen(facts.get(p)) for p in compiled.reads[clause.id]))
        template = self._triggers.get(key)
        if template is None:
            result, traces = trace_condition(clause.when, facts)
            missing = missing_facts(traces)
            template = self._triggers.put(
                key,
                Trigger(
                    clause_id=clause.id,
                    jurisdiction=clause.jurisdiction,
                    title=clause.title,
                    citation=clause.citation,
                    status="raised" if result else "undecided",
                    reason=clause.rationale or clause.title,
                    explanation=finding_explanation(clause, result, traces, missing),
                    conditions=traces,
                    missing_facts=missing,
                    confidence=f"{clause.confidence.level}: {clause.confidence.source}",
                    pack_version=compiled.pack.version,
                    effective=compiled.effective[clause.id],
                ),
            )
        return template.model_copy(update={"item_index": item_index})

    def with_exceptions(
        self,
        compiled: CompiledPack,
        finding: Finding,
        exceptions: tuple[IndexedClause, ...],
        facts: Facts,
        fired: dict[str, bool | None],
    ) -> Finding:
        """List the licence exceptions that could overcome this requirement, and apply the
        one the exporter claims if its conditions are met (15 CFR 738.4(a)(2)(ii)(A): each
        requirement is overcome on its own)."""
        claimed = set(facts.get("license_exceptions.claimed", ()))
        advice: list[ExceptionAdvice] = []
        for ic in exceptions:
            clause = ic.clause
            if not any(fnmatchcase(finding.rule_id, p) for p in clause.overcomes):
                continue
            key = (clause.id, tuple(_frozen(facts.get(p)) for p in compiled.reads[clause.id]))
            result = (
                ic.predicate(facts)
                if compiled.backend.lazy_exceptions
                else fired.get(clause.id, False)
            )
            template = self._advice.get(key)
            if template is None:
                traces_result, traces = trace_condition(clause.when, facts)
                missing = missing_facts(traces)
                template = self._advice.put(
                    key,
                    ExceptionAdvice(
                        symbol=clause.license_exception or "",
                        rule_id=clause.id,
                        citation=clause.citation,
                        status=_ADVICE[traces_result],
                        claimed=False,
                        explanation=finding_explanation(clause, traces_result, traces, missing),
                        missing_facts=missing,
                    ),
                )
            assert template.status == _ADVICE[result], (clause.id, result)
            advice.append(template.model_copy(update={"claimed": template.symbol in claimed}))
        used = next((a for a in advice if a.claimed and a.status == "available"), None)
        update: dict[str, Any] = {"license_exceptions": advice}
        if used is not None:
            update |= {
                "overcome_by": used.symbol,
                "decisive": False,
                "explanation": finding.explanation
                + f" Overcome by {_authorisation(used.symbol)} ({used.citation}), which the "
                "exporter claims and whose conditions the facts meet.",
            }
        return finding.model_copy(update=update)


def _build_finding(compiled: CompiledPack, clause: Clause, facts: Facts, nexus: bool) -> Finding:
    result, traces = trace_condition(clause.when, facts)
    missing = missing_facts(traces)
    cited = facts.get("parties.hits") if "parties.hits" in compiled.reads[clause.id] else None
    outcome = Outcome.review if (result is None or nexus) else clause.outcome
    assert outcome is not None
    explanation = finding_explanation(clause, result, traces, missing)
    if cited:
        explanation += " Party hits: " + " | ".join(cited) + "."
    if nexus:
        explanation = (
            f"Whether {clause.jurisdiction} jurisdiction reaches this item cannot be decided. "
            + explanation
        )
    return Finding(
        rule_id=clause.id,
        jurisdiction=clause.jurisdiction,
        outcome=outcome,
        citation=clause.citation,
        title=clause.title,
        instrument=clause.instrument,
        explanation=explanation,
        conditions=traces,
        missing_facts=missing,
        license_review_policy=clause.license_review_policy,
        status=clause.status.value,
        # superseded clauses still decide inside their dates of effect
        decisive=clause.status != ClauseStatus.non_enforced,
        confidence=f"{clause.confidence.level}: {clause.confidence.source}",
        pack_version=compiled.pack.version,
        effective=compiled.effective[clause.id],
    )


_ADVICE: dict[bool | None, Literal["available", "foreclosed", "undecided"]] = {
    True: "available",
    False: "foreclosed",
    None: "undecided",
}


def _authorisation(symbol: str) -> str:
    kind = "general authorisation" if symbol in GENERAL_AUTHORISATIONS else "License Exception"
    return f"{kind} {symbol}"


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
