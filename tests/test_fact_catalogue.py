"""One fact catalogue (schemas/facts.py): the facts a pattern reads on a shipment line are the
transaction facts a clause reads, the same specs, plus the stream's own; every fact a line
carries is declared there."""

from __future__ import annotations

from schemas.facts import FACTS, LINE_FACTS, STREAM_FACTS
from schemas.transaction import Transaction
from screener.patterns.stream import LineBuilder


def test_line_facts_are_the_transaction_facts_plus_the_stream_facts() -> None:
    shared = set(LINE_FACTS) - {s.path for s in STREAM_FACTS}
    assert shared == {
        "item.eccn",
        "item.eccn_entry",
        "item.value_usd",
        "destination.country",
        "exporter.country",
        "end_user.country",
    }
    assert all(LINE_FACTS[p] is FACTS[p] for p in shared)  # one spec, not a copy
    assert not {s.path for s in STREAM_FACTS} & set(FACTS)  # no clause tests a stream fact


def test_every_fact_of_a_line_is_declared() -> None:
    tx = Transaction.model_validate(
        {
            "date": "2026-03-02",
            "exporter": {"name": "Acme", "country": "US"},
            "destination_country": "MY",
            "parties": [
                {"role": "ultimate_consignee", "name": "Hub Trading Sdn Bhd", "country": "MY"},
                {"role": "end_user", "name": "Fab Co", "country": "CN"},
            ],
            "items": [{"eccn": "3B001.c.1.a", "origin_country": "US", "value_usd": 90000}],
        }
    )
    (line,) = LineBuilder().lines(tx)
    assert set(line.facts) - {"item.eccn_chain"} <= set(LINE_FACTS)  # the chain: eccn_in's
    assert line.facts["consignee.days_known"] == 0
    assert line.facts["end_user.country"] == "CN"
