"""Derive the flat fact dict a clause is evaluated against, once per transaction and item.

Derivations (Country Groups of the destination, Country Chart columns, Hong Kong read as China,
the ECCN's hierarchy) happen here and nowhere else, and the result shows them, so an auditor
sees exactly which facts the clauses were tested on. Missing facts are absent from the dict:
the evaluator reads absence as "unknown", never as false.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from schemas.transaction import Item, Transaction
from schemas.vocabulary import PartyRole, eccn_chain
from screener.tables import UsTables

Facts = dict[str, Any]


class FactBuilder:
    def __init__(self, tables: UsTables, covered_eccns: dict[str, dt.date | None]) -> None:
        self.tables = tables
        self.covered = covered_eccns
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

    def transaction_facts(self, tx: Transaction) -> Facts:
        facts: Facts = {}
        facts.update(self._country("exporter", tx.exporter.country))
        facts.update(self._country("destination", tx.destination_country))
        facts["end_use.categories"] = sorted({c.value for c in tx.end_use.categories})
        facts["parties.roles"] = sorted({p.role.value for p in tx.parties})
        facts["parties.countries"] = sorted({p.country for p in tx.parties if p.country})
        if tx.parties and all(p.headquarters_country for p in tx.parties):
            hq = sorted({p.headquarters_country for p in tx.parties if p.headquarters_country})
            facts["parties.headquarters_countries"] = hq
            facts["parties.headquarters_country_groups"] = sorted(
                {g for code in hq for g in self.tables.country_groups(code)}
            )
        end_user = next((p for p in tx.parties if p.role == PartyRole.end_user), None)
        if end_user is not None and end_user.country:
            facts["end_user.country"] = end_user.country
        if tx.us_persons_involved is not None:
            facts["us_persons_involved"] = tx.us_persons_involved
        return facts

    def item_facts(self, tx_facts: Facts, item: Item, on: dt.date) -> Facts:
        facts = dict(tx_facts)
        if item.eccn is not None:
            facts.update(self._eccn(item.eccn, on))
        for name, value in (
            ("item.origin_country", item.origin_country),
            ("item.us_content_percent", item.us_content_percent),
            ("item.value_usd", item.value_usd),
            ("item.quantity", item.quantity),
        ):
            if value is not None:
                facts[name] = value
        for name, value in item.parameters.items():
            facts[f"item.parameters.{name}"] = value
        for jurisdiction, code in item.control_codes.items():
            facts[f"item.control_codes.{jurisdiction}"] = code
        return facts
