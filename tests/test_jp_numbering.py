"""A Japanese exporter's own numbering in control_codes.JP: Export Trade Control Order
Appended Table 1 ("7の項(18)") and Goods Ordinance entries ("貨物等省令第6条第17号ル"), read
against the dated table rules/jp/tables/numbering.yaml and decided by the JP pack: to China
after the 2023-07-23 SME additions, to a Group A country, and to an End User List party."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schemas.result import Decision
from schemas.transaction import Item
from screener.engine import Screener
from screener.packs.jp_numbering import JapaneseNumbering
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.parties.screening import load_party_screening
from screener.parties.store import ListStore

FIX = Path(__file__).parent / "fixtures" / "lists"
NUMBERING = JapaneseNumbering.load(DEFAULT_RULES_DIR)
DAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("7の項(18)", "AT1 7(18)"),
        ("７の項（１８）", "AT1 7(18)"),  # full-width, as typed in Japanese
        ("輸出令別表第1の7の項(18)", "AT1 7(18)"),
        ("ETCO AT1 item 7(18)", "AT1 7(18)"),
        ("Appended Table 1 item 7 (18)", "AT1 7(18)"),
        ("貨物等省令第6条第17号ル", "GO 6(17)(ル)"),
        ("貨物等省令第六条第十七号ル", "GO 6(17)(ル)"),  # kanji numerals
        ("Goods Ordinance Art. 6 item 17 (ru)", "GO 6(17)(ル)"),
        ("Goods Ordinance Art. 6 item 17", "GO 6(17)"),
        ("第6条第17号の2", "GO 6(17-2)"),
        ("16の項", "not_listed"),  # the catch-all row: on no list
        ("3B001.c.1.a", "3B001.c.1.a"),  # Wassenaar-style numbering passes through
    ],
)
def test_native_numbering_is_read(raw: str, code: str) -> None:
    assert Item(control_codes={"JP": raw}).control_codes["JP"] == raw  # accepted as given
    reading = NUMBERING.read(raw, DAY)
    assert reading.code == code, reading.note


def test_entries_not_in_force_or_unknown_are_not_guessed() -> None:
    before = NUMBERING.read("貨物等省令第6条第17号ル", dt.date(2023, 7, 22))
    assert before.code is None and "not in force on 2023-07-22 (from 2023-07-23)" in (
        before.note or ""
    )
    unknown = NUMBERING.read("貨物等省令第6条第17号ヒ", DAY)
    assert unknown.code is None and "not in rules/jp/tables/numbering.yaml" in (unknown.note or "")
    coarse = NUMBERING.read("7の項", DAY)
    assert coarse.code == "AT1 7" and "stated to the item only" in (coarse.note or "")


def test_free_text_is_still_refused_for_jp() -> None:
    with pytest.raises(ValueError, match="control code"):
        Item(control_codes={"JP": "see the annex"})


def jp_tx(code: str, destination: str, day: str, **extra: object) -> dict[str, object]:
    return {
        "date": day,
        "exporter": {"name": "Example Lithography K.K.", "country": "JP"},
        "destination_country": destination,
        "items": [{"eccn": "3B001.f.1.b", "origin_country": "JP", "control_codes": {"JP": code}}],
        **extra,
    }


def test_native_code_decides_to_china_after_the_2023_additions(unscreened: Screener) -> None:
    after = unscreened.screen(jp_tx("貨物等省令第6条第17号ル", "CN", "2023-08-01"))
    jp = after.jurisdictions["JP"]
    assert jp.decision == Decision.license_required
    assert "jp.fefta.art48.list_control" in [f.rule_id for f in jp.findings if f.decisive]
    facts = after.derived_facts[0]
    assert facts["item.control_codes.JP"] == "GO 6(17)(ル)"
    assert (
        "Lithography (exposure) equipment added 2023-07-23" in facts["item.control_codes_read"][0]
    )
    before = unscreened.screen(jp_tx("貨物等省令第6条第17号ル", "CN", "2023-07-01"))
    (finding,) = [
        f for f in before.jurisdictions["JP"].findings if f.rule_id == "jp.fefta.art48.list_control"
    ]
    assert finding.outcome.value == "review" and finding.missing_facts == ["item.control_codes.JP"]


def test_group_a_destination_still_needs_the_list_licence(unscreened: Screener) -> None:
    jp = unscreened.screen(jp_tx("7の項(18)", "DE", "2025-06-01")).jurisdictions["JP"]
    assert jp.decision == Decision.license_required  # a bulk licence may cover it: still a licence
    assert "jp.fefta.art48.list_control" in [f.rule_id for f in jp.findings]


@pytest.fixture(scope="module")
def meti_screener(tmp_path_factory: pytest.TempPathFactory) -> Screener:
    folder = tmp_path_factory.mktemp("meti")
    store = ListStore(f"sqlite:///{folder / 'lists.db'}")
    store.import_list(
        FIX / "meti_end_user_list.csv",
        "csv",
        "meti",
        mapping={
            "name": "Company or Organization",
            "aliases": "Name (native script)",
            "country": "Country or Region",
            "entry_id": "No.",
            "programs": "Type of WMD",
        },
        field_seps={"programs": ","},
        list_code="japan_end_user",
        source="Japan METI End User List",
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("CHOKEPOINT_CACHE_DIR", str(folder / "cache"))
    parties = load_party_screening(store)
    mp.undo()
    return Screener(parties=parties)


def test_end_user_list_party_triggers_the_catch_all(meti_screener: Screener) -> None:
    end_user = {
        "role": "end_user",
        "name": "10th Research Institute of China Electronic Technology Group Corporation (CETC)",
        "country": "CN",
    }
    tx = jp_tx("16の項", "CN", "2025-06-01", parties=[end_user])
    jp = meti_screener.screen(tx).jurisdictions["JP"]
    assert jp.decision == Decision.license_required
    assert [f.rule_id for f in jp.findings if f.decisive] == ["jp.fefta.end_user_list"]
    other = jp_tx("16の項", "CN", "2025-06-01", parties=[end_user | {"name": "Unrelated Co."}])
    assert meti_screener.screen(other).jurisdictions["JP"].decision == Decision.clear
