"""Every finding, red flag and checked clause states its dates of effect (issue 20)."""

from __future__ import annotations

import datetime as dt

from schemas.result import Effective
from screener.engine import Screener


def test_a_superseded_finding_states_its_dates_and_instrument(unscreened: Screener) -> None:
    result = unscreened.screen(
        {
            "date": "2022-12-01",
            "exporter": {"name": "Example Exporter Inc.", "country": "US"},
            "destination_country": "CN",
            "items": [{"eccn": "3A090.a", "origin_country": "US"}],
        }
    )
    finding = next(f for f in result.findings if f.rule_id == "us.ccl.3A090.rs.china_2022")
    # citation: "15 CFR 742.6(a)(6)(iii) as added by 87 FR 62186; ..."
    assert finding.effective == Effective(
        since=dt.date(2022, 10, 7), until=dt.date(2023, 1, 16), instrument="87 FR 62186"
    )
    assert all(f.effective is not None for f in result.findings)
    us = result.jurisdictions["US"]
    assert us.checked and set(us.checked_effective) == set(us.checked)
    for clause_id, effective in us.checked_effective.items():
        clause = next(c.by_id[clause_id] for c in unscreened.compiled if clause_id in c.by_id)
        assert (effective.since, effective.until) == (clause.effective_from, clause.effective_to)
        assert effective.since <= dt.date(2022, 12, 1)


def test_a_red_flag_states_its_dates(unscreened: Screener) -> None:
    result = unscreened.screen(
        {
            "date": "2026-08-01",
            "exporter": {"name": "Example Exporter Inc.", "country": "US"},
            "destination_country": "DE",
            "parties": [
                {"role": "freight_forwarder", "name": "Example Spedition GmbH", "country": "DE"}
            ],
            "items": [{"eccn": "EAR99", "origin_country": "US", "value_usd": 1000}],
            "end_use": {"categories": ["civil"]},
        }
    )
    (trigger,) = (t for t in result.triggers if t.status == "raised")
    assert trigger.clause_id == "us.red_flag.forwarder_final_destination"
    assert trigger.effective is not None and trigger.effective.since <= dt.date(2026, 8, 1)
