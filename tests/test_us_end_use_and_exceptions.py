"""End-use controls (Part 744) and licence exceptions (Part 740) on real fact patterns."""

from __future__ import annotations

from typing import Any

from schemas.result import Decision
from screener.engine import Screener


def tx(eccn: str, dest: str = "CN", date: str = "2026-08-01", **extra: Any) -> dict[str, Any]:
    item = {"eccn": eccn, "origin_country": "US", "value_usd": 10_000} | extra.pop("item", {})
    return {
        "date": date,
        "exporter": {"name": "Exporter Inc.", "country": "US"},
        "destination_country": dest,
        "parties": extra.pop(
            "parties",
            [
                {
                    "role": "end_user",
                    "name": "Example Wafer Fab Co., Ltd.",
                    "country": dest,
                    "headquarters_country": dest,
                    "owned_by_listed_parties": False,
                }
            ],
        ),
        "items": [item],
    } | extra


def fired(screener: Screener, data: dict[str, Any]) -> dict[str, str]:
    us = screener.screen(data).jurisdictions["US"]
    return {f.rule_id: f.outcome.value for f in us.findings if f.decisive}


ADVANCED_FAB = {"categories": ["advanced_node_ic_production"]}


def test_ear99_item_for_an_advanced_node_fab_in_china_needs_a_licence(screener: Screener) -> None:
    got = fired(screener, tx("EAR99", end_use=ADVANCED_FAB))
    assert got.get("us.744_23.a2i_advanced_node") == "license_required"


def test_inferred_end_use_reaches_the_same_rule(screener: Screener) -> None:
    data = tx("EAR99", end_use={"description": "spares for the 7 nm FinFET line"})
    assert fired(screener, data).get("us.744_23.a2i_advanced_node") == "license_required"


def test_the_same_shipment_before_the_october_2022_rule(screener: Screener) -> None:
    got = fired(screener, tx("EAR99", date="2022-10-06", end_use=ADVANCED_FAB))
    assert not any(rule.startswith("us.744_23") for rule in got)


def test_the_same_shipment_to_an_allied_fab(screener: Screener) -> None:
    got = fired(screener, tx("EAR99", dest="JP", end_use=ADVANCED_FAB))
    assert not any(rule.startswith("us.744_23") for rule in got)


def test_fn5_entity_is_excluded_from_744_23_and_caught_by_its_entry(screener: Screener) -> None:
    fn5 = [
        {
            "role": "end_user",
            "name": "Chinese Academy of Sciences Institute of Microelectronics",
            "country": "CN",
            "headquarters_country": "CN",
            "owned_by_listed_parties": False,
        }
    ]
    got = fired(screener, tx("EAR99", end_use=ADVANCED_FAB, parties=fn5))
    assert "us.744_23.a2i_advanced_node" not in got
    assert got.get("us.party.entity_list") == "license_required"


def test_lvs_overcomes_a_small_ns2_shipment_only_when_claimed_and_within_the_cap(
    screener: Screener,
) -> None:
    small = tx("3B001.a.3", dest="MY", item={"value_usd": 400}, license_exceptions=["LVS"])
    result = screener.screen(small)
    ns2 = next(f for f in result.findings if f.rule_id == "us.ccl.3B001.ns2")
    assert ns2.overcome_by == "LVS" and not ns2.decisive
    assert result.jurisdictions["US"].decision == Decision.clear

    large = tx("3B001.a.3", dest="MY", item={"value_usd": 600}, license_exceptions=["LVS"])
    ns2 = next(f for f in screener.screen(large).findings if f.rule_id == "us.ccl.3B001.ns2")
    lvs = next(a for a in ns2.license_exceptions if a.symbol == "LVS")
    assert (lvs.status, lvs.claimed, ns2.overcome_by) == ("foreclosed", True, None)
    assert "item.value_usd = 600.0" in lvs.explanation

    unclaimed = tx("3B001.a.3", dest="MY", item={"value_usd": 400})
    ns2 = next(f for f in screener.screen(unclaimed).findings if f.rule_id == "us.ccl.3B001.ns2")
    assert ns2.decisive and ns2.overcome_by is None
    assert any(a.symbol == "LVS" and a.status == "available" for a in ns2.license_exceptions)


def test_sme_to_china_leaves_only_gov(screener: Screener) -> None:
    data = tx("3B001.c.1.a", license_exceptions=["GBS"])
    finding = next(
        f for f in screener.screen(data).findings if f.rule_id == "us.ccl.3B001.sme_set.ns.d5"
    )
    status = {a.symbol: a.status for a in finding.license_exceptions}
    assert status.get("GBS") == "foreclosed"
    assert status.get("GOV") == "undecided"
    assert finding.decisive and finding.overcome_by is None


def test_gbs_clears_3a001_ns2_to_group_b_but_not_outside_it(screener: Screener) -> None:
    israel = tx("3A001.a.2", dest="IL", license_exceptions=["GBS"])
    result = screener.screen(israel)
    ns2 = next(f for f in result.findings if f.rule_id == "us.ccl.3A001.ns2")
    assert ns2.overcome_by == "GBS" and not ns2.decisive
    assert result.jurisdictions["US"].decision == Decision.clear

    china = tx("3A001.a.2", dest="CN", license_exceptions=["GBS"])
    findings = screener.screen(china).findings
    ns2 = next(f for f in findings if f.rule_id == "us.ccl.3A001.ns2")
    assert ns2.decisive and ns2.overcome_by is None
    assert "GBS" not in {a.symbol for a in ns2.license_exceptions if a.status == "available"}
