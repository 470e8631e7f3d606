"""Turn a stream of transactions into lines (one per item) with the facts patterns test.

Party identity is the normalised name and country ("example trading sdn bhd|MY"): two
spellings of one company are two consignees here. Resolving them is the restricted-party
matcher's job, and a caller can pass already-resolved names; the patterns stay exact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from schemas.transaction import Party, Transaction
from schemas.vocabulary import PartyRole, eccn_chain

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


class StreamOrderError(ValueError):
    """A transaction dated before its predecessor: windows slide forward only."""


def party_key(party: Party) -> str:
    name = _NON_WORD.sub(" ", party.name.casefold()).strip()
    return f"{name}|{party.country or '?'}"


@dataclass(frozen=True)
class Line:
    """One item of one transaction, with its facts."""

    seq: int  # position in the stream, from 0
    ordinal: int  # date.toordinal()
    date: str
    transaction_id: str | None
    item_index: int
    facts: dict[str, Any]


class LineBuilder:
    """Derives line facts in stream order; remembers when each consignee was first seen."""

    def __init__(self) -> None:
        self.first_seen: dict[str, int] = {}
        self._last = 0
        self._seq = 0

    def lines(self, tx: Transaction) -> list[Line]:
        ordinal = tx.date.toordinal()
        if ordinal < self._last:
            raise StreamOrderError(
                f"transaction {tx.id or '(no id)'} dated {tx.date} comes after one dated "
                f"{dt_str(self._last)}: give the stream in date order (e.g. sort it first)"
            )
        self._last = ordinal
        base: dict[str, Any] = {
            "destination.country": tx.destination_country,
            "exporter.country": tx.exporter.country,
        }
        end_user = _first(tx.parties, PartyRole.end_user)
        consignee = _first(tx.parties, PartyRole.ultimate_consignee) or end_user
        if end_user is not None:
            base["end_user.key"] = party_key(end_user)
            if end_user.country:
                base["end_user.country"] = end_user.country
        if consignee is not None:
            key = party_key(consignee)
            base["consignee.key"] = key
            if consignee.country:
                base["consignee.country"] = consignee.country
            base["consignee.days_known"] = ordinal - self.first_seen.setdefault(key, ordinal)
            if end_user is not None:
                base["consignee.is_end_user"] = key == base["end_user.key"]
        out = []
        for i, item in enumerate(tx.items):
            facts = dict(base)
            if item.eccn is not None:
                chain = eccn_chain(item.eccn)
                facts["item.eccn"] = item.eccn
                facts["item.eccn_chain"] = chain
                facts["item.eccn_entry"] = chain[0]
            if item.value_usd is not None:
                facts["item.value_usd"] = item.value_usd
            out.append(Line(self._seq, ordinal, tx.date.isoformat(), tx.id, i, facts))
            self._seq += 1
        return out

    def stream(self, transactions: Iterable[Transaction]) -> Iterator[Line]:
        for tx in transactions:
            yield from self.lines(tx)


def _first(parties: list[Party], role: PartyRole) -> Party | None:
    return next((p for p in parties if p.role == role), None)


def dt_str(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat() if ordinal > 0 else "-"
