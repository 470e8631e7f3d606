"""Engine semantics over the real US pack: nexus, three-valued review, derived facts."""

from __future__ import annotations

import json
from pathlib import Path

from schemas.result import Decision, Outcome
from screener.engine import Screener

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "etch-tool-to-china.json"


def tx(**over) -> dict:
    base = {
        "date": "2026-08-01",
        "exporter": {"name": "Exporter", "country": "US"},
        "destination_country": "DE",
        "items": [{"eccn": "EAR99", "origin_country": "US"}],
    }
    return base | over


def test_foreign_item_without_us_content_is_undecided_not_clear(screener: Screener) -> None:
    """A Korean-made etch tool to China: subject to the EAR it needs a licence, so its US
    content (the de minimis test) decides, and is asked."""
    result = screener.screen(
        tx(
            exporter={"name": "K", "country": "KR"},
            destination_country="CN",
            items=[{"eccn": "3B001.c.1.a", "origin_country": "KR"}],
        )
    )
    us = result.jurisdictions["US"]
    assert us.applies is None
    assert us.decision == Decision.review
    nexus_findings = [f for f in us.findings if f.rule_id.startswith("us.nexus")]
    assert {f.rule_id for f in nexus_findings} == {"us.nexus.de_minimis_25"}
    assert nexus_findings[0].missing_facts == ["item.us_content_percent"]
    assert "cannot be decided" in nexus_findings[0].explanation
    assert "item.us_content_percent" in [q.fact for q in us.questions]


def test_unknown_us_content_that_cannot_matter_does_not_block(screener: Screener) -> None:
    """A Korean-made EAR99 item to China with no listed party or end use: whether or not it
    is subject to the EAR, no US licence is needed, and the unknown is said not to matter."""
    result = screener.screen(
        tx(
            exporter={"name": "K", "country": "KR"},
            destination_country="CN",
            items=[{"eccn": "EAR99", "origin_country": "KR"}],
        )
    )
    us = result.jurisdictions["US"]
    assert us.applies is None
    assert us.decision == Decision.clear
    assert "items[0]: item.us_content_percent" in us.immaterial_unknowns
    assert not [f for f in us.findings if f.decisive]


def test_foreign_item_below_de_minimis_is_not_applicable(screener: Screener) -> None:
    result = screener.screen(
        tx(
            exporter={"name": "S", "country": "SG"},
            destination_country="CN",
            items=[{"eccn": "EAR99", "origin_country": "SG", "us_content_percent": 20}],
        )
    )
    us = result.jurisdictions["US"]
    assert (us.applies, us.decision) == (False, Decision.not_applicable)
    assert us.findings == []
    assert "No nexus" in us.nexus[0].explanation
    # Singapore has no pack: nothing reaches the item (a Japanese exporter would be reached
    # by FEFTA, and EAR99 is on no list of Japan's: clear)
    assert result.decision == Decision.not_applicable


def test_de_minimis_level_depends_on_destination_group(screener: Screener) -> None:
    # 15 % US content: above the 10 % level for Cuba (E:2), below the 25 % level for Mexico.
    item = {"eccn": "EAR99", "origin_country": "MX", "us_content_percent": 15}
    to_cuba = screener.screen(
        tx(exporter={"name": "M", "country": "MX"}, destination_country="CU", items=[item])
    )
    to_germany = screener.screen(
        tx(exporter={"name": "M", "country": "MX"}, destination_country="DE", items=[item])
    )
    assert to_cuba.jurisdictions["US"].nexus[0].basis == ["us.nexus.de_minimis_10"]
    assert to_germany.jurisdictions["US"].applies is False


def test_missing_and_unknown_eccns_are_review_findings(screener: Screener) -> None:
    result = screener.screen(
        tx(items=[{"origin_country": "US"}, {"eccn": "3B999", "origin_country": "US"}])
    )
    by_item = {(f.item_index, f.rule_id) for f in result.findings}
    assert (0, "us.classification.eccn_missing") in by_item
    assert (1, "us.classification.eccn_not_on_ccl") in by_item
    assert result.decision == Decision.review
    assert all(f.outcome == Outcome.review for f in result.findings)


def test_derived_facts_read_hong_kong_as_china_and_keep_macau_apart(screener: Screener) -> None:
    hk = screener.screen(tx(destination_country="HK")).derived_facts[0]
    mo = screener.screen(tx(destination_country="MO")).derived_facts[0]
    assert hk["destination.ear_row"] == "CN"
    assert "D:5" in hk["destination.country_groups"]
    assert "NS2" in hk["destination.chart_x"]
    assert mo["destination.ear_row"] == "MO"
    assert "D:1" in mo["destination.country_groups"]
    assert "D:5" not in mo["destination.country_groups"]


def test_result_names_pack_versions_and_backend(screener: Screener) -> None:
    result = screener.screen(tx())
    packs = {"us-ear", "eu-dual-use", "nl-national", "de-dual-use", "jp-fefta", "kr-fta"}
    packs |= {"tw-fta", "uk-eco"}
    packs.add("cn-ecl")
    assert set(result.versions) == packs | {"list:csl"}
    assert len(result.versions["us-ear"]) == 16
    assert len(result.versions["list:csl"]) == 64  # sha256 of the imported list
    assert result.engine == "python"
    assert result.as_of.isoformat() == "2026-08-01"


def test_both_backends_give_the_same_result_for_the_bundled_example(
    screener: Screener, durable_screener: Screener
) -> None:
    data = json.loads(EXAMPLE.read_text())
    py = screener.screen(data).model_dump(exclude={"engine"})
    du = durable_screener.screen(data).model_dump(exclude={"engine"})
    assert py == du
