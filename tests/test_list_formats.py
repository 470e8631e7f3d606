"""The list formats added with the formats package: OFAC sdn.xml, EU FSD export.xml, the UK
Sanctions List XML, the casslab-kaist aggregate (METI End User List), and format detection.

The XML fixtures (tests/fixtures/lists/formats/) are hand-made samples of each published
schema (their headers say so); the aggregate is read from ../shared when it is there."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from schemas.lists import AliasType, EntityType, ListCode
from screener.parties.importers import ListFormatError, detect_format, load_list

FIX = Path(__file__).parent / "fixtures" / "lists"
FORMATS = FIX / "formats"
KAIST = Path(__file__).resolve().parents[2] / "shared/data/lists/aggregated_kaist"


def _by_id(result):  # type: ignore[no-untyped-def]
    return {e.entry_id: e for e in result.entries}


def test_sdn_xml_reads_entries_as_the_legacy_csv_does() -> None:
    result = load_list(FORMATS / "sdn.xml", "ofac-xml")
    assert result.published == dt.date(2022, 1, 28)
    entries = _by_id(result)
    assert set(entries) == {"SDN:36", "SDN:306", "SDN:9999"}
    bank = entries["SDN:306"]
    assert bank.name == "BANCO NACIONAL DE CUBA"
    assert bank.list_code is ListCode.sdn and bank.entity_type is EntityType.organization
    assert {(a.name, a.type) for a in bank.aliases} == {
        ("NATIONAL BANK OF CUBA", AliasType.aka),
        ("BNC", AliasType.weak),
    }
    assert bank.countries == ["CH", "ES", "JP", "PA"]
    assert bank.addresses[0] == "Zweierstrasse 35, Zurich, CH-8022, Switzerland"
    assert bank.programs == ["CUBA"]
    person = entries["SDN:9999"]
    assert person.name == "EXAMPLOV, Ivan Petrovich"
    assert person.entity_type is EntityType.person
    assert [(a.name, a.type) for a in person.aliases] == [("EKZAMPLOV, Ivan", AliasType.fka)]
    assert person.countries == ["RU"]
    # the same entries from the legacy CSV trio: same ids, names, aliases, countries
    legacy = _by_id(load_list(FIX / "ofac_sdn", "ofac-sdn"))
    for entry_id in ("SDN:36", "SDN:306"):
        a, b = entries[entry_id], legacy[entry_id]
        assert (a.name, a.countries, a.programs) == (b.name, b.countries, b.programs)
        assert {(x.name, x.type) for x in a.aliases} == {(x.name, x.type) for x in b.aliases}


def test_eu_fsd_export() -> None:
    result = load_list(FORMATS / "eu_fsd_export.xml", "eu-fsd-xml")
    assert result.published == dt.date(2026, 11, 30)
    entries = _by_id(result)
    company = entries["EU:900111"]
    assert company.name == "Example Microelectronics JSC"
    assert company.list_code is ListCode.eu_sanctions
    assert company.entity_type is EntityType.organization
    assert [(a.name, a.type) for a in company.aliases] == [
        ("АО Пример Микроэлектроника", AliasType.aka),
        ("EMJ", AliasType.weak),
    ]
    assert company.countries == ["RU"]
    assert company.addresses == ["Proezd 4806, 6, 124498, Zelenograd, Moscow, RUSSIAN FEDERATION"]
    assert company.programs == ["UKR"]
    assert company.start_date == dt.date(2024, 6, 24)
    person = entries["EU:900222"]
    assert person.entity_type is EntityType.person
    assert person.countries == ["BY"]  # the address with country "00" (unknown) adds none
    assert person.start_date == dt.date(2023, 2, 25)  # the earliest regulation
    assert person.federal_register_notice == "2023/427 (OJ L59I); 2025/932 (OJ L)"
    assert result.report.rows_read == 2 and not result.report.skipped


def test_uk_sanctions_list_xml() -> None:
    result = load_list(FORMATS / "uk_sanctions_list.xml", "uk-sanctions-xml")
    assert result.published == dt.date(2026, 12, 1)
    entries = _by_id(result)
    company = entries["UK:RUS9001"]
    assert company.name == "EXAMPLE ELEKTRONIKA LLC"
    assert company.list_code is ListCode.uk_sanctions
    assert [a.name for a in company.aliases] == [
        "OOO EXAMPLE ELEKTRONIKA",
        "ООО Пример Электроника",
    ]
    assert company.countries == ["RU"]
    assert company.license_requirement == "Asset freeze; Trust services sanctions"
    assert company.start_date == dt.date(2023, 2, 24)
    assert company.programs == ["Russia"]
    person = entries["UK:RUS9002"]
    assert person.name == "PRIMEROV, Pyotr Ivanovich"
    assert [a.name for a in person.aliases] == ["PRIMEROV, Petr"]
    assert person.countries == ["RU"] and person.entity_type is EntityType.person


def test_kaist_layout_small(tmp_path: Path) -> None:
    records = [
        {
            "id": "rpl-1",
            "schema_version": 1,
            "entity_type": "Unknown",
            "name": {"english": "Example Institute", "native": "例研究所", "korean": "예"},
            "aliases": ["EI"],
            "countries": ["중국/홍콩", "화성"],
            "listing_rationale": "M,CW",
            "remarks": "",
            "source": {
                "list_id": "jp-meti-end-user-list",
                "list_name": "Japan METI – End User List",
            },
        },
        {
            "schema_version": 1,
            "name": {"english": "Example Research Org"},
            "countries": [],
            "source": {
                "list_id": "ca-ised-named-research-organizations",
                "list_name": "Canada ISED",
            },
        },
    ]
    path = tmp_path / "restricted_parties.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    assert detect_format(path) == "kaist-json"
    result = load_list(path, "kaist-json")
    meti, other = result.entries
    assert meti.list_code is ListCode.japan_end_user and meti.entry_id.startswith("METI:")
    assert [a.name for a in meti.aliases] == ["EI", "例研究所"]
    assert meti.countries == ["CN", "HK"]
    assert meti.programs == ["M", "CW"]
    assert result.report.unmapped_countries == {"화성": 1}
    assert other.list_code is ListCode.other
    assert result.published is None


@pytest.mark.skipif(not (KAIST / "restricted_parties.json").is_file(), reason="no ../shared")
def test_kaist_real_file_meti_end_user_list() -> None:
    result = load_list(KAIST / "restricted_parties.json", "kaist-json")
    counts: dict[ListCode, int] = {}
    for e in result.entries:
        counts[e.list_code] = counts.get(e.list_code, 0) + 1
    assert counts[ListCode.japan_end_user] == 835
    assert counts[ListCode.entity_list] == 3420
    assert counts[ListCode.military_end_user] == 56
    assert result.report.rows_read == 4940
    # an Entity List name gets the id the CSL import gives it
    csl = {e.name: e.entry_id for e in load_list(FIX / "consolidated.csv", "csl-csv").entries}
    kaist = {e.name: e.entry_id for e in result.entries if e.list_code is ListCode.entity_list}
    assert kaist["Abdul Satar Ghoura"] == csl["Abdul Satar Ghoura"]
    meti = [e for e in result.entries if e.list_code is ListCode.japan_end_user]
    assert all(e.countries for e in meti[:50])


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (FORMATS / "sdn.xml", "ofac-xml"),
        (FORMATS / "eu_fsd_export.xml", "eu-fsd-xml"),
        (FORMATS / "uk_sanctions_list.xml", "uk-sanctions-xml"),
        (FIX / "consolidated.csv", "csl-csv"),
        (FIX / "screening-list.json", "csl-json"),
        (FIX / "consolidated.json", "csl-json"),
        (FIX / "ofac_sdn" / "sdn.csv", "ofac-sdn"),
        (FIX / "meti_end_user_list.csv", None),  # a generic CSV needs a mapping
        (FIX / "ofac_sdn" / "alt.csv", None),
    ],
)
def test_detect_format(path: Path, fmt: str | None) -> None:
    assert detect_format(path) == fmt


def test_xml_damage_is_a_format_error(tmp_path: Path) -> None:
    bad = tmp_path / "sdn.xml"
    bad.write_text("<sdnList><sdnEntry><uid>1</uid></sdnList>")
    with pytest.raises(ListFormatError, match="not well-formed XML"):
        load_list(bad, "ofac-xml")
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<!DOCTYPE x [<!ENTITY a "aaaa">]><export>&a;</export>')
    with pytest.raises(ListFormatError, match="ENTITY"):
        load_list(bomb, "eu-fsd-xml")
    wrong = tmp_path / "eu.xml"
    wrong.write_text("<sdnList/>")
    with pytest.raises(ListFormatError, match="root element is <sdnList>"):
        load_list(wrong, "eu-fsd-xml")


def test_lists_refresh_folder(tmp_path: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from cli.main import app

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    for source in (
        FIX / "consolidated.csv",
        FORMATS / "sdn.xml",
        FORMATS / "eu_fsd_export.xml",
        FORMATS / "uk_sanctions_list.xml",
        FIX / "meti_end_user_list.csv",
        *(FIX / "ofac_sdn").iterdir(),
    ):
        shutil.copy(source, downloads / source.name)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    runner = CliRunner()
    out = runner.invoke(app, ["lists", "refresh", str(downloads), "--db", url])
    assert out.exit_code == 0, out.output
    rows = {r["file"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert {f: (r["status"], r.get("name")) for f, r in rows.items()} == {
        "consolidated.csv": ("imported", "csl"),
        "eu_fsd_export.xml": ("imported", "eu"),
        "meti_end_user_list.csv": ("skipped", None),
        "sdn.csv": ("imported", "sdn"),  # the legacy trio, read with add.csv and alt.csv
        "sdn.xml": ("skipped", "sdn"),  # a second file for the same name in one run
        "uk_sanctions_list.xml": ("imported", "uk"),
    }
    assert rows["consolidated.csv"]["entries"] == 32
    assert rows["eu_fsd_export.xml"]["published"] == "2026-11-30"
    again = runner.invoke(app, ["lists", "refresh", str(downloads), "--db", url])
    statuses = {r["file"]: r["status"] for r in map(json.loads, again.stdout.splitlines())}
    assert statuses["consolidated.csv"] == statuses["sdn.csv"] == "unchanged"
    assert "4 unchanged" in again.stderr
    (downloads / "eu_fsd_export.xml").write_text("<export><sanctionEntity>")
    broken = runner.invoke(app, ["lists", "refresh", str(downloads), "--db", url])
    assert broken.exit_code == 2
    row = next(r for r in map(json.loads, broken.stdout.splitlines()) if r["file"].startswith("eu"))
    assert row["status"] == "failed" and "not well-formed XML" in row["reason"]


def test_sdn_advanced_xml() -> None:
    result = load_list(FORMATS / "sdn_advanced.xml", "ofac-advanced-xml")
    assert result.published == dt.date(2022, 1, 28)
    entries = _by_id(result)
    bank = entries["SDN:306"]
    assert bank.name == "BANCO NACIONAL DE CUBA" and bank.entity_type is EntityType.organization
    assert {(a.name, a.type) for a in bank.aliases} == {
        ("NATIONAL BANK OF CUBA", AliasType.aka),
        ("BNC", AliasType.weak),
    }
    assert bank.countries == ["CH", "ES"]
    assert bank.addresses == [
        "Zweierstrasse 35, Zurich, CH-8022, Switzerland",
        "Avenida de Concha Espina 8, Madrid, E-28036, Spain",
    ]
    assert bank.programs == ["CUBA"]
    assert bank.start_date == dt.date(1963, 7, 8)
    person = entries["SDN:9999"]
    assert person.name == "EXAMPLOV, Ivan Petrovich" and person.entity_type is EntityType.person
    assert [(a.name, a.type) for a in person.aliases] == [("EKZAMPLOV, Ivan", AliasType.fka)]
    # the same entry as the classic sdn.xml gives, but for the dates only this schema has
    classic = _by_id(load_list(FORMATS / "sdn.xml", "ofac-xml"))["SDN:306"]
    assert (bank.name, bank.programs) == (classic.name, classic.programs)
    assert {a.name for a in bank.aliases} == {a.name for a in classic.aliases}
    assert detect_format(FORMATS / "sdn_advanced.xml") == "ofac-advanced-xml"
