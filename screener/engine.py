"""Screen a transaction against every loaded pack and assemble the ScreeningResult.

Per pack (one jurisdiction) and per item: derive facts, evaluate every clause that applies
(`ClauseIndex`), then read the results in two layers. Nexus clauses say whether the
jurisdiction reaches the item; control clauses say what it requires. A clause that is true
becomes a finding with its outcome; one that cannot be decided becomes a `review` finding
naming the missing facts. Clauses marked non_enforced are reported but never decide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal, Protocol

from schemas.lists import PartyHit
from schemas.result import (
    Assumption,
    Decision,
    ExceptionAdvice,
    Finding,
    JurisdictionVerdict,
    Nexus,
    Outcome,
    ScreeningResult,
    Trigger,
    most_severe,
)
from schemas.rules import Clause, ClauseKind, ClauseStatus
from schemas.transaction import Transaction
from schemas.vocabulary import GENERAL_AUTHORISATIONS
from screener.catalog import Catalog
from screener.conditions import fact_paths, missing_facts, trace_condition
from screener.decide import Decider, ItemState, Settlement
from screener.errors import parse_model
from screener.explain import finding_explanation
from screener.facts import ASSUMED, FactBuilder, Facts
from screener.packs.country_sets import CountrySets
from screener.packs.derivation import Derivation
from screener.packs.effective import effective_of
from screener.packs.index import ClauseIndex, IndexedClause
from screener.packs.jp_numbering import JapaneseNumbering
from screener.packs.loader import DEFAULT_RULES_DIR, Pack, PackError, load_packs
from screener.parties.screening import PartyScreening, party_facts
from screener.settle import settle_verdict

BackendName = Literal["python", "durable"]


class Backend(Protocol):
    name: str
    lazy_exceptions: bool  # exception clauses are left to `screen`, evaluated only when needed

    def evaluate(
        self, facts: Facts, on_ordinal: int, entry: str | None, lazy: bool = False
    ) -> dict[str, bool | None]:
        """Results of every applicable clause that is true (True) or undecided (None); with
        `lazy` a backend that sets `lazy_exceptions` may skip exception clauses."""
        ...


class PythonBackend:
    """Compiled closures over the clause index: the oracle, and the fast path."""

    name = "python"
    lazy_exceptions = True
    _EAGER = tuple(ClauseKind)
    _LAZY = (ClauseKind.nexus, ClauseKind.control, ClauseKind.trigger)

    def __init__(self, index: ClauseIndex) -> None:
        self.index = index
        self._dates: dict[int, Any] = {}

    def evaluate(
        self, facts: Facts, on_ordinal: int, entry: str | None, lazy: bool = False
    ) -> dict[str, bool | None]:
        on = self._dates.get(on_ordinal)
        if on is None:
            on = self._dates[on_ordinal] = dt.date.fromordinal(on_ordinal)
        out: dict[str, bool | None] = {}
        kinds = self._LAZY if lazy else self._EAGER
        for ic in self.index.plan(entry, on, kinds).select(facts):
            r = ic.predicate(facts)
            if r is not False:
                out[ic.clause.id] = r
        return out


class DurableBackend:
    name = "durable"
    lazy_exceptions = False

    def __init__(self, pack: Pack, index: ClauseIndex) -> None:
        # durable-rules is an optional extra (screener.optional): imported only when asked for
        from screener.durable_backend import DurableRuleset

        self.ruleset = DurableRuleset(f"{pack.meta.id}@{pack.version}", index.clauses)

    def evaluate(
        self, facts: Facts, on_ordinal: int, entry: str | None, lazy: bool = False
    ) -> dict[str, bool | None]:
        return self.ruleset.evaluate(facts, on_ordinal)


@dataclass
class CompiledPack:
    pack: Pack
    index: ClauseIndex
    backend: Backend
    by_id: dict[str, Clause]
    reads: dict[str, tuple[str, ...]]  # clause id -> fact paths its condition reads

    def __post_init__(self) -> None:
        self.order = {clause_id: n for n, clause_id in enumerate(self.by_id)}
        self.effective = {cid: effective_of(clause) for cid, clause in self.by_id.items()}
        self.gate = _gate(self.index)
        self.decider = Decider(
            self.by_id, self.reads, {ic.clause.id: ic.predicate for ic in self.index.clauses}
        )
        self._presence: dict[tuple[int, int], tuple[tuple[str, frozenset[str]], ...]] = {}

    def presence(self, entry: str | None, on: dt.date) -> tuple[tuple[str, frozenset[str]], ...]:
        """The nexus and control clauses in effect for `entry` on `on` that test whether a
        fact is given (`exists`), for the search over unknowns; cached per candidate set."""
        nexus = self.index.candidates(ClauseKind.nexus, entry, on)
        control = self.index.candidates(ClauseKind.control, entry, on)
        key = (id(nexus), id(control))
        found = self._presence.get(key)
        if found is None:
            found = self._presence[key] = self.decider.presence(
                ic.clause.id for ic in (*nexus, *control)
            )
        return found

    def reaches(self, tx_facts: Facts) -> bool:
        """False when no nexus clause of the pack can hold for this transaction: then the
        pack has nothing to report (its verdict is not_applicable either way) and is not
        evaluated, which keeps seven packs about as cheap as one. The gate reads only
        transaction-level facts (the exporter's country and sets, transit), so it is decided
        once per transaction."""
        return self.gate is None or any(
            _holds(tx_facts.get(fact), values) for fact, values in self.gate
        )

    def evaluate_items(
        self, item_facts: list[Facts], ordinal: int, lazy: bool = False
    ) -> list[dict[str, bool | None]]:
        if item_facts and not self.reaches(item_facts[0]):
            return [{} for _ in item_facts]
        return [
            self.backend.evaluate(f, ordinal, f.get("item.eccn_entry"), lazy) for f in item_facts
        ]


class Screener:
    """Loads the packs once; `screen()` is then a pure function of the transaction."""

    def __init__(
        self,
        rules_dir: Path = DEFAULT_RULES_DIR,
        backend: BackendName = "python",
        parties: PartyScreening | None = None,
        packs: list[Pack] | None = None,
        gaps: bool = False,
        strict: bool = False,
    ) -> None:
        """`parties`: restricted-party screening; without it the party facts are absent, so
        clauses that need them are undecided (review), never silently clear. `packs`: packs
        already loaded (a draft merged over the live pack, `screener.authoring.drafts`) used
        instead of loading `rules_dir`. `gaps`: also screen each item as if exported from every
        baseline jurisdiction and report where they disagree (`ScreeningResult.gaps`,
        screener.gaps.analysis); off by default, it costs one jurisdiction's evaluation per baseline
        jurisdiction."""
        self.parties = parties
        self.strict = strict
        self.rules_dir = rules_dir
        self.report_gaps = gaps
        self.gap_analyzer: Any = None  # screener.gaps.GapAnalyzer, built on first use
        packs = packs if packs is not None else load_packs(rules_dir)
        tables_pack = next((p for p in packs if p.tables is not None), None)
        if tables_pack is None or tables_pack.tables is None:
            raise PackError([f"{rules_dir}: no pack carries the US reference tables (tables/)"])
        self.facts = FactBuilder(
            tables_pack.tables,
            {c.eccn: c.since for p in packs for c in p.meta.covers_eccns},
            CountrySets.load(rules_dir),
            Derivation.load(rules_dir),
            JapaneseNumbering.load(rules_dir),
            Catalog.load(rules_dir),
        )
        self.backend_name = backend
        self.compiled: list[CompiledPack] = []
        for pack in packs:
            index = ClauseIndex([lc.clause for lc in pack.clauses])
            engine: Backend = (
                PythonBackend(index) if backend == "python" else DurableBackend(pack, index)
            )
            self.compiled.append(
                CompiledPack(
                    pack,
                    index,
                    engine,
                    {lc.clause.id: lc.clause for lc in pack.clauses},
                    {lc.clause.id: _reads(lc.clause) for lc in pack.clauses},
                )
            )
        self._findings: dict[tuple[Any, ...], Finding] = {}
        self._nexuses: dict[tuple[Any, ...], Nexus] = {}
        self._advice: dict[tuple[Any, ...], ExceptionAdvice] = {}
        self._triggers: dict[tuple[Any, ...], Trigger] = {}
        self._unreached_verdicts: dict[tuple[Any, ...], JurisdictionVerdict] = {}

    @property
    def versions(self) -> dict[str, str]:
        packs = {c.pack.meta.id: c.pack.version for c in self.compiled}
        lists = self.parties.list_versions if self.parties else {}
        return packs | {f"list:{name}": digest for name, digest in lists.items()}

    def _facts(
        self, tx: Transaction, strict: bool = False, hits: list[PartyHit] | None = None
    ) -> tuple[list[PartyHit], list[Facts]]:
        """The hits and each item's facts; `hits`: the parties already screened (the gap
        analysis re-asks about the same parties shipped from elsewhere)."""
        owned: list[tuple[str, Any]] = []
        if self.parties is not None:  # ownership data sets owned_by_listed_parties
            tx, owned = self.parties.with_ownership(tx)
        base = self.facts.transaction_facts(tx, strict)
        if self.parties is not None:
            hits = self.parties.screen(tx) if hits is None else hits
            base.update(
                party_facts(hits, tx.date, self.parties.listed_since, self.parties.unreadable(tx))
            )
            base["parties.hits"] += tuple(f.describe(role) for role, f in owned)
        return hits or [], [self.facts.item_facts(base, item, tx.date) for item in tx.items]

    def item_facts(self, tx: Transaction) -> list[Facts]:
        return self._facts(tx)[1]

    def raw_results(
        self, tx: Transaction, lazy: bool = False
    ) -> dict[str, list[dict[str, bool | None]]]:
        """Per pack, per item: {clause id: True | None}. What the backends must agree on;
        `lazy` is the screening hot path (exception clauses left for when they are needed)."""
        ordinal = tx.date.toordinal()
        facts = self.item_facts(tx)
        return {c.pack.meta.id: c.evaluate_items(facts, ordinal, lazy) for c in self.compiled}

    def screen(
        self, transaction: Transaction | dict[str, Any], strict: bool | None = None
    ) -> ScreeningResult:
        """`strict`: apply no default (a party's headquarters is not taken to be its stated
        country), so every decision that would rest on one asks instead; None: as the
        transaction says (`strict_assumptions`), or the Screener's own setting."""
        tx = (
            transaction
            if isinstance(transaction, Transaction)
            else parse_model(Transaction, transaction)
        )
        ordinal = tx.date.toordinal()
        if strict is None:
            strict = tx.strict_assumptions or self.strict
        hits, item_facts = self._facts(tx, strict)
        verdicts: dict[str, JurisdictionVerdict] = {}
        findings: list[Finding] = []
        triggers: list[Trigger] = []
        for compiled in self.compiled:
            if item_facts and not compiled.reaches(item_facts[0]):
                verdicts[compiled.pack.jurisdiction] = self._unreached(compiled, tx)
                continue
            results = compiled.evaluate_items(item_facts, ordinal, lazy=True)
            verdict = self._verdict(compiled, tx, item_facts, results)
            verdicts[compiled.pack.jurisdiction] = verdict
            findings += verdict.findings
            triggers += verdict.triggers
        applicable = [
            v.decision for v in verdicts.values() if v.decision != Decision.not_applicable
        ]
        gaps = []
        if self.report_gaps:
            if self.gap_analyzer is None:
                from screener.gaps.analysis import GapAnalyzer  # gaps builds on the Screener

                self.gap_analyzer = GapAnalyzer.for_screener(self)
            gaps = self.gap_analyzer.gaps(tx, strict, (hits, item_facts))
        return ScreeningResult(
            transaction_id=tx.id,
            decision=most_severe(applicable, default=Decision.not_applicable),
            as_of=tx.date,
            jurisdictions=verdicts,
            findings=findings,
            triggers=triggers,
            derived_facts=[{k: v for k, v in f.items() if k not in _NOT_SHOWN} for f in item_facts],
            party_hits=[h.model_dump(mode="json") for h in hits],
            gaps=gaps,
            versions=self.versions,
            engine=self.backend_name,
        )

    def verdict(
        self,
        tx: Transaction,
        jurisdiction: str,
        strict: bool | None = None,
        hits: list[PartyHit] | None = None,
        item_facts: list[Facts] | None = None,
    ) -> JurisdictionVerdict:
        """One jurisdiction's verdict on `tx`: what the gap analysis asks of each baseline
        jurisdiction, without evaluating the other packs. `hits`: the parties' hits already
        found (they do not depend on where the item ships from); `item_facts`: the facts of
        the items to decide on, already derived (one item of `tx`, for a per-item answer)."""
        compiled = next((c for c in self.compiled if c.pack.jurisdiction == jurisdiction), None)
        if compiled is None:
            raise KeyError(f"no rule pack for jurisdiction {jurisdiction}")
        ordinal = tx.date.toordinal()
        if strict is None:
            strict = tx.strict_assumptions or self.strict
        if item_facts is None:
            _, item_facts = self._facts(tx, strict, hits)
        results = compiled.evaluate_items(item_facts, ordinal, lazy=True)
        return self._verdict(compiled, tx, item_facts, results)

    def _finding(
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
        template = self._findings.get(key)
        if template is None:
            if len(self._findings) >= 65536:
                self._findings.clear()
            template = self._findings[key] = self._build_finding(compiled, clause, facts, nexus)
        return template.model_copy(update={"item_index": item_index})

    def _trigger(
        self, compiled: CompiledPack, clause: Clause, facts: Facts, item_index: int
    ) -> Trigger:
        """A red flag for one item, built once per distinct set of facts its clause reads."""
        key = (clause.id, tuple(_frozen(facts.get(p)) for p in compiled.reads[clause.id]))
        template = self._triggers.get(key)
        if template is None:
            if len(self._triggers) >= 65536:
                self._triggers.clear()
            result, traces = trace_condition(clause.when, facts)
            missing = missing_facts(traces)
            template = self._triggers[key] = Trigger(
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
            )
        return template.model_copy(update={"item_index": item_index})

    def _with_exceptions(
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
                if len(self._advice) >= 65536:
                    self._advice.clear()
                traces_result, traces = trace_condition(clause.when, facts)
                missing = missing_facts(traces)
                template = self._advice[key] = ExceptionAdvice(
                    symbol=clause.license_exception or "",
                    rule_id=clause.id,
                    citation=clause.citation,
                    status=_ADVICE[traces_result],
                    claimed=False,
                    explanation=finding_explanation(clause, traces_result, traces, missing),
                    missing_facts=missing,
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

    @staticmethod
    def _build_finding(
        compiled: CompiledPack, clause: Clause, facts: Facts, nexus: bool
    ) -> Finding:
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

    def _verdict(
        self,
        compiled: CompiledPack,
        tx: Transaction,
        item_facts: list[Facts],
        results: list[dict[str, bool | None]],
    ) -> JurisdictionVerdict:
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
            applies = True if established else (None if undecided else False)
            key = (compiled.pack.meta.id, tx.date, applies, tuple(established), tuple(undecided))
            nexus = self._nexuses.get(key)
            if nexus is None:
                if len(self._nexuses) >= 65536:
                    self._nexuses.clear()
                nexus = self._nexuses[key] = self._nexus(
                    compiled, tx.date, applies, established, undecided
                )
            nexus_list.append(nexus.model_copy(update={"item_index": i}))
            if applies is False:
                continue
            reached.append(i)
            if applies is None:
                findings += [
                    self._finding(compiled, compiled.by_id[cid], facts, i, nexus=True)
                    for cid in undecided
                ]
            entry = facts.get("item.eccn_entry")
            exceptions = compiled.index.candidates(ClauseKind.exception, entry, tx.date)
            for cid in by_kind[ClauseKind.control]:
                finding = self._finding(compiled, compiled.by_id[cid], facts, i, nexus=False)
                if exceptions and finding.outcome == Outcome.license_required and finding.decisive:
                    finding = self._with_exceptions(compiled, finding, exceptions, facts, fired)
                if applies is None and finding.decisive:
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
                self._trigger(compiled, compiled.by_id[cid], facts, i)
                for cid in by_kind[ClauseKind.trigger]
            ]
            checked |= {
                ic.clause.id
                for ic in compiled.index.candidates(ClauseKind.control, entry, tx.date)
                if ic.clause.id not in fired
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
            settlement = self._settle(compiled, tx, item_facts, results, reached, raised)
            if settlement is not None:
                verdict = settle_verdict(verdict, settlement)
        return verdict

    def settlement(self, tx: Transaction, jurisdiction: str) -> Settlement | None:
        """The search over one jurisdiction's unknowns (`screener.decide`), as `screen` runs
        it for a verdict that would otherwise be `review`: for tests and explanations."""
        compiled = next(c for c in self.compiled if c.pack.jurisdiction == jurisdiction)
        _, item_facts = self._facts(tx, tx.strict_assumptions or self.strict)
        results = compiled.evaluate_items(item_facts, tx.date.toordinal(), lazy=True)
        verdict = self._verdict(compiled, tx, item_facts, results)
        reached = [n.item_index for n in verdict.nexus if n.applies is not False]
        raised = any(t.status == "raised" for t in verdict.triggers)
        return self._settle(compiled, tx, item_facts, results, reached, raised)

    def _settle(
        self,
        compiled: CompiledPack,
        tx: Transaction,
        item_facts: list[Facts],
        results: list[dict[str, bool | None]],
        reached: list[int],
        raised: bool,
    ) -> Settlement | None:
        # a raised red flag is a review whatever the unknowns turn out to be
        states = [self._item_state(compiled, tx, i, item_facts[i], results[i]) for i in reached]
        return compiled.decider.settle(states, Decision.review if raised else Decision.clear)

    @staticmethod
    def _item_state(
        compiled: CompiledPack,
        tx: Transaction,
        index: int,
        facts: Facts,
        fired: dict[str, bool | None],
    ) -> ItemState:
        entry = facts.get("item.eccn_entry")
        claimed = set(facts.get("license_exceptions.claimed", ()))
        return ItemState(
            item_index=index,
            facts=facts,
            results=fired,
            presence=compiled.presence(entry, tx.date),
            claimed=tuple(
                ic
                for ic in compiled.index.candidates(ClauseKind.exception, entry, tx.date)
                if ic.clause.license_exception in claimed
            ),
        )

    def _unreached(self, compiled: CompiledPack, tx: Transaction) -> JurisdictionVerdict:
        """The verdict of a pack whose nexus gate fails: what `_verdict` returns for it (no
        clause true or undecided), built without walking the items' empty results. It depends
        only on the pack, the date and the item count, so it is built once per such key and
        shared between results, as finding templates share their condition traces (results
        are never modified after `screen` returns them)."""
        key = (compiled.pack.meta.id, tx.date, len(tx.items))
        verdict = self._unreached_verdicts.get(key)
        if verdict is None:
            if len(self._unreached_verdicts) >= 65536:
                self._unreached_verdicts.clear()
            text = self._nexus(compiled, tx.date, False, [], []).explanation
            verdict = self._unreached_verdicts[key] = JurisdictionVerdict(
                jurisdiction=compiled.pack.jurisdiction,
                applies=False,
                decision=Decision.not_applicable,
                nexus=[
                    Nexus(item_index=i, applies=False, explanation=text)
                    for i in range(len(tx.items))
                ],
            )
        return verdict

    @staticmethod
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


_ADVICE: dict[bool | None, Literal["available", "foreclosed", "undecided"]] = {
    True: "available",
    False: "foreclosed",
    None: "undecided",
}
_NOT_SHOWN = {"item.eccn_chain", "parties.hits", ASSUMED}  # internal: shown elsewhere in the result
_PARTY_FACTS = {
    "parties.lists",
    "parties.review_lists",
    "parties.entity_list_footnotes",
    "end_user.lists",
}


def _assumptions(
    compiled: CompiledPack,
    assumed: list[dict[str, Any]],
    findings: list[Finding],
    checked: set[str],
) -> list[Assumption]:
    """The defaults this jurisdiction's clauses tested: each with the clauses (fired or
    checked) whose answer could change if the default were false."""
    tested = [f.rule_id for f in findings] + sorted(checked)
    out = []
    for a in assumed:
        clauses = sorted(
            {cid for cid in tested if any(p in compiled.reads[cid] for p in a["facts"])}
        )
        if clauses:
            out.append(
                Assumption(
                    fact=a["fact"], assumed=a["assumed"], reason=a["reason"], clauses=clauses
                )
            )
    return out


def _gate(index: ClauseIndex) -> tuple[tuple[str, frozenset[Any]], ...] | None:
    """The pack's nexus guards when every nexus clause has one on a fact derived for every
    transaction (exporter.country, exporter.country_sets): if none holds, no nexus clause can
    be true or undecided, whatever the date. None when some nexus clause has no such guard."""
    nexus = [ic for ic in index.clauses if ic.clause.kind == ClauseKind.nexus]
    guards = [ic.guard for ic in nexus]
    if not nexus or any(g is None or g[1] is None or g[0].startswith("item.") for g in guards):
        return None
    return tuple((fact, values) for fact, values in guards if values is not None)


def _holds(actual: Any, values: frozenset[Any]) -> bool:
    if isinstance(actual, list):
        return any(v in values for v in actual)
    return actual in values


def _reads(clause: Clause) -> tuple[str, ...]:
    """Facts a clause's finding depends on: its condition's, plus the party hits it cites."""
    paths = fact_paths(clause.when)
    return (*paths, "parties.hits") if _PARTY_FACTS & set(paths) else paths


def _authorisation(symbol: str) -> str:
    kind = "general authorisation" if symbol in GENERAL_AUTHORISATIONS else "License Exception"
    return f"{kind} {symbol}"


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


_DEFAULT: dict[BackendName, Screener] = {}


def screen(
    transaction: Transaction | dict[str, Any], backend: BackendName = "python"
) -> ScreeningResult:
    """Screen with the bundled packs and the lists imported into the configured database
    (screener.settings), built as every entry point builds it (screener.wiring), once per
    process."""
    if backend not in _DEFAULT:
        from screener.wiring import build_screener  # wiring builds on the Screener

        _DEFAULT[backend] = build_screener(backend=backend)
    return _DEFAULT[backend].screen(transaction)
