"""Where jurisdictions disagree: the same item, end user and destination, shipped from each.

For a transaction, every baseline jurisdiction (each one with a profile and a pack) is asked
for its decision as if the item were exported from its own territory; where the answers
differ, a `Gap` lists each side with the clauses that decided it and the jurisdiction's
profile. The baseline matrix asks the same question for the covered item classes
(`rules/gaps/item_classes.yaml`, each with its per-jurisdiction classification and the dates
it changed) against a set of destinations, as of one date.

An item-level decision leaves out the reviews that only say "no restricted-party list was
screened": they are the same whichever jurisdiction ships, and would hide every difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field

from schemas.lists import PartyHit
from schemas.profile import Profile
from schemas.result import (
    Decision,
    Finding,
    Gap,
    GapPosition,
    JurisdictionVerdict,
    Outcome,
    most_severe,
)
from schemas.transaction import Item, Transaction
from screener.cache import BoundedCache
from screener.catalog import Span as DatedCode  # one dated classification, as in the catalog
from screener.compiled import CompiledPack
from screener.facts import FactBuilder, Facts
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.packs.profiles import load_profiles

ITEM_CLASSES = DEFAULT_RULES_DIR / "gaps" / "item_classes.yaml"
PARTY_FACTS = frozenset(
    {"parties.lists", "parties.review_lists", "parties.entity_list_footnotes", "end_user.lists"}
)
_CLASSIFICATION = frozenset({"item.eccn", "item.eccn_entry", "item.eccn_chain"})
_WORDS = {
    Decision.prohibited: "prohibited by",
    Decision.license_required: "licence required from",
    Decision.review: "review for",
    Decision.clear: "none from",
}


def _unscreened_only(finding: Finding) -> bool:
    """A review that exists only because no restricted-party list was screened: it reads a
    missing party fact and nothing about the item. (A review that also tests the item, such
    as a licence requirement for Entity List Footnote 5 parties, stays: it is the item's.)"""
    return (
        finding.outcome == Outcome.review
        and any(c.fact in PARTY_FACTS and c.actual is None for c in finding.conditions)
        and not any(c.fact.startswith("item.") for c in finding.conditions)
    )


def item_position(
    verdict: JurisdictionVerdict, item_index: int, exporter_country: str, profile: Profile
) -> GapPosition:
    """One jurisdiction's answer for one line item, with the clauses that decided it."""
    nexus = next((n for n in verdict.nexus if n.item_index == item_index), None)
    base = {
        "jurisdiction": verdict.jurisdiction,
        "exporter_country": exporter_country,
        "profile": profile.summary(),
    }
    if nexus is not None and nexus.applies is False:
        return GapPosition(**base, decision=Decision.not_applicable, explanation=nexus.explanation)
    findings = [
        f
        for f in verdict.findings
        if f.item_index == item_index and f.decisive and not _unscreened_only(f)
    ]
    decision = most_severe([Decision(f.outcome.value) for f in findings])
    deciding = [f for f in findings if Decision(f.outcome.value) == decision]
    if deciding:
        explanation = " | ".join(f"{f.title} ({f.citation})" for f in deciding)
    else:
        explanation = "No clause in effect requires anything for this item and destination."
    return GapPosition(
        **base,
        decision=decision,
        rule_ids=[f.rule_id for f in deciding],
        citations=[f.citation for f in deciding],
        missing_facts=sorted({m for f in deciding for m in f.missing_facts}),
        explanation=explanation,
    )


def _frozen(value: Any) -> Any:
    """A hashable copy of a fact's value (lists and dicts inside made tuples), as a key."""
    kind = value.__class__
    if kind is list or kind is tuple:
        return tuple(map(_frozen, value))
    if kind is dict:
        return tuple((k, _frozen(v)) for k, v in value.items())
    if kind is set:
        return frozenset(value)
    return value


def summarise(positions: Iterable[GapPosition]) -> str:
    """'licence required from NL, JP; none from EU, US' (most severe first)."""
    by_decision: dict[Decision, list[str]] = {}
    for p in positions:
        if p.decision != Decision.not_applicable:
            by_decision.setdefault(p.decision, []).append(p.jurisdiction)
    parts = []
    for decision in (Decision.prohibited, Decision.license_required, Decision.review):
        if decision in by_decision:
            parts.append(f"{_WORDS[decision]} {', '.join(sorted(by_decision[decision]))}")
    if Decision.clear in by_decision:
        parts.append(f"none from {', '.join(sorted(by_decision[Decision.clear]))}")
    return "; ".join(parts)


class JurisdictionOracle(Protocol):
    """What the gap analysis asks of a Screener (screener.engine.Screener): its compiled
    packs, facts and rules folder, and one jurisdiction's verdict on a transaction. A
    protocol, because the Screener reports gaps through this analysis: the engine imports
    the analysis, and the analysis needs only this much of the engine."""

    compiled: list[CompiledPack]
    facts: FactBuilder
    rules_dir: Path
    strict: bool

    def derive(
        self, tx: Transaction, strict: bool = False, hits: list[PartyHit] | None = None
    ) -> tuple[list[PartyHit], list[Facts]]: ...

    def verdict(
        self,
        tx: Transaction,
        jurisdiction: str,
        strict: bool | None = None,
        hits: list[PartyHit] | None = None,
        item_facts: list[Facts] | None = None,
    ) -> JurisdictionVerdict: ...


class GapAnalyzer:
    """Asks every baseline jurisdiction about the same item and destination."""

    def __init__(self, screener: JurisdictionOracle, profiles: dict[str, Profile]) -> None:
        packs = {c.pack.jurisdiction for c in screener.compiled}
        self.screener = screener
        self.profiles = {j: p for j, p in profiles.items() if j in packs}
        # per jurisdiction, the facts its clauses read (and the classification the clause
        # index selects by): with the ship-from country, what an item's position depends on
        self._reads = {
            c.pack.jurisdiction: tuple(
                sorted({p for r in c.reads.values() for p in r} | _CLASSIFICATION)
            )
            for c in screener.compiled
        }
        self._positions: BoundedCache[GapPosition] = BoundedCache()  # see `positions`

    @classmethod
    def for_screener(cls, screener: JurisdictionOracle) -> GapAnalyzer:
        """The analyzer for a screener's own rules folder (profiles beside its packs)."""
        return cls(screener, load_profiles(Path(screener.rules_dir) / "profiles"))

    def ship_from(self, jurisdiction: str, tx: Transaction) -> str:
        """The transaction's own exporter country where the jurisdiction reaches it from
        there (any member state for the EU), else the profile's baseline country."""
        country = tx.exporter.country
        profile = self.profiles[jurisdiction]
        if profile.exported_from_set is not None:
            if profile.exported_from_set in self.screener.facts.country_sets.of(country, tx.date):
                return country
        elif country == profile.baseline_exporter_country:
            return country
        if tx.destination_country == profile.baseline_exporter_country:
            return profile.alternate_exporter_country or profile.baseline_exporter_country
        return profile.baseline_exporter_country

    def positions(
        self,
        tx: Transaction,
        strict: bool | None = None,
        derived: tuple[list[PartyHit], list[Facts]] | None = None,
    ) -> list[list[GapPosition]]:
        """Per item, every baseline jurisdiction's position.

        Each position is the jurisdiction's verdict on that one item shipped from its
        baseline country. It depends only on the jurisdiction, the ship-from country, the
        date, the exporter's stated headquarters (the shipped exporter's facts follow from
        those) and the item's facts that the jurisdiction's clauses read, so positions are
        kept by that key: a service answering many similar transactions asks a jurisdiction
        once per distinct item as that jurisdiction sees it. `derived`: the hits and item facts
        `Screener.screen` already has (the parties are screened once, not per jurisdiction)."""
        if strict is None:
            strict = tx.strict_assumptions or self.screener.strict
        hits, item_facts = derived or self.screener.derive(tx, strict)
        item_facts = item_facts[: len(tx.items)]  # a service is not shipped from anywhere
        common = (tx.date.toordinal(), strict, tx.exporter.headquarters_country)
        out: list[list[GapPosition]] = [[] for _ in tx.items]
        for jurisdiction, profile in self.profiles.items():
            origin = self.ship_from(jurisdiction, tx)
            if origin == tx.destination_country:
                for row in out:
                    row.append(
                        GapPosition(
                            jurisdiction=jurisdiction,
                            exporter_country=origin,
                            decision=Decision.not_applicable,
                            explanation="The destination is the baseline ship-from country.",
                            profile=profile.summary(),
                        )
                    )
                continue
            reads = self._reads[jurisdiction]
            keys = [
                (jurisdiction, origin, common, tuple(map(_frozen, map(f.get, reads))))
                for f in item_facts
            ]
            found = [self._positions.get(key) for key in keys]
            missing = [i for i, position in enumerate(found) if position is None]
            if missing:
                shipped = tx.model_copy(
                    update={"exporter": tx.exporter.model_copy(update={"country": origin})}
                )
                _, shipped_facts = self.screener.derive(shipped, strict, hits)
                for i in missing:
                    verdict = self.screener.verdict(
                        shipped, jurisdiction, strict, hits, [shipped_facts[i]]
                    )
                    found[i] = self._positions.put(
                        keys[i], item_position(verdict, 0, origin, profile)
                    )
            for row, position in zip(out, found, strict=True):
                assert position is not None
                row.append(position)
        return out

    def gaps(
        self,
        tx: Transaction,
        strict: bool | None = None,
        derived: tuple[list[PartyHit], list[Facts]] | None = None,
    ) -> list[Gap]:
        """A Gap for each item on which the applicable baseline jurisdictions disagree."""
        gaps = []
        for i, positions in enumerate(self.positions(tx, strict, derived)):
            decisions = {p.decision for p in positions if p.decision != Decision.not_applicable}
            if len(decisions) > 1:
                gaps.append(
                    Gap(
                        item_index=i,
                        destination=tx.destination_country,
                        as_of=tx.date,
                        summary=summarise(positions),
                        positions=positions,
                    )
                )
        return gaps


# --- the baseline matrix -----------------------------------------------------------------


class ItemClass(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    eccn: str
    parameters: dict[str, float | bool] = Field(default_factory=dict)
    control_codes: dict[str, list[DatedCode]] = Field(default_factory=dict)

    def item(self, day: dt.date) -> Item:
        """The item as classified on `day`: a code no span covers is left out (derived by
        chokepoint where the law allows, else a review naming it)."""
        codes = {
            j: span.code
            for j, spans in self.control_codes.items()
            for span in spans
            if span.on(day)
        }
        return Item(
            description=self.title,
            eccn=self.eccn,
            control_codes=codes,
            parameters=self.parameters,
        )


class Baseline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    destinations: list[str]
    item_classes: list[ItemClass]


def load_baseline(path: Path = ITEM_CLASSES) -> Baseline:
    return Baseline.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


class MatrixCell(BaseModel):
    item_class: str
    destination: str
    jurisdiction: str
    exporter_country: str
    decision: Decision
    rule_ids: list[str] = Field(default_factory=list)
    missing_facts: list[str] = Field(default_factory=list)
    explanation: str = ""


class BaselineMatrix(BaseModel):
    """Which jurisdictions control which item classes to which destinations, as of a date."""

    as_of: dt.date
    jurisdictions: list[str]
    destinations: list[str]
    item_classes: list[dict[str, Any]]
    profiles: dict[str, str]
    cells: list[MatrixCell]

    def cell(self, item_class: str, destination: str, jurisdiction: str) -> MatrixCell:
        return next(
            c
            for c in self.cells
            if (c.item_class, c.destination, c.jurisdiction)
            == (item_class, destination, jurisdiction)
        )


@dataclass
class MatrixBuilder:
    analyzer: GapAnalyzer
    baseline: Baseline

    def build(self, as_of: dt.date) -> BaselineMatrix:
        cells: list[MatrixCell] = []
        for ic in self.baseline.item_classes:
            item = ic.item(as_of)
            for destination in self.baseline.destinations:
                tx = Transaction(
                    date=as_of,
                    exporter={"name": "baseline exporter", "country": "US"},
                    destination_country=destination,
                    items=[item],
                )
                for p in self.analyzer.positions(tx)[0]:
                    cells.append(
                        MatrixCell(
                            item_class=ic.id,
                            destination=destination,
                            jurisdiction=p.jurisdiction,
                            exporter_country=p.exporter_country,
                            decision=p.decision,
                            rule_ids=p.rule_ids,
                            missing_facts=p.missing_facts,
                            explanation=p.explanation,
                        )
                    )
        return BaselineMatrix(
            as_of=as_of,
            jurisdictions=list(self.analyzer.profiles),
            destinations=self.baseline.destinations,
            item_classes=[
                {
                    "id": ic.id,
                    "title": ic.title,
                    "eccn": ic.eccn,
                    "control_codes": ic.item(as_of).control_codes,
                }
                for ic in self.baseline.item_classes
            ],
            profiles={j: p.summary() for j, p in self.analyzer.profiles.items()},
            cells=cells,
        )
