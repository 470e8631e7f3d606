"""Names in Chinese and Cyrillic script against the Latin-script CSL (real rows, real packs).

The list is `fixtures/lists/csl_cross_script.csv` (5 Entity List rows copied from the CSL of
2026-07-31); the native-script names come from the bundled alias file
(screener/parties/data/native_aliases.csv), never from ../shared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schemas.result import Decision
from screener.engine import Screener
from screener.parties.aliases import current_alias_table, read_alias_table, with_aliases
from screener.parties.crossscript import ScriptAwareMatcher
from screener.parties.importers import read_list
from screener.parties.matcher import PartyMatcher
from screener.parties.screening import PartyScreening, _Matchers
from screener.parties.scripts import readings, scripts_in

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lists"
CSL = Path("/work/shared/data/lists/csl-2026-07-31/screening-list.json")


@pytest.fixture(scope="module")
def entries():
    found, _ = read_list(FIXTURES / "csl_cross_script.csv", "csl-csv")
    return with_aliases(found, current_alias_table())


@pytest.fixture(scope="module")
def screener(entries) -> Screener:
    matcher = PartyMatcher(entries, "csl-xs@fixture")
    return Screener(parties=PartyScreening(matcher=matcher, list_versions={"csl-xs": "fixture"}))


def tx(name: str) -> dict[str, Any]:
    return {
        "date": "2026-08-01",
        "exporter": {"name": "Exporter Inc.", "country": "US"},
        "destination_country": "CN",
        "parties": [{"role": "end_user", "name": name, "country": "CN"}],
        "items": [{"eccn": "EAR99", "origin_country": "US"}],
    }


@pytest.mark.parametrize(
    ("name", "entry", "needle"),
    [
        (
            "中芯国际集成电路制造有限公司",
            "Semiconductor Manufacturing International",
            "restricted-parties-db",
        ),
        ("华为技术有限公司", "Huawei Technologies", "Huawei"),
        ("Хуавэй", "Huawei Technologies", "Palladius -> pinyin: hua wei"),
    ],
)
def test_native_names_of_smic_and_huawei_need_a_licence(
    screener: Screener, name: str, entry: str, needle: str
) -> None:
    result = screener.screen(tx(name))
    us = result.jurisdictions["US"]
    assert us.decision == Decision.license_required
    finding = next(f for f in us.findings if f.rule_id == "us.party.entity_list")
    assert "744.11" in finding.citation
    assert needle in finding.explanation  # the alias's source or the reading, quoted
    hit = next(h for h in result.party_hits if h["entry_name"].startswith(entry))
    assert hit["list_code"] == "entity_list" and hit["band"] in ("exact", "strong")
    assert hit["alias_source"] or hit["transliteration"]
    assert "us.party.unreadable_name" not in {f.rule_id for f in us.findings}


def test_smic_hit_names_the_alias_and_its_source(screener: Screener) -> None:
    result = screener.screen(tx("中芯國際集成電路製造有限公司"))  # traditional script
    hit = next(h for h in result.party_hits if "SMIC" in h["entry_name"])
    assert hit["matched_alias"] == "中芯国际集成电路制造有限公司"
    assert "restricted-parties-db" in hit["alias_source"]
    assert "2026-08-18" in hit["alias_source"]


def test_an_unread_chinese_name_is_a_review_naming_the_readings(screener: Screener) -> None:
    result = screener.screen(tx("上海微电子装备有限公司"))  # SMEE: not on the fixture list
    us = result.jurisdictions["US"]
    assert us.decision == Decision.review
    finding = next(f for f in us.findings if f.rule_id == "us.party.unreadable_name")
    assert finding.confidence.startswith("low")
    assert "Han script" in finding.explanation
    assert "OpenCC t2s + pypinyin: 'shang hai microelectronics zhuang bei co ltd'" in (
        finding.explanation
    )
    assert result.derived_facts[0]["parties.unreadable_scripts"] == ["Han"]


def test_an_unread_cyrillic_name_is_a_review(screener: Screener) -> None:
    result = screener.screen(tx("ООО «Ромашка»"))
    us = result.jurisdictions["US"]
    assert us.decision == Decision.review
    finding = next(f for f in us.findings if f.rule_id == "us.party.unreadable_name")
    assert "ICAO Doc 9303 = GOST 7.79-2000 B = BGN/PCGN" in finding.explanation
    assert "'OOO «Romashka»'" in finding.explanation


def test_latin_names_get_no_script_note(screener: Screener) -> None:
    us = screener.screen(tx("Acme Widgets Inc.")).jurisdictions["US"]
    assert us.decision == Decision.clear
    assert "us.party.unreadable_name" not in {f.rule_id for f in us.findings}


def test_readings() -> None:
    assert scripts_in("华为 Huawei") == ("Han",)
    assert scripts_in("Хуавэй") == ("Cyrillic",)
    assert scripts_in("ファーウェイ") == ("Katakana",)
    assert scripts_in("Huawei Technologies") == ()
    methods = {r.method: r.text for r in readings("Лаборатория Касперского")}
    assert methods["ICAO Doc 9303"] == "Laboratoriia Kasperskogo"
    assert methods["GOST 7.79-2000 B = BGN/PCGN = Wikipedia (English)"] == (
        "Laboratoriya Kasperskogo"
    )
    assert {r.method: r.text for r in readings("Хуавэй")}["Palladius -> pinyin"] == "hua wei"
    assert {r.text for r in readings("重庆银行")} == {"chong qing yin hang"}
    assert "Ukrainian national (cyrtranslit)" in {r.method for r in readings("Київ")}


def test_one_entity_one_hit_across_imported_lists(entries) -> None:
    a = PartyMatcher(entries, "csl@aaaa")
    b = PartyMatcher(entries, "csl-sample@bbbb")
    hits = ScriptAwareMatcher(_Matchers([a, b])).match("Semiconductor Manufacturing Intl Corp")
    smic = [h for h in hits if "SMIC" in h.entry_name]
    assert len(smic) == 1
    assert smic[0].also_listed == ["csl-sample@bbbb"]


def test_a_newer_alias_file_replaces_the_bundled_one(tmp_path, monkeypatch, entries) -> None:
    newer = tmp_path / "aliases.csv"
    newer.write_text(
        "# dataset-date: 2099-01-01\n"
        "listed_name,alias,alias_type,script,source,source_date\n"
        "Cambricon Technologies Corporation Limited,寒武纪科技,aka,CJK,test row 1,2099-01-01\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CHOKEPOINT_ALIAS_FILE", str(newer))
    table = current_alias_table()
    assert table.path == newer and table.rows == 1
    older = tmp_path / "old.csv"
    older.write_text(newer.read_text().replace("2099-01-01", "2000-01-01"), encoding="utf-8")
    monkeypatch.setenv("CHOKEPOINT_ALIAS_FILE", str(older))
    assert current_alias_table().path != older
    base, _ = read_list(FIXTURES / "csl_cross_script.csv", "csl-csv")
    cam = next(e for e in with_aliases(base, read_alias_table(newer)) if "Cambricon" in e.name)
    added = [(a.name, a.source) for a in cam.aliases if a.source]
    assert added == [("寒武纪科技", "test row 1; dated 2099-01-01")]


LOOKALIKES = ["Hua Hong Semiconductor", "TSMC", "PSMC", "CXMT", "SMCI", "Micron Technology"]


@pytest.mark.skipif(not CSL.exists(), reason="needs ../shared (the full CSL)")
def test_acronyms_and_unlisted_lookalikes_on_the_full_csl() -> None:
    full, _ = read_list(CSL, "csl-compact")
    matcher = ScriptAwareMatcher(PartyMatcher(with_aliases(full, current_alias_table()), "csl@x"))
    for name in LOOKALIKES:
        assert matcher.match(name) == [], name
    for name, listed in [
        ("S.M.I.C.", "Semiconductor Manufacturing International"),
        ("NUDT", "National University of Defense Technology"),
        ("BUAA", "Beijing University of Aeronautics and Astronautics"),
        ("Хуавэй", "Huawei Technologies"),
        ("寒武纪", "Cambricon"),
    ]:
        hits = matcher.match(name)
        assert any(h.entry_name.startswith(listed) for h in hits), name


def test_parallel_screening_keeps_input_order_and_notes(entries, monkeypatch) -> None:
    from screener.parties import parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    monkeypatch.setattr(parallel, "CHUNK", 1)
    screening = PartyScreening(matcher=PartyMatcher(entries, "csl-xs@fixture"), list_versions={})
    rows = [
        ("Хуавэй", None, None),
        ("Acme Widgets", None, None),
        ("上海微电子装备有限公司", None, None),
    ]
    out = list(parallel.screen_many(screening, [*rows, rows[0]], workers=2))
    assert [r for r, _, _ in out] == [*rows, rows[0]]
    assert out[0][1][0].entry_name.startswith("Huawei Technologies") and out[0][2] is None
    assert out[1][1] == [] and out[1][2] is None
    assert out[2][1] == [] and "Han script" in out[2][2]
