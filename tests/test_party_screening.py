"""Restricted-party screening inside transaction screening, on the fixture CSL (real rows)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from schemas.lists import ListCode, ListEntry
from schemas.result import Decision
from screener.engine import Screener
from screener.parties.matcher import PartyMatcher
from screener.parties.screening import PartyScreening, load_party_screening
from screener.parties.store import ListStore

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lists"


def tx(name: str, country: str = "CN", eccn: str = "EAR99", **extra: Any) -> dict[str, Any]:
    return {
        "date": extra.pop("date", "2026-08-01"),
        "exporter": {"name": "Exporter Inc.", "country": "US"},
        "destination_country": country,
        "parties": [{"role": "end_user", "name": name, "country": country}],
        "items": [{"eccn": eccn, "origin_country": "US"}],
    } | extra


def us(screener: Screener, data: dict[str, Any]):
    return screener.screen(data).jurisdictions["US"]


def test_entity_list_party_requires_a_licence_and_cites_the_entry(screener: Screener) -> None:
    result = screener.screen(tx("Huawei Technologies Co., Ltd."))
    verdict = result.jurisdictions["US"]
    assert verdict.decision == Decision.license_required
    finding = next(f for f in verdict.findings if f.rule_id == "us.party.entity_list")
    assert "744.11" in finding.citation
    assert "Huawei Technologies" in finding.explanation and "FN1" in finding.explanation
    hit = result.party_hits[0]
    assert (hit["list_code"], hit["role"], hit["party_index"]) == ("entity_list", "end_user", 0)
    assert "FN1" in hit["footnotes"]
    assert result.derived_facts[0]["parties.lists"] == ["entity_list"]
    assert "list:csl" in result.versions


def test_denied_person_is_prohibited(screener: Screener) -> None:
    verdict = us(
        screener, tx("Kal Tek Labs", country="US", exporter={"name": "E", "country": "US"})
    )
    assert verdict.decision == Decision.prohibited
    assert any(f.rule_id == "us.party.denied_persons" for f in verdict.findings)


def test_misspelt_listed_name_still_hits(screener: Screener) -> None:
    result = screener.screen(tx("Huawei Technolgies Company Limited"))
    assert any(h["entry_name"].startswith("Huawei Technologies") for h in result.party_hits)
    assert result.jurisdictions["US"].decision in (Decision.license_required, Decision.review)


def test_unlisted_party_is_clear(screener: Screener) -> None:
    result = screener.screen(tx("Siemens Aktiengesellschaft", country="DE"))
    assert result.party_hits == []
    assert result.derived_facts[0]["parties.lists"] == []
    assert result.jurisdictions["US"].decision == Decision.clear


def test_fn5_party_decides_the_3b993_requirement(screener: Screener) -> None:
    listed = tx("Chinese Academy of Sciences Institute of Microelectronics", eccn="3B993.f.1")
    verdict = us(screener, listed)
    fired = {f.rule_id: f.outcome.value for f in verdict.findings}
    assert fired["us.ccl.3B993.rs_a11"] == "license_required"
    other = us(screener, tx("Siemens AG", country="DE", eccn="3B993.f.1"))
    assert "us.ccl.3B993.rs_a11" not in {f.rule_id for f in other.findings}
    assert other.decision == Decision.clear


def test_without_lists_every_transaction_asks_for_screening(unscreened: Screener) -> None:
    verdict = us(unscreened, tx("Siemens AG", country="DE"))
    assert verdict.decision == Decision.review
    assert [f.rule_id for f in verdict.findings] == ["us.party.lists_not_screened"]


def test_release_is_honoured_then_reopened_when_the_entry_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHOKEPOINT_CACHE_DIR", str(tmp_path / "cache"))
    store = ListStore(f"sqlite:///{tmp_path / 'adj.db'}")
    store.import_list(FIXTURES / "consolidated.csv", "csl-csv", "csl")
    name = "Jiangxi Xintuo Enterprise Company Limited"
    before = Screener(parties=load_party_screening(store)).screen(tx(name))
    hit = next(h for h in before.party_hits if h["entry_name"].startswith("Jiangxi Xintuo"))
    assert before.jurisdictions["US"].decision == Decision.license_required

    store.record_adjudication(
        name,
        "csl",
        hit["entry_id"],
        "false_positive",
        "a.reviewer",
        "different company, checked registry",
    )
    released = Screener(parties=load_party_screening(store)).screen(tx(name))
    again = next(h for h in released.party_hits if h["entry_id"] == hit["entry_id"])
    assert again["adjudication"].startswith("released as not the listed party by a.reviewer")
    assert released.derived_facts[0]["parties.lists"] == []
    assert released.jurisdictions["US"].decision == Decision.clear

    # A list update changes the entry (new licence policy text): the release re-opens.
    updated = tmp_path / "consolidated.csv"
    shutil.copy(FIXTURES / "consolidated.csv", updated)
    text = updated.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if "Jiangxi Xintuo" in line)
    changed = row.replace("Policy of denial for all items", "Case-by-case review for all items")
    assert changed != row
    updated.write_text(text.replace(row, changed))
    store.import_list(updated, "csl-csv", "csl")
    reopened = Screener(parties=load_party_screening(store)).screen(tx(name))
    hit3 = next(h for h in reopened.party_hits if h["entry_id"] == hit["entry_id"])
    assert "re-opened" in hit3["adjudication"]
    assert reopened.jurisdictions["US"].decision == Decision.license_required


def test_the_same_end_user_before_its_listing_date() -> None:
    """An entry counts from its listing date where the list gives one. The CSL snapshot
    carries no start dates, so the entry is built here: the Institute of Microelectronics of
    the Chinese Academy of Sciences, added with Footnote 5 by the Entity List rule effective
    2024-12-02 (89 FR 96830; regulations.md, medium)."""
    entry = ListEntry(
        list_code=ListCode.entity_list,
        source="Entity List (EL) - Bureau of Industry and Security",
        entry_id="EL:cas-ime",
        name="Chinese Academy of Sciences Institute of Microelectronics",
        countries=["CN"],
        footnotes=["FN5"],
        license_requirement="For all items subject to the EAR.",
        license_policy="Presumption of denial",
        start_date=dt.date(2024, 12, 2),
    )
    screening = PartyScreening(
        matcher=PartyMatcher([entry], "el-test@0"),
        list_versions={"el-test": "0"},
        listed_since={("entity_list", "EL:cas-ime"): entry.start_date},
    )
    screener = Screener(parties=screening)
    name = "Chinese Academy of Sciences Institute of Microelectronics"
    before = screener.screen(tx(name, date="2024-11-29"))
    after = screener.screen(tx(name, date="2024-12-02"))
    assert before.party_hits and after.party_hits  # the name matches on both dates
    assert before.derived_facts[0]["parties.lists"] == []
    assert before.jurisdictions["US"].decision == Decision.clear
    assert after.derived_facts[0]["parties.lists"] == ["entity_list"]
    assert after.jurisdictions["US"].decision == Decision.license_required
