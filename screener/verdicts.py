"""Assemble a jurisdiction's verdict from its clauses' results on each item.

Two layers: nexus clauses say whether the jurisdiction reaches the item; control clauses say
what it requires. A clause that is true becomes a finding with its outcome; one that cannot
be decided becomes a `review` finding naming the missing facts. Clauses marked non_enforced
are reported but never decide. A verdict that would be `review` is settled where the law
decides (screener.decide, screener.settle).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from schemas.result import (
    Assumption,
    Decision,
    Finding,
    JurisdictionVerdict,
    Nexus,
    Outcome,
    Trigger,
    most_severe,
)
from schemas.rules import ClauseKind, ClauseStatus
from schemas.transaction import Transaction
from screener.cache import BoundedCache
from screener.compiled import CompiledPack
from screener.decide import ItemState
from screener.facts import ASSUMED, Facts
from screener.findings import FindingBuilder
from screener.folding import Settlement
from screener.packs.index import GOODS, LINE_KIND
from screener.settle import settle_verdict


class VerdictAssembler:
    """Builds verdicts for the packs of one Screener, sharing templates between results."""

    def __init__(self) -> None:
        self.findings = FindingBuilder()
        self._nexuses: BoundedCache[Nexus] = BoundedCache()
        self._unreached: BoundedCache[JurisdictionVerdict] = BoundedCache()

    def verdict(
        self,
        compiled: CompiledPack,
        tx: Transaction,
        item_facts: list[Facts],
        results: list[dict[str, bool | None]],
    ) -> JurisdictionVerdict:
        """The pack's verdict from each item's clause results: nexus per item, the findings
        and red flags of the items it reaches (or may reach), the clauses checked, the
        assumptions its clauses tested, and, when it would be `review`, the search over its
        unknowns (screener.decide) that settles it where the law does."""
        jurisdiction = compiled.pack.jurisdiction
        nexus_list: list[Nexus] = []
        findings: list[Finding] = []
        triggers: list[Trigger] = []
        checked: set[str] = set()
        reached: list[int] = []  # items the jurisdiction reaches or may reach
        for i, (facts, fired) in enumerate(zip(item_facts, results, strict=True)):
            by_kind: dict[ClauseKind, dict[str, bool | None]] = {k: {} for k in ClauseKind}
            # in pack order, whatever order the backend reported them in
            for clause_id in sorted(fired, key=compiled.order.__getitem__):
                by_kind[compiled.by_id[clause_id].kind][clause_id] = fired[clause_id]
            # a non-enforced rule (e.g. the AI Diffusion FDP rule) never establishes jurisdiction
            established = [
                cid
                for cid, r in by_kind[ClauseKind.nexus].items()
                if r is True and compiled.by_id[cid].status != ClauseStatus.non_enforced
            ]
            undecided = [cid for cid, r in by_kind[ClauseKind.nexus].items() if r is None]
            item_reach = True if established else (None if undecided else False)
            # control clauses that carry their own nexus (a US person's activity) reach the
            # line whether or not the item is subject to the jurisdiction
            own = [cid for cid in by_kind[ClauseKind.control] if compiled.by_id[cid].own_nexus]
            reach = established + [
                cid
                for cid in own
                if fired[cid] is True and compiled.by_id[cid].status != ClauseStatus.non_enforced
            ]
            open_ = undecided + [cid for cid in own if fired[cid] is None]
            applies = True if reach else (None if open_ else False)
            key = (compiled.pack.meta.id, tx.date, applies, tuple(reach), tuple(open_))
            nexus = self._nexuses.get(key)
            if nexus is None:
                nexus = self._nexuses.put(key, _nexus(compiled, tx.date, applies, reach, open_))
            nexus_list.append(nexus.model_copy(update={"item_index": i}))
            if applies is False:
                continue
            reached.append(i)
            if item_reach is None:
                findings += [
                    self.findings.finding(compiled, compiled.by_id[cid], facts, i, nexus=True)
                    for cid in undecided
                ]
            entry, line = facts.get("item.eccn_entry"), facts.get(LINE_KIND, GOODS)
            exceptions = compiled.index.candidates(ClauseKind.exception, entry, tx.date, line)
            controls = by_kind[ClauseKind.control] if item_reach is not False else own
            for cid in controls:
                finding = self.findings.finding(
                    compiled, compiled.by_id[cid], facts, i, nexus=False
                )
                if exceptions and finding.outcome == Outcome.license_required and finding.decisive:
                    finding = self.findings.with_exceptions(
                        compiled, finding, exceptions, facts, fired
                    )
                if item_reach is None and finding.decisive and cid not in own:
                    # Whether the jurisdiction reaches the item is itself undecided: what it
                    # would require is shown, but the decision is the review that asks.
                    finding = finding.model_copy(
                        update={
                            "decisive": False,
                            "explanation": f"If the item is subject to {jurisdiction} "
                            f"jurisdiction: {finding.explanation}",
                        }
                    )
                findings.append(finding)
            # Red flags concern transactions the jurisdiction reaches (or may reach).
            triggers += [
                self.findings.trigger(compiled, compiled.by_id[cid], facts, i)
                for cid in by_kind[ClauseKind.trigger]
            ]
            checked |= {
                ic.clause.id
                for ic in compiled.index.candidates(ClauseKind.control, entry, tx.date, line)
                if ic.clause.id not in fired and (item_reach is not False or ic.clause.own_nexus)
            }
        item_applies = [n.applies for n in nexus_list]
        applies = True if True in item_applies else (None if None in item_applies else False)
        decisions = [Decision(f.outcome.value) for f in findings if f.decisive]
        if any(t.status == "raised" for t in triggers):
            decisions.append(Decision.review)  # a red flag must be resolved before proceeding
        decision = Decision.not_applicable if applies is False else most_severe(decisions)
        verdict = JurisdictionVerdict(
            jurisdiction=jurisdiction,
            applies=applies,
            decision=decision,
            nexus=nexus_list,
            findings=findings,
            checked=sorted(checked),
            checked_effective={cid: compiled.effective[cid] for cid in sorted(checked)},
            triggers=triggers,
        )
        if reached and ASSUMED in item_facts[0]:
            verdict.assumptions = _assumptions(compiled, item_facts[0][ASSUMED], findings, checked)
        if decision == Decision.review or applies is None:
            raised = any(t.status == "raised" for t in triggers)
            settlement = self.settle(compiled, tx, item_facts, results, reached, raised)
            if settlement is not None:
                verdict = settle_verdict(verdict, settlement)
        return verdict

    def settle(
        self,
        compiled: CompiledPack,
        tx: Transaction,
        item_facts: list[Facts],
        results: list[dict[str, bool | None]],
        reached: list[int],
        raised: bool,
    ) -> Settlement | None:
        """The search over the unknowns of the items the pack reaches (screener.decide)."""
        # a raised red flag is a review whatever the unknowns turn out to be
        states = [_item_state(compiled, tx, i, item_facts[i], results[i]) for i in reached]
        return compiled.decider.settle(states, Decision.review if raised else Decision.clear)

    def unreached(self, compiled: CompiledPack, tx: Transaction) -> JurisdictionVerdict:
        """The verdict of a pack whose nexus gate fails: what `verdict` returns for it (no
        clause true or undecided), built without walking the items' empty results. It depends
        only on the pack, the date and the item count, so it is built once per such key and
        shared between results, as finding templates share their condition traces (results
        are never modified after `screen` returns them)."""
        lines = len(tx.items) + len(tx.services)
        key = (compiled.pack.meta.id, tx.date, lines)
        verdict = self._unreached.get(key)
        if verdict is None:
            text = _nexus(compiled, tx.date, False, [], []).explanation
            verdict = self._unreached.put(
                key,
                JurisdictionVerdict(
                    jurisdiction=compiled.pack.jurisdiction,
                    applies=False,
                    decision=Decision.not_applicable,
                    nexus=[
                        Nexus(item_index=i, applies=False, explanation=text)
                        for i in range(lines)
                    ],
                ),
            )
        return verdict


def _item_state(
    compiled: CompiledPack,
    tx: Transaction,
    index: int,
    facts: Facts,
    fired: dict[str, bool | None],
) -> ItemState:
    entry, line = facts.get("item.eccn_entry"), facts.get(LINE_KIND, GOODS)
    claimed = set(facts.get("license_exceptions.claimed", ()))
    return ItemState(
        item_index=index,
        facts=facts,
        results=fired,
        presence=compiled.presence(entry, tx.date, line),
        claimed=tuple(
            ic
            for ic in compiled.index.candidates(ClauseKind.exception, entry, tx.date, line)
            if ic.clause.license_exception in claimed
        ),
    )


def _nexus(
    compiled: CompiledPack,
    on: dt.date,
    applies: bool | None,
    established: list[str],
    undecided: list[str],
) -> Nexus:
    clauses = [compiled.by_id[c] for c in (established or undecided)]
    if applies:
        text = "Reached through: " + "; ".join(f"{c.title} ({c.citation})" for c in clauses)
    elif applies is None:
        text = "Cannot be decided from the facts given: " + "; ".join(c.title for c in clauses)
    else:
        tested = compiled.index.candidates(ClauseKind.nexus, None, on)
        text = "No nexus: none of these applies: " + "; ".join(
            f"{ic.clause.title} ({ic.clause.citation})" for ic in tested
        )
    return Nexus(
        item_index=-1,
        applies=applies,
        basis=[c.id for c in clauses] if applies is not False else [],
        citations=[c.citation for c in clauses] if applies is not False else [],
        explanation=text,
    )


def _assumptions(
    compiled: CompiledPack,
    assumed: list[dict[str, Any]],
    findings: list[Finding],
    checked: set[str],
) -> list[Assumption]:
    """The defaults this jurisdiction's clauses tested: each with the clauses (fired or
    checked) whose answer could change if the default were false."""
    tested = {f.rule_id for f in findings} | checked
    out = []
    for a in assumed:
        readers = frozenset().union(*(compiled.readers.get(p, ()) for p in a["facts"]))
        clauses = sorted(tested & readers)
        if clauses:
            out.append(
                Assumption(
                    fact=a["fact"], assumed=a["assumed"], reason=a["reason"], clauses=clauses
                )
            )
    return out
