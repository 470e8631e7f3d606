"""Derive the flat fact dict a clause is evaluated against, once per transaction and item.

Derivations (Country Groups of the destination, Country Chart columns, Hong Kong read as China,
the ECCN's hierarchy) happen here and nowhere else, and the result shows them, so an auditor
sees exactly which facts the clauses were tested on. Missing facts are absent from the dict:
the evaluator reads absence as "unknown", never as false.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from schemas.transaction import Item, Line, Transaction
from schemas.vocabulary import EndUseCategory, PartyRole, eccn_chain
from screener.bundled import RULES_DIR
from screener.catalog import Catalog
from screener.packs.country_sets import CountrySets
from screener.packs.derivation import Derivation
from screener.packs.jp_numbering import JapaneseNumbering
from screener.packs.tables import UsTables

Facts = dict[str, Any]


_NEGATIONS = {"not", "no", "non", "never", "without", "excluding", "nor"}
VOCABULARY = RULES_DIR / "vocabulary" / "end_use.yaml"


class EndUseVocabulary:
    """Phrases that name an end-use category in a free-text description (a reviewable file)."""

    def __init__(self, path: Path = VOCABULARY) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.patterns: list[tuple[str, str, re.Pattern[str]]] = []
        for category, phrases in data["categories"].items():
            EndUseCategory(category)  # a typo in the vocabulary fails loudly here
            for phrase in phrases:
                words = r"\s+".join(re.escape(w) for w in str(phrase).replace("-", " ").split())
                rx = re.compile(r"(?<!\w)" + words + r"(?!\w)", re.I)
                self.patterns.append((category, str(phrase), rx))

    def infer(self, text: str) -> dict[str, str]:
        """{category: the first phrase that named it}, skipping negated mentions ("not for
        military use", "no data centre")."""
        found: dict[str, str] = {}
        if not text or text.isspace():
            return found
        plain = text.replace("-", " ")
        for category, phrase, rx in self.patterns:
            if category in found:
                continue
            for m in rx.finditer(plain):
                before = plain[max(0, m.start() - 30) : m.start()].lower().split()[-3:]
                if not _NEGATIONS.intersection(before):
                    found[category] = phrase
                    break
        return found


ASSUMED = "assumptions"  # not a fact: the defaults applied, shown on the verdicts
_HQ_FACTS = {
    "exporter": ["exporter.headquarters_country", "exporter.headquarters_country_groups"],
    "party": ["parties.headquarters_countries", "parties.headquarters_country_groups"],
}


def _hq_assumption(role: str, name: str, country: str | None) -> dict[str, Any]:
    return {
        "facts": _HQ_FACTS["exporter" if role == "exporter" else "party"],
        "fact": f"{role} headquarters",
        "assumed": f"{name} ({role}) is headquartered in {country}, its stated country, with "
        "no ultimate parent elsewhere",
        "reason": "headquarters_country not given: a party's headquarters is taken to be its "
        "stated country (screen with strict assumptions to ask instead)",
    }


class FactBuilder:
    def __init__(
        self,
        tables: UsTables,
        covered_eccns: dict[str, dt.date | None],
        country_sets: CountrySets | None = None,
        derivation: Derivation | None = None,
        jp_numbering: JapaneseNumbering | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self.tables = tables
        self.covered = covered_eccns
        self.country_sets = country_sets or CountrySets()
        self.derivation = derivation or Derivation({})
        self.jp_numbering = jp_numbering
        self.catalog = catalog
        self.vocabulary = EndUseVocabulary()
        self._country = lru_cache(maxsize=512)(self._country_facts)
        self._eccn = lru_cache(maxsize=8192)(self._eccn_facts)

    def _country_facts(self, prefix: str, code: str) -> Facts:
        t = self.tables
        facts: Facts = {
            f"{prefix}.country": code,
            f"{prefix}.country_groups": list(t.country_groups(code)),
        }
        if prefix == "destination":
            row = t.ear_row(code)
            facts["destination.ear_row"] = row
            facts["destination.chart_x"] = list(t.chart_x.get(row, ()))
            facts["destination.embargoed"] = row in t.embargoed
        return facts

    def _covered(self, chain: list[str], on: dt.date) -> bool:
        """The pack encodes the entry (or a paragraph above the item) as of `on`: 4A003.z
        covers 4A003.z.1.a, not 4A003.b; an entry covered since 2023-11-17 is not covered
        for a transaction dated before."""
        for code in chain:
            if code in self.covered:
                since = self.covered[code]
                return since is None or on >= since
        return False

    def _eccn_facts(self, eccn: str, on: dt.date) -> Facts:
        chain = eccn_chain(eccn)
        return {
            "item.eccn": eccn,
            "item.eccn_chain": chain,
            "item.eccn_entry": chain[0],
            "item.eccn_known": self.tables.eccn_known(eccn),
            "item.eccn_covered": eccn == "EAR99" or self._covered(chain, on),
        }

    def transaction_facts(self, tx: Transaction, strict: bool = False) -> Facts:
        """The transaction-level facts. Unless `strict`, a party's (and the exporter's)
        headquarters defaults to its stated country, the reading the EAR's "headquartered
        in" tests get in practice when nothing suggests a foreign parent; every such default
        is listed under ASSUMED so the verdicts that rest on it say so."""
        facts: Facts = {}
        assumed: list[dict[str, Any]] = []
        facts.update(self._country("exporter", tx.exporter.country))
        facts.update(self._country("destination", tx.destination_country))
        facts["exporter.country_sets"] = self.country_sets.of(tx.exporter.country, tx.date)
        facts["destination.country_sets"] = self.country_sets.of(tx.destination_country, tx.date)
        facts["transit.countries"] = list(tx.transit_countries)
        facts["transit.country_sets"] = sorted(
            {s for c in tx.transit_countries for s in self.country_sets.of(c, tx.date)}
        )
        declared = {c.value for c in tx.end_use.categories}
        inferred = {
            c: phrase
            for c, phrase in self.vocabulary.infer(tx.end_use.description).items()
            if c not in declared
        }
        facts["end_use.categories"] = sorted(declared | set(inferred))
        facts["end_use.inferred"] = sorted(inferred)
        if inferred:  # shown in the result, not tested by clauses
            facts["end_use.inferred_from"] = [f"{c}: {p!r}" for c, p in sorted(inferred.items())]
        facts["license_exceptions.claimed"] = sorted(set(tx.license_exceptions))
        if tx.license_exceptions_confirmed is not None:
            facts["license_exceptions.confirmed"] = sorted(set(tx.license_exceptions_confirmed))
        hq = tx.exporter.headquarters_country
        if hq is None and not strict:
            hq = tx.exporter.country
            assumed.append(_hq_assumption("exporter", tx.exporter.name, hq))
        if hq:
            facts["exporter.headquarters_country"] = hq
            facts["exporter.headquarters_country_groups"] = list(self.tables.country_groups(hq))
        facts["parties.roles"] = sorted({p.role.value for p in tx.parties})
        facts["parties.countries"] = sorted({p.country for p in tx.parties if p.country})
        # Red-flag facts (rules/us/red_flags.yaml). Derived for every transaction: a party the
        # exporter does not name cannot raise a red flag, so absence reads as false here.
        facts["freight_forwarder.countries"] = sorted(
            {p.country for p in tx.parties if p.role == PartyRole.freight_forwarder and p.country}
        )
        facts["purchaser.outside_destination"] = any(
            p.role == PartyRole.purchaser and p.country and p.country != tx.destination_country
            for p in tx.parties
        )
        stated = {
            id(p): p.headquarters_country or (None if strict else p.country) for p in tx.parties
        }
        if tx.parties and all(stated.values()):
            headquarters = sorted({c for c in stated.values() if c})
            assumed += [
                _hq_assumption(p.role.value, p.name, p.country)
                for p in tx.parties
                if p.headquarters_country is None and p.country
            ]
            facts["parties.headquarters_countries"] = headquarters
            facts["parties.headquarters_country_groups"] = sorted(
                {g for code in headquarters for g in self.tables.country_groups(code)}
            )
        # one party known to be owned by listed parties settles it; "no" needs every party
        owned = [p.owned_by_listed_parties for p in tx.parties]
        if any(owned):
            facts["parties.owned_by_listed"] = True
        elif owned and all(o is not None for o in owned):
            facts["parties.owned_by_listed"] = False
        end_user = next((p for p in tx.parties if p.role == PartyRole.end_user), None)
        if end_user is not None and end_user.country:
            facts["end_user.country"] = end_user.country
        if tx.us_persons_involved is not None:
            facts["us_persons_involved"] = tx.us_persons_involved
        if assumed:
            facts[ASSUMED] = assumed
        return facts

    def line_facts(self, tx_facts: Facts, line: Line, on: dt.date) -> Facts:
        """One line's facts: its item's, and what kind of line it is (goods clauses never
        meet a service line, `screener.packs.index`)."""
        facts = self.item_facts(tx_facts, line.item, on)
        facts["line.kind"] = line.kind
        if line.activity is not None:
            facts["service.activity"] = line.activity.value
        return facts

    def item_facts(self, tx_facts: Facts, item: Item, on: dt.date) -> Facts:
        facts = dict(tx_facts)
        filled = self.catalog.fill(item, on) if self.catalog is not None else None
        eccn = item.eccn or (filled.eccn if filled else None)
        if eccn is not None:
            facts.update(self._eccn(eccn, on))
        for name, value in (
            ("item.origin_country", item.origin_country),
            ("item.us_content_percent", item.us_content_percent),
            ("item.value_usd", item.value_usd),
            ("item.quantity", item.quantity),
        ):
            if value is not None:
                facts[name] = value
        for name, value in ((filled.parameters if filled else {}) | item.parameters).items():
            facts[f"item.parameters.{name}"] = value
        if filled is not None:
            facts["item.model_catalog"] = list(filled.notes)
        if item.production is not None:
            made = item.production
            if made.direct_product_of or made.made_with_us_technology is not True:
                facts["item.production.direct_product_of"] = sorted(
                    {e.split(".")[0] for e in made.direct_product_of}
                )
            facts["item.production.plant_direct_product_of"] = sorted(
                {e.split(".")[0] for e in made.plant_direct_product_of}
            )
            facts["item.production.contains_us_origin_ic"] = made.contains_us_origin_ic
        codes = (filled.codes if filled else {}) | dict(item.control_codes)
        if "JP" in codes and self.jp_numbering is not None:
            reading = self.jp_numbering.read(codes["JP"], on)
            if reading.code is None:
                del codes["JP"]  # not guessed: the clauses that need it ask for it
            else:
                codes["JP"] = reading.code
            if reading.note:
                facts["item.control_codes_read"] = [reading.note]
        for jurisdiction, code in codes.items():
            facts[f"item.control_codes.{jurisdiction}"] = code
        derived, notes = self.derivation.derive(eccn, codes)
        for jurisdiction, code in derived.items():
            facts[f"item.control_codes.{jurisdiction}"] = code
        if notes:
            facts["item.control_codes_derived"] = notes
        return facts
