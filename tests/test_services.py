"""Services are transactions too: a US person's servicing, shipping, facilitation or other
support with no item exported (15 CFR 744.6), screened as lines that only the service clauses
meet, through the same engine, search over unknowns and backends as goods."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from schemas.result import Decision
from schemas.rules import ClauseKind
from schemas.transaction import Transaction
from screener.engine import Screener

SERVICING_AT_CHINESE_FAB: dict[str, Any] = {
    "id": "SVC-FAB",
    "date": "2026-08-03",
    "exporter": {"name": "Example Field Service Inc.", "country": "US"},
    "destination_country": "CN",
    "us_persons_involved": True,
    "parties": [
        {
            "role": "end_user",
            "name": "Example Shanghai Fab Co.",
            "country": "CN",
            "headquarters_country": "CN",
        }
    ],
    "end_use": {"categories": ["advanced_node_ic_production"]},
    "services": [
        {
            "activity": "servicing",
            "description": "preventive maintenance of an installed etcher",
            "item": {"eccn": "3B001.c.1.a", "origin_country": "JP"},
        }
    ],
}


def _with(**changes: Any) -> Transaction:
    return Transaction.model_validate(SERVICING_AT_CHINESE_FAB | changes)


def _deciding(result: Any, jurisdiction: str) -> set[str]:
    return {f.rule_id for f in result.jurisdictions[jurisdiction].findings if f.decisive}


def test_servicing_at_an_advanced_node_fab_needs_a_us_licence(unscreened: Screener) -> None:
    result = unscreened.screen(_with())
    us = result.jurisdictions["US"]
    assert us.decision == Decision.license_required
    assert us.applies is True
    assert _deciding(result, "US") == {"us.744_6.c2i.service", "us.744_6.c2iii.service"}
    assert [n.explanation for n in us.nexus] == [
        "Reached through: A US person's activity (service line) (15 CFR 744.6(b), (c)(2); "
        "15 CFR 772.1 ('U.S. person'))"
    ]
    # a service is exported from nowhere: every other jurisdiction has no nexus
    others = {j: v.decision for j, v in result.jurisdictions.items() if j != "US"}
    assert set(others.values()) == {Decision.not_applicable}
    assert result.gaps == []


def test_who_performs_the_service_is_the_question(unscreened: Screener) -> None:
    """US-person involvement unstated: the answer turns on it, so it is the fact asked."""
    tx = _with(us_persons_involved=None)
    us = unscreened.screen(tx).jurisdictions["US"]
    assert us.decision == Decision.review
    assert [q.fact for q in us.questions] == ["us_persons_involved"]
    no_us_person = unscreened.screen(_with(us_persons_involved=False)).jurisdictions["US"]
    assert no_us_person.decision == Decision.not_applicable


def test_goods_clauses_never_meet_a_service_line(unscreened: Screener) -> None:
    """The serviced etcher is US-origin here: shipped, it would be a US export needing a
    licence to China; serviced in place, no CCL clause speaks, and the US-origin item is
    outside § 744.6(c)(2) (which concerns items not subject to the EAR)."""
    serviced = {"eccn": "3B001.c.1.a", "origin_country": "US"}
    tx = _with(services=[{"activity": "servicing", "item": serviced}])
    result = unscreened.screen(tx)
    assert result.jurisdictions["US"].decision == Decision.clear
    fired = unscreened.raw_results(tx)["us-ear"][0]
    assert fired == {"us.nexus.us_person_service": True}
    us = next(c for c in unscreened.compiled if c.pack.jurisdiction == "US")
    on = tx.date
    controls = us.index.candidates(ClauseKind.control, "3B001", on, "service")
    assert {ic.clause.id for ic in controls} == {
        "us.744_6.c2i.service",
        "us.744_6.c2ii.service",
        "us.744_6.c2iii.service",
        "us.744_6.b.service",
    }
    goods = us.index.candidates(ClauseKind.control, "3B001", on)
    assert goods and all("service" not in ic.lines for ic in goods)


def test_goods_and_services_in_one_transaction(unscreened: Screener) -> None:
    """The items come first (item_index 0), the service after them (item_index 1)."""
    tx = _with(
        exporter={"name": "Example Tool KK", "country": "JP"},
        items=[
            {
                "eccn": "EAR99",
                "origin_country": "JP",
                "us_content_percent": 0,
                "production": {"made_with_us_technology": False},
                "description": "spare O-rings",
            }
        ],
    )
    result = unscreened.screen(tx)
    us = result.jurisdictions["US"]
    assert us.decision == Decision.license_required
    # the O-rings are not subject to the EAR, but they are for an advanced-node fab of a
    # D:5-headquartered entity and US persons take part: § 744.6(c)(2)(i) reaches them too
    assert {(f.item_index, f.rule_id) for f in us.findings if f.decisive} == {
        (0, "us.744_6.c2i_advanced_node"),
        (1, "us.744_6.c2i.service"),
        (1, "us.744_6.c2iii.service"),
    }
    assert [n.applies for n in us.nexus] == [True, True]
    # the JP-exported item is Japan's to decide; the service is not an export from Japan
    assert [n.applies for n in result.jurisdictions["JP"].nexus] == [True, False]


def test_support_with_no_item(unscreened: Screener) -> None:
    tx = Transaction.model_validate(
        {
            "date": "2026-08-03",
            "exporter": {"name": "Example Consulting LLC", "country": "US"},
            "destination_country": "RU",
            "us_persons_involved": True,
            "end_use": {"categories": ["military_intelligence"]},
            "services": [{"activity": "support", "description": "signal-processing advice"}],
        }
    )
    result = unscreened.screen(tx)
    assert result.jurisdictions["US"].decision == Decision.license_required
    assert _deciding(result, "US") == {"us.744_6.b.service"}
    civil = tx.model_copy(update={"end_use": tx.end_use.model_copy(update={"categories": []})})
    assert unscreened.screen(civil).jurisdictions["US"].decision == Decision.clear


def test_both_backends_agree_on_services(unscreened: Screener, durable_screener: Screener) -> None:
    for tx in (_with(), _with(us_persons_involved=None), _with(end_use={"categories": []})):
        assert durable_screener.raw_results(tx)["us-ear"] == unscreened.raw_results(tx)["us-ear"]


def test_a_transaction_needs_an_item_or_a_service() -> None:
    empty = {k: v for k, v in SERVICING_AT_CHINESE_FAB.items() if k != "services"}
    with pytest.raises(ValidationError, match="items: give at least one item"):
        Transaction.model_validate(empty)
    schema = Transaction.model_json_schema()
    assert {"required": ["services"], "properties": {"services": {"minItems": 1}}} in schema[
        "anyOf"
    ]


# A goods line the US does not reach through the item (Japanese-made, no US content, no US
# technology) can still need a US licence for the US persons who move it: § 744.6(c)(2)
# clauses carry their own nexus.
INSTALLED_BY_US_ENGINEERS: dict[str, Any] = SERVICING_AT_CHINESE_FAB | {
    "exporter": {"name": "Example Tool KK", "country": "JP"},
    "services": [],
    "items": [
        {
            "eccn": "3B001.c.1.a",
            "origin_country": "JP",
            "us_content_percent": 0,
            "production": {"made_with_us_technology": False},
        }
    ],
}


def test_us_persons_moving_a_foreign_tool_need_a_licence(unscreened: Screener) -> None:
    tx = Transaction.model_validate(INSTALLED_BY_US_ENGINEERS)
    result = unscreened.screen(tx)
    us = result.jurisdictions["US"]
    assert us.decision == Decision.license_required
    assert _deciding(result, "US") == {
        "us.744_6.c2i_advanced_node",
        "us.744_6.c2iii_sme_items",
    }
    assert us.nexus[0].explanation.startswith("Reached through: US-person support")
    # the item is not subject to the EAR: no CCL clause speaks or is listed as checked
    assert not [f for f in us.findings if f.rule_id.startswith("us.ccl.")]
    assert not [c for c in us.checked if c.startswith("us.ccl.")]


@pytest.mark.parametrize(
    ("us_persons", "decision", "asked"),
    [(None, Decision.review, ["us_persons_involved"]), (False, Decision.not_applicable, [])],
)
def test_without_us_persons_the_foreign_tool_is_outside_us_reach(
    screener: Screener,
    durable_screener: Screener,
    us_persons: bool | None,
    decision: Decision,
    asked: list[str],
) -> None:
    """With the parties screened (the fixture list), who moves the tool is the one question."""
    tx = Transaction.model_validate(INSTALLED_BY_US_ENGINEERS | {"us_persons_involved": us_persons})
    for engine in (screener, durable_screener):
        us = engine.screen(tx).jurisdictions["US"]
        assert (us.decision, [q.fact for q in us.questions]) == (decision, asked)
