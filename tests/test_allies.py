"""The allies' packs over real items: an EUV scanner, DUV immersion scanners (NXT:2000i and
NXT:1980i classes), an overlay metrology tool and an isotropic etch tool, shipped from the
Netherlands, Japan and the US to China, Malaysia and Germany, before and after each rule date.

Each expectation was worked out by hand from the regulation (see the clause citations); the
items are the item classes of `rules/gaps/item_classes.yaml`, classified as of each date.
"""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.result import Decision, GapPosition
from schemas.transaction import Transaction
from screener.engine import Screener
from screener.gaps.analysis import GapAnalyzer, item_position, load_baseline
from screener.packs.profiles import load_profiles

CLASSES = {ic.id: ic for ic in load_baseline().item_classes}
LIC = "license_required"


@pytest.fixture(scope="module")
def analyzer(unscreened: Screener) -> GapAnalyzer:
    return GapAnalyzer(unscreened, load_profiles())


def tx(item_class: str, exporter: str, destination: str, day: str) -> Transaction:
    on = dt.date.fromisoformat(day)
    item = CLASSES[item_class].item(on).model_copy(update={"origin_country": exporter})
    return Transaction(
        date=on,
        exporter={"name": "Example exporter", "country": exporter},
        destination_country=destination,
        items=[item],
    )


def position(analyzer: GapAnalyzer, jurisdiction: str, t: Transaction) -> GapPosition:
    verdict = analyzer.screener.verdict(t, jurisdiction)
    return item_position(verdict, 0, t.exporter.country, analyzer.profiles[jurisdiction])


# (item class, ship-from, jurisdiction asked, destination, date, decision, deciding rule)
CASES = [
    # EUV scanner: Annex I (derived from ECCN 3B001.f.1.a): EU authorisation outside the EU.
    ("euv_scanner", "NL", "EU", "CN", "2025-06-01", LIC, "eu.art3.annex_i"),
    ("euv_scanner", "NL", "EU", "MY", "2025-06-01", LIC, "eu.art3.annex_i"),
    ("euv_scanner", "NL", "EU", "DE", "2025-06-01", "clear", None),
    ("euv_scanner", "NL", "EU", "US", "2025-06-01", LIC, "eu.art3.annex_i_eu001"),
    ("euv_scanner", "NL", "EU", "CN", "2021-06-01", "review", "eu.coverage.before_2021_821"),
    # the Dutch authority applies the EU regime: NL requires the EU authorisation too
    ("euv_scanner", "NL", "NL", "CN", "2024-06-01", LIC, "nl.eu.art3.annex_i"),
    ("euv_scanner", "NL", "NL", "CN", "2025-06-01", LIC, "nl.eu.art3.annex_i"),
    ("euv_scanner", "DE", "DE", "CN", "2025-06-01", LIC, "de.eu.art3.annex_i"),
    ("euv_scanner", "NL", "NL", "US", "2025-06-01", LIC, "nl.eu.art3.annex_i_eu001"),
    ("euv_scanner", "JP", "JP", "DE", "2025-06-01", LIC, None),
    ("euv_scanner", "US", "US", "CN", "2025-06-01", LIC, None),
    ("euv_scanner", "US", "US", "MY", "2025-06-01", "clear", None),
    ("euv_scanner", "US", "US", "DE", "2025-06-01", "clear", None),
    # NXT:2000i: Dutch national list from 2023-09-01 (not Annex I).
    ("duv_immersion_nxt2000i", "NL", "NL", "CN", "2023-08-15", "clear", None),
    ("duv_immersion_nxt2000i", "NL", "NL", "CN", "2023-10-01", LIC, "nl.regeling_2023.art2"),
    ("duv_immersion_nxt2000i", "NL", "NL", "MY", "2023-10-01", LIC, "nl.regeling_2023.art2"),
    ("duv_immersion_nxt2000i", "NL", "NL", "DE", "2023-10-01", "clear", None),
    ("duv_immersion_nxt2000i", "NL", "NL", "CN", "2025-06-01", LIC, "nl.regeling_2024.art2"),
    ("duv_immersion_nxt2000i", "NL", "EU", "CN", "2025-06-01", "clear", None),
    # held in Germany: caught only through Art. 10, if the German authority informs
    (
        "duv_immersion_nxt2000i",
        "DE",
        "EU",
        "CN",
        "2025-06-01",
        "review",
        "eu.art10.dutch_national_list",
    ),
    ("duv_immersion_nxt2000i", "JP", "JP", "CN", "2023-07-22", "clear", None),
    ("duv_immersion_nxt2000i", "JP", "JP", "CN", "2025-06-01", LIC, "jp.fefta.art48.list_control"),
    ("duv_immersion_nxt2000i", "JP", "JP", "DE", "2025-06-01", LIC, "jp.fefta.art48.list_control"),
    # the NXT:1980i class is not shown to be on Japan's list: a review naming the fact
    (
        "duv_immersion_nxt1980i",
        "JP",
        "JP",
        "CN",
        "2025-06-01",
        "review",
        "jp.fefta.art48.list_control",
    ),
    ("duv_immersion_nxt2000i", "US", "US", "CN", "2025-06-01", LIC, None),
    ("duv_immersion_nxt2000i", "US", "US", "MY", "2025-06-01", "clear", None),
    # after Delegated Reg. 2025/2003 the EU and NL classifications are unknown: review, named
    ("duv_immersion_nxt2000i", "NL", "EU", "CN", "2026-01-15", "review", "eu.art3.annex_i"),
    # NXT:1980i: Dutch licence from 2024-09-07; before, no Dutch or EU requirement.
    ("duv_immersion_nxt1980i", "NL", "NL", "CN", "2024-09-06", "clear", None),
    ("duv_immersion_nxt1980i", "NL", "NL", "CN", "2024-09-07", LIC, "nl.regeling_2024.art2"),
    ("duv_immersion_nxt1980i", "NL", "NL", "MY", "2024-10-01", LIC, "nl.regeling_2024.art2"),
    ("duv_immersion_nxt1980i", "NL", "NL", "DE", "2024-10-01", "clear", None),
    ("duv_immersion_nxt1980i", "NL", "EU", "MY", "2024-10-01", "clear", None),
    # Overlay metrology: Dutch licence from 2025-04-01.
    ("overlay_metrology", "NL", "NL", "MY", "2025-03-31", "clear", None),
    ("overlay_metrology", "NL", "NL", "MY", "2025-04-01", LIC, "nl.regeling_2024.art2"),
    ("overlay_metrology", "NL", "NL", "CN", "2025-06-01", LIC, "nl.regeling_2024.art2"),
    ("overlay_metrology", "NL", "NL", "DE", "2025-06-01", "clear", None),
    # Isotropic etch: Japan lists it from 2023-07-23 for every destination; the US worldwide
    # from 2024-09-06 (3B001.c.1.a); not on the EU or Dutch lists before 2025-11-15.
    ("isotropic_dry_etch", "JP", "JP", "CN", "2023-07-22", "clear", None),
    ("isotropic_dry_etch", "JP", "JP", "CN", "2023-07-23", LIC, "jp.fefta.art48.list_control"),
    ("isotropic_dry_etch", "JP", "JP", "MY", "2024-01-10", LIC, "jp.fefta.art48.list_control"),
    ("isotropic_dry_etch", "JP", "JP", "DE", "2024-01-10", LIC, "jp.fefta.art48.list_control"),
    ("isotropic_dry_etch", "NL", "NL", "CN", "2025-06-01", "clear", None),
    ("isotropic_dry_etch", "NL", "EU", "CN", "2025-06-01", "clear", None),
    ("isotropic_dry_etch", "US", "US", "DE", "2024-12-10", LIC, "us.ccl.3B001.worldwide.ns"),
    ("isotropic_dry_etch", "US", "US", "MY", "2024-12-10", LIC, "us.ccl.3B001.worldwide.ns"),
]


@pytest.mark.parametrize(
    ("item_class", "ship_from", "jurisdiction", "destination", "day", "decision", "rule"),
    CASES,
    ids=[f"{c[0]}-{c[1]}>{c[3]}-{c[2]}-{c[4]}" for c in CASES],
)
def test_real_items(
    analyzer: GapAnalyzer,
    item_class: str,
    ship_from: str,
    jurisdiction: str,
    destination: str,
    day: str,
    decision: str,
    rule: str | None,
) -> None:
    p = position(analyzer, jurisdiction, tx(item_class, ship_from, destination, day))
    assert p.decision == Decision(decision), p
    if rule is not None:
        assert rule in p.rule_ids, p


def test_nl_finding_cites_the_regeling(unscreened: Screener) -> None:
    result = unscreened.screen(tx("duv_immersion_nxt2000i", "NL", "CN", "2023-10-01"))
    nl = result.jurisdictions["NL"]
    assert nl.decision == Decision.license_required
    (finding,) = [f for f in nl.findings if f.rule_id == "nl.regeling_2023.art2"]
    assert "Stcrt. 2023, 18212" in finding.citation
    assert "Art. 2" in finding.citation
    assert finding.confidence.startswith("high")


def test_parameters_contradicting_not_listed_ask_for_review(unscreened: Screener) -> None:
    t = tx("duv_immersion_nxt1980i", "NL", "CN", "2024-10-01")
    t.items[0].control_codes["NL"] = "not_listed"  # the exporter's (wrong) classification
    nl = unscreened.screen(t).jurisdictions["NL"]
    assert nl.decision == Decision.review
    assert [f.rule_id for f in nl.findings] == ["nl.regeling_2024.duv_parameters_check"]
    before = unscreened.screen(tx("duv_immersion_nxt1980i", "NL", "CN", "2024-09-06"))
    assert before.jurisdictions["NL"].decision == Decision.clear


def test_eu001_destination_names_the_general_authorisation(unscreened: Screener) -> None:
    result = unscreened.screen(tx("euv_scanner", "NL", "JP", "2025-06-01"))
    (finding,) = result.jurisdictions["EU"].findings
    assert finding.rule_id == "eu.art3.annex_i_eu001"
    assert "EU001" in (finding.license_review_policy or "")


def test_euv_to_russia_is_prohibited_by_the_eu(unscreened: Screener) -> None:
    result = unscreened.screen(tx("euv_scanner", "DE", "RU", "2025-06-01"))
    assert result.jurisdictions["EU"].decision == Decision.prohibited
    assert any(f.rule_id == "eu.russia.dual_use" for f in result.findings)


def test_nexus_is_explained_per_jurisdiction(unscreened: Screener) -> None:
    result = unscreened.screen(tx("euv_scanner", "NL", "CN", "2025-06-01"))
    assert result.jurisdictions["EU"].nexus[0].basis == ["eu.nexus.export_from_union"]
    assert result.jurisdictions["NL"].nexus[0].basis == ["nl.nexus.export_from_netherlands"]
    jp = result.jurisdictions["JP"]
    assert jp.decision == Decision.not_applicable
    assert jp.nexus[0].explanation.startswith("No nexus")
    assert "Export from Japan" in jp.nexus[0].explanation


def test_derivation_is_shown(unscreened: Screener) -> None:
    (facts,) = unscreened.screen(tx("euv_scanner", "NL", "CN", "2025-06-01")).derived_facts
    assert facts["item.control_codes.EU"] == "3B001.f.1.a"
    assert facts["item.control_codes.NL"] == "not_listed"
    derived = " ".join(facts["item.control_codes_derived"])
    assert "EU: 3B001.f.1.a from ECCN 3B001.f.1.a" in derived
    assert "NL: not_listed from EU 3B001.f.1.a" in derived


@pytest.mark.parametrize(
    ("eccn", "expected"),
    [
        ("3B001.a.1", "3B001.a.1"),
        ("3B001.f.1.a", "3B001.f.1.a"),
        ("3A001.b.1", "3A001.b.1"),
        ("3B001.f.1.b", None),  # US overlay text, not the Annex I 3B001.f.1.b
        ("3B001.f.1", None),  # could be f.1.b
        ("3B001.c.1.a", None),  # US-only restructured paragraph
        ("3B002.c", None),
        ("3A090.a", None),
        ("4A090.a", None),
        ("3B993.f.1", None),
        ("3B994.b", None),
        ("4A003.z", None),
        ("0Y521", None),
        ("EAR99", "not_listed"),
    ],
)
def test_eu_code_derivation(unscreened: Screener, eccn: str, expected: str | None) -> None:
    derived, _ = unscreened.facts.derivation.derive(eccn, {})
    assert derived.get("EU") == expected


@pytest.mark.parametrize("jurisdiction", ["KR", "UK"])
def test_wassenaar_numbered_lists_derive_like_the_eu(
    unscreened: Screener, jurisdiction: str
) -> None:
    derive = unscreened.facts.derivation.derive
    assert derive("3B001.f.1.a", {})[0][jurisdiction] == "3B001.f.1.a"
    assert jurisdiction not in derive("3B001.c.1.a", {})[0]
    assert "JP" not in derive("3B001.f.1.a", {})[0] and "TW" not in derive("3B001.a.1", {})[0]


def test_missing_code_is_a_review_naming_the_fact(unscreened: Screener) -> None:
    t = Transaction(
        date="2025-06-01",
        exporter={"name": "x", "country": "NL"},
        destination_country="CN",
        items=[{"eccn": "3B993.f.1", "origin_country": "NL"}],
    )
    result = unscreened.screen(t)
    for j in ("EU", "NL"):
        verdict = result.jurisdictions[j]
        assert verdict.decision == Decision.review
        assert any(f"item.control_codes.{j}" in f.missing_facts for f in verdict.findings)


def test_ear99_is_on_no_allys_list(unscreened: Screener) -> None:
    derived, notes = unscreened.facts.derivation.derive("EAR99", {})
    assert set(derived) == {"EU", "NL", "JP", "KR", "TW", "UK"}
    assert set(derived.values()) == {"not_listed"}
    assert len(notes) == 6


def test_given_code_wins_over_derivation(unscreened: Screener) -> None:
    derived, notes = unscreened.facts.derivation.derive("3B001.a.1", {"EU": "not_listed"})
    assert "EU" not in derived and not [n for n in notes if n.startswith("EU:")]


@pytest.mark.parametrize(
    ("country", "day", "expected"),
    [
        ("GB", "2020-06-01", ["EU27", "JP_GROUP_A"]),
        ("GB", "2021-06-01", ["EU001", "JP_GROUP_A"]),
        ("HR", "2013-06-30", []),
        ("HR", "2013-07-01", ["EU27"]),
        ("IS", "2024-01-01", []),
        ("IS", "2025-01-01", ["EU001"]),
        ("NO", "2025-01-01", ["EU001", "JP_GROUP_A"]),
        ("KR", "2020-01-01", []),  # outside Japan's Group A 2019-08-28 to 2023-07-20
        ("KR", "2023-07-21", ["JP_GROUP_A"]),
    ],
)
def test_country_sets_are_dated(
    unscreened: Screener, country: str, day: str, expected: list[str]
) -> None:
    assert unscreened.facts.country_sets.of(country, dt.date.fromisoformat(day)) == expected


# --- gap reports, against hand-worked expectations ---------------------------------------


def test_gap_nxt2000i_from_nl_to_china(analyzer: GapAnalyzer) -> None:
    t = tx("duv_immersion_nxt2000i", "NL", "CN", "2025-06-01")
    (gap,) = analyzer.gaps(t)
    assert gap.summary == (
        "licence required from JP, NL, US; review for DE, KR, TW, UK; none from EU"
    )
    by_j = {p.jurisdiction: p for p in gap.positions}
    assert by_j["NL"].rule_ids == ["nl.regeling_2024.art2"]
    # held in Germany: the EU's Art. 10 as Germany applies it
    assert by_j["DE"].rule_ids == ["de.eu.art10.dutch_national_list"]
    assert by_j["EU"].decision == Decision.clear
    assert by_j["UK"].missing_facts == ["item.control_codes.UK"]
    assert by_j["US"].exporter_country == "US" and by_j["JP"].exporter_country == "JP"
    assert "coverage: thin" in by_j["TW"].profile


def test_gap_euv_to_malaysia(analyzer: GapAnalyzer) -> None:
    t = tx("euv_scanner", "NL", "MY", "2025-06-01")
    (gap,) = analyzer.gaps(t)
    by_j = {p.jurisdiction: p.decision for p in gap.positions}
    assert by_j == {
        "CN": Decision.review,  # China's list is not Wassenaar-numbered: nothing is derived
        "DE": Decision.license_required,  # the EU regime as applied by Germany
        "EU": Decision.license_required,
        "JP": Decision.license_required,
        "KR": Decision.license_required,  # Wassenaar numbering: 3B001.f.1.a derived
        "NL": Decision.license_required,  # the EU regime as applied by the Netherlands
        "TW": Decision.review,
        "UK": Decision.license_required,
        "US": Decision.clear,
    }


def test_gap_to_germany_asks_the_eu_from_another_member_state(analyzer: GapAnalyzer) -> None:
    t = tx("isotropic_dry_etch", "US", "DE", "2025-06-01")
    (gap,) = analyzer.gaps(t)
    by_j = {p.jurisdiction: p for p in gap.positions}
    assert by_j["EU"].exporter_country == "FR" and by_j["EU"].decision == Decision.clear
    assert by_j["JP"].decision == Decision.license_required
    assert by_j["US"].decision == Decision.license_required
    assert by_j["UK"].decision == Decision.license_required


def test_no_gap_when_all_agree(analyzer: GapAnalyzer) -> None:
    t = Transaction(
        date="2025-06-01",
        exporter={"name": "x", "country": "NL"},
        destination_country="DE",
        # EAR99 says nothing of China's list (nothing is derived for CN), so it is stated
        items=[{"eccn": "EAR99", "origin_country": "NL", "control_codes": {"CN": "not_listed"}}],
    )
    assert analyzer.gaps(t) == []


def test_screen_fills_gaps_when_asked() -> None:
    result = Screener(gaps=True).screen(tx("duv_immersion_nxt1980i", "NL", "CN", "2024-10-01"))
    assert result.gaps and result.gaps[0].item_index == 0
    assert "NL" in result.gaps[0].summary


def test_transit_through_the_union_is_a_nexus_of_its_own(unscreened: Screener) -> None:
    t = Transaction(
        date="2025-06-01",
        exporter={"name": "x", "country": "US"},
        destination_country="IR",
        transit_countries=["NL"],
        items=[{"eccn": "3B001.f.1.a", "origin_country": "US"}],
        end_use={"categories": ["nuclear"]},
    )
    eu = unscreened.screen(t).jurisdictions["EU"]
    assert eu.nexus[0].basis == ["eu.nexus.transit_through_union"]
    assert [f.rule_id for f in eu.findings] == ["eu.art7.transit_wmd"]  # not an Art. 3 export
    assert eu.decision == Decision.review
    direct = unscreened.screen(t.model_copy(update={"transit_countries": []}))
    assert direct.jurisdictions["EU"].decision == Decision.not_applicable
