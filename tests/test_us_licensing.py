"""US licence determination (15 CFR 738.4 and Part 746) on real fact patterns and dates.

Each case names the transaction, the expected US decision and exactly which clauses decide
it; every case runs on both backends.
"""

from __future__ import annotations

from typing import Any

import pytest

from schemas.result import Decision
from screener.engine import Screener


def tx(dest: str, eccn: str | None, date: str = "2026-08-01", **extra: Any) -> dict[str, Any]:
    item = {"eccn": eccn, "origin_country": extra.pop("origin", "US")} | extra.pop("item", {})
    return {
        "date": date,
        "exporter": {"name": "Exporter Inc.", "country": extra.pop("exporter", "US")},
        "destination_country": dest,
        "items": [item],
    } | extra


def party(country: str, hq: str) -> list[dict[str, str]]:
    return [
        {
            "role": "end_user",
            "name": "End User Ltd.",
            "country": country,
            "headquarters_country": hq,
        }
    ]


WORLDWIDE_ETCH = {"us.ccl.3B001.worldwide.ns", "us.ccl.3B001.worldwide.rs"}
SME_SET_D5 = {"us.ccl.3B001.sme_set.ns.d5", "us.ccl.3B001.sme_set.rs.d5"}

CASES = [
    # (name, transaction, decision, decisive clause ids)
    ("etch 3B001.c.1.a to Germany", tx("DE", "3B001.c.1.a"), "license_required", WORLDWIDE_ETCH),
    (
        "etch 3B001.c.1.a to Vietnam (D:1, not D:5)",
        tx("VN", "3B001.c.1.a"),
        "license_required",
        WORLDWIDE_ETCH,
    ),
    (
        "etch 3B001.c.1.a to China",
        tx("CN", "3B001.c.1.a"),
        "license_required",
        WORLDWIDE_ETCH | SME_SET_D5,
    ),
    (
        "etch 3B001.c.1.a to Hong Kong (read as China)",
        tx("HK", "3B001.c.1.a"),
        "license_required",
        WORLDWIDE_ETCH | SME_SET_D5,
    ),
    (
        "etch 3B001.c.1.a to Macau (not D:5, named in the scope)",
        tx("MO", "3B001.c.1.a"),
        "license_required",
        WORLDWIDE_ETCH | {"us.ccl.3B001.sme_set.ns.macau", "us.ccl.3B001.sme_set.rs.macau"},
    ),
    (
        "etch to Germany the day before the Sept 2024 worldwide control",
        tx("DE", "3B001.c.1.a", "2024-09-05"),
        "clear",
        set(),
    ),
    (
        "etch to Germany the day it took effect",
        tx("DE", "3B001.c.1.a", "2024-09-06"),
        "license_required",
        WORLDWIDE_ETCH,
    ),
    ("EUV scanner 3B001.f.1 to China", tx("CN", "3B001.f.1.a"), "license_required", SME_SET_D5),
    ("EUV scanner 3B001.f.1 to India: no NS2 row for f.1", tx("IN", "3B001.f.1.a"), "clear", set()),
    (
        "MBE tool 3B001.a.3 to Malaysia (NS2 X)",
        tx("MY", "3B001.a.3"),
        "license_required",
        {"us.ccl.3B001.ns2"},
    ),
    ("MBE tool 3B001.a.3 to Japan (no NS2 X)", tx("JP", "3B001.a.3"), "clear", set()),
    (
        "accelerator 3A090.a to China",
        tx("CN", "3A090.a.1", parties=party("CN", "CN")),
        "license_required",
        {"us.ccl.3A090.a.rs.operative"},
    ),
    (
        "accelerator 3A090.a to Malaysia, Malaysian-headquartered buyer",
        tx("MY", "3A090.a.1", parties=party("MY", "MY")),
        "clear",
        set(),
    ),
    (
        "accelerator 3A090.a to Malaysia, buyer's parent in China",
        tx("MY", "3A090.a.1", parties=party("MY", "CN")),
        "license_required",
        {"us.ccl.3A090.rs.hq_macau_d5"},
    ),
    (
        "accelerator 3A090.a to Japan, Japanese buyer",
        tx("JP", "3A090.a.1", parties=party("JP", "JP")),
        "clear",
        set(),
    ),
    (
        "accelerator 3A090.a to Saudi Arabia (D:4) mid-2023",
        tx("SA", "3A090.a.1", "2023-06-01", parties=party("SA", "SA")),
        "clear",
        set(),
    ),
    (
        "accelerator 3A090.a to Saudi Arabia after the Nov 2023 rule",
        tx("SA", "3A090.a.1", "2023-12-01", parties=party("SA", "SA")),
        "license_required",
        {"us.ccl.3A090.a.rs.operative"},
    ),
    ("HBM 3A090.c to China", tx("CN", "3A090.c"), "license_required", {"us.ccl.3A090.c.rs"}),
    ("EAR99 to Cuba", tx("CU", "EAR99"), "license_required", {"us.part746.cuba"}),
    ("EAR99 to North Korea", tx("KP", "EAR99"), "license_required", {"us.part746.north_korea"}),
    ("EAR99 to Germany", tx("DE", "EAR99"), "clear", set()),
    (
        "3A991 to Russia the day before the Feb 2022 rule",
        tx("RU", "3A991", "2022-02-23"),
        "clear",
        set(),
    ),
    (
        "3A991 to Russia from 2022-02-24",
        tx("RU", "3A991", "2022-03-01"),
        "license_required",
        {"us.part746.russia.ccl_categories_3_to_9"},
    ),
]


@pytest.mark.parametrize("backend", ["python", "durable"])
@pytest.mark.parametrize(
    ("name", "transaction", "decision", "decisive"), CASES, ids=[c[0] for c in CASES]
)
def test_us_licence_determination(
    request: pytest.FixtureRequest,
    backend: str,
    name: str,
    transaction: dict,
    decision: str,
    decisive: set[str],
) -> None:
    screener: Screener = request.getfixturevalue(
        "screener" if backend == "python" else "durable_screener"
    )
    us = screener.screen(transaction).jurisdictions["US"]
    fired = {f.rule_id for f in us.findings if f.decisive and f.outcome.value != "review"}
    assert (us.decision.value, fired) == (decision, decisive), [
        (f.rule_id, f.outcome.value, f.missing_facts) for f in us.findings
    ]


def test_non_enforced_ai_diffusion_row_is_reported_but_does_not_decide(screener: Screener) -> None:
    us = screener.screen(tx("JP", "3A090.a.1", parties=party("JP", "JP"))).jurisdictions["US"]
    worldwide = [f for f in us.findings if f.rule_id == "us.ccl.3A090.a.rs.worldwide"]
    assert len(worldwide) == 1
    assert (worldwide[0].status, worldwide[0].decisive) == ("non_enforced", False)
    assert us.decision == Decision.clear


def test_headquarters_unknown_is_review_naming_the_fact(screener: Screener) -> None:
    us = screener.screen(tx("MY", "3A090.a.1")).jurisdictions["US"]
    assert us.decision == Decision.review
    finding = next(f for f in us.findings if f.rule_id == "us.ccl.3A090.rs.hq_macau_d5")
    assert finding.missing_facts == [
        "parties.headquarters_country_groups",
        "parties.headquarters_countries",
    ]


def test_coarse_classification_is_review_not_clear(screener: Screener) -> None:
    us = screener.screen(tx("CN", "3B001")).jurisdictions["US"]
    assert us.decision == Decision.review
    sme = next(f for f in us.findings if f.rule_id == "us.ccl.3B001.sme_set.ns.d5")
    assert sme.outcome.value == "review"
    assert sme.missing_facts == ["item.eccn (a paragraph below 3B001)"]


def test_explanation_names_the_facts_and_the_citation(screener: Screener) -> None:
    us = screener.screen(tx("CN", "3B001.c.1.a")).jurisdictions["US"]
    finding = next(f for f in us.findings if f.rule_id == "us.ccl.3B001.sme_set.ns.d5")
    assert "742.4(a)(4)" in finding.citation
    assert "item.eccn = 3B001.c.1.a is classified under" in finding.explanation
    assert "destination.country_groups = [" in finding.explanation
    assert "contains D:5: yes" in finding.explanation


def test_japanese_tool_without_us_content_or_us_technology_is_outside_the_ear(
    screener: Screener,
) -> None:
    made_without_us_technology = {
        "us_content_percent": 0,
        "production": {"direct_product_of": [], "plant_direct_product_of": []},
    }
    without_us_persons = tx(
        "CN",
        "3B001.c.1.a",
        exporter="JP",
        origin="JP",
        item=made_without_us_technology,
        us_persons_involved=False,
    )
    assert screener.screen(without_us_persons).jurisdictions["US"].decision == (
        Decision.not_applicable
    )
    # not subject to the EAR, but US persons who ship or facilitate an SME-set tool to China
    # need a licence of their own (15 CFR 744.6(c)(2)(iii)): unstated, that is the question
    unstated = {k: v for k, v in without_us_persons.items() if k != "us_persons_involved"}
    us = screener.screen(unstated).jurisdictions["US"]
    assert (us.decision, [q.fact for q in us.questions]) == (
        Decision.review,
        ["us_persons_involved"],
    )


def test_foreign_tool_of_unknown_production_is_review_naming_the_fact(screener: Screener) -> None:
    """The SME FDP rule (734.9(k)) reaches a Japanese etch tool to China when it is a direct
    product of US technology: without the production facts that cannot be decided."""
    result = screener.screen(
        tx("CN", "3B001.c.1.a", exporter="JP", origin="JP", item={"us_content_percent": 0})
    )
    us = result.jurisdictions["US"]
    assert (us.applies, us.decision) == (None, Decision.review)
    fdp = next(f for f in us.findings if f.rule_id == "us.fdp.k_sme")
    assert "item.production.direct_product_of" in fdp.missing_facts
    conditional = next(f for f in us.findings if f.rule_id == "us.ccl.3B001.sme_set.ns.d5")
    assert not conditional.decisive
    assert conditional.explanation.startswith("If the item is subject to US jurisdiction")


def test_foreign_tool_made_with_us_technology_is_caught_by_the_sme_fdp_rule(
    screener: Screener,
) -> None:
    made_with_us_technology = {
        "us_content_percent": 0,
        "production": {"direct_product_of": ["3E992"]},
    }
    result = screener.screen(
        tx("CN", "3B001.c.1.a", exporter="KR", origin="KR", item=made_with_us_technology)
    )
    us = result.jurisdictions["US"]
    assert us.applies is True
    assert "us.fdp.k_sme" in us.nexus[0].basis
    assert us.decision == Decision.license_required
