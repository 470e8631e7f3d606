"""Screen a transaction against every loaded pack and assemble the ScreeningResult.

The orchestration only: the packs are compiled in screener.compiled (clause index and
backend per pack), each item's facts derived by screener.facts (party hits from
screener.parties), each pack's verdict assembled by screener.verdicts (findings from
screener.findings), and where the baseline jurisdictions disagree reported by
screener.gaps.analysis, which asks this Screener through its `JurisdictionOracle` protocol.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schemas.lists import PartyHit
from schemas.result import (
    Decision,
    Finding,
    JurisdictionVerdict,
    ScreeningResult,
    Trigger,
    most_severe,
)
from schemas.transaction import Transaction
from screener.catalog import Catalog
from screener.compiled import BackendName, CompiledPack, compile_packs
from screener.errors import parse_model
from screener.facts import ASSUMED, FactBuilder, Facts
from screener.folding import Settlement
from screener.gaps.analysis import GapAnalyzer
from screener.packs.country_sets import CountrySets
from screener.packs.derivation import Derivation
from screener.packs.jp_numbering import JapaneseNumbering
from screener.packs.loader import DEFAULT_RULES_DIR, load_packs
from screener.packs.pack import Pack, PackError
from screener.parties.screening import PartyScreening, party_facts
from screener.verdicts import VerdictAssembler

__all__ = ["BackendName", "Screener"]


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
        self.gap_analyzer: GapAnalyzer | None = None  # built on first use
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
        self.compiled: list[CompiledPack] = compile_packs(packs, backend)
        self.verdicts = VerdictAssembler()

    @property
    def versions(self) -> dict[str, str]:
        """Each pack's content hash and each imported list's (`list:NAME`)."""
        packs = {c.pack.meta.id: c.pack.version for c in self.compiled}
        lists = self.parties.list_versions if self.parties else {}
        owners = self.parties.ownership_versions if self.parties else {}
        return (
            packs
            | {f"list:{name}": digest for name, digest in lists.items()}
            | {f"ownership:{name}": digest for name, digest in owners.items()}
        )

    def derive(
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
        return hits or [], [self.facts.line_facts(base, line, tx.date) for line in tx.lines()]

    def item_facts(self, tx: Transaction) -> list[Facts]:
        """Each item's facts as the packs see them (parties screened)."""
        return self.derive(tx)[1]

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
        hits, item_facts = self.derive(tx, strict)
        verdicts: dict[str, JurisdictionVerdict] = {}
        findings: list[Finding] = []
        triggers: list[Trigger] = []
        for compiled in self.compiled:
            if item_facts and not compiled.reaches(item_facts[0]):
                verdicts[compiled.pack.jurisdiction] = self.verdicts.unreached(compiled, tx)
                continue
            results = compiled.evaluate_items(item_facts, ordinal, lazy=True)
            verdict = self.verdicts.verdict(compiled, tx, item_facts, results)
            verdicts[compiled.pack.jurisdiction] = verdict
            findings += verdict.findings
            triggers += verdict.triggers
        applicable: list[Decision] = [
            v.decision for v in verdicts.values() if v.decision != Decision.not_applicable
        ]
        gaps = []
        if self.report_gaps:
            if self.gap_analyzer is None:
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
            _, item_facts = self.derive(tx, strict, hits)
        results = compiled.evaluate_items(item_facts, ordinal, lazy=True)
        return self.verdicts.verdict(compiled, tx, item_facts, results)

    def settlement(self, tx: Transaction, jurisdiction: str) -> Settlement | None:
        """The search over one jurisdiction's unknowns (`screener.decide`), as `screen` runs
        it for a verdict that would otherwise be `review`: for tests and explanations."""
        compiled = next(c for c in self.compiled if c.pack.jurisdiction == jurisdiction)
        _, item_facts = self.derive(tx, tx.strict_assumptions or self.strict)
        results = compiled.evaluate_items(item_facts, tx.date.toordinal(), lazy=True)
        verdict = self.verdicts.verdict(compiled, tx, item_facts, results)
        reached = [n.item_index for n in verdict.nexus if n.applies is not False]
        raised = any(t.status == "raised" for t in verdict.triggers)
        return self.verdicts.settle(compiled, tx, item_facts, results, reached, raised)


_NOT_SHOWN = {"item.eccn_chain", "parties.hits", ASSUMED}  # internal: shown elsewhere in the result
