"""Restricted-party list import and storage: every format on real excerpts, the full shared
lists when present, the store on SQLite (and PostgreSQL when CHOKEPOINT_TEST_DATABASE_URL
is set), and the `lists` CLI."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.lists import lists_app
from schemas.lists import Alias, AliasType, EntityType, ListCode, ListEntry
from screener.parties.importers import (
    ListFormatError,
    content_hash,
    footnotes_in,
    load_list,
    read_list,
    resolve_country,
    split_embedded,
    weak_akas,
)
from screener.parties.store import ListStore, entry_hash, normalise_query

FIX = Path(__file__).parent / "fixtures" / "lists"
SHARED = Path(__file__).resolve().parents[2] / "shared/data/lists"
CSL_CSV = SHARED / "csl-2026-07-31/consolidated.csv"
CSL_COMPACT = SHARED / "csl-2026-07-31/screening-list.json"
METI_MAPPING = {
    "name": "Company or Organization",
    "aliases": "Name (native script)",
    "country": "Country or Region",
    "entry_id": "No.",
    "programs": "Type of WMD",
}
METI_OPTS = {
    "mapping": METI_MAPPING,
    "field_seps": {"programs": ","},
    "list_code": "japan_end_user",
    "source": "Japan METI End User List",
}


def by_id(entries: list[ListEntry]) -> dict[str, ListEntry]:
    return {e.entry_id: e for e in entries}


def by_name(entries: list[ListEntry], name: str) -> ListEntry:
    [entry] = [e for e in entries if e.name == name]
    return entry


def aliases(entry: ListEntry) -> set[tuple[str, AliasType]]:
    return {(a.name, a.type) for a in entry.aliases}


# --------------------------------------------------------------------------- CSL formats


@pytest.fixture(scope="module")
def csl() -> list[ListEntry]:
    entries, published = read_list(FIX / "consolidated.csv", "csl-csv")
    assert published is None  # the CSV states no date
    return entries


def test_csl_csv_entity_list_footnotes(csl: list[ListEntry]) -> None:
    ime = by_name(csl, "Chinese Academy of Sciences Institute of Microelectronics")
    assert ime.list_code is ListCode.entity_list
    assert ime.footnotes == ["FN5"]  # "...734.9(e)(3), and 744.11 of the EAR)5"
    assert ime.license_requirement is not None and ime.license_requirement.endswith("EAR)5")
    assert ime.countries == ["CN"] and ("IMECAS", AliasType.aka) in aliases(ime)
    assert by_name(csl, "Huawei Technologies Co., Ltd.").footnotes == ["FN1", "FN2"]
    assert by_name(csl, "National University of Defense Technology (NUDT)").footnotes == ["FN4"]
    assert by_name(csl, "Federal Security Service (FSB)").footnotes == ["FN3"]
    # "(See §§ 734.9(g), 746.8(a)(3) ...)": the FDP paragraph of footnote 3, marker lost
    assert by_name(csl, "Jiangxi Xintuo Enterprise Co. Ltd.").footnotes == ["FN3"]
    assert by_name(csl, "Abdul Satar Ghoura").footnotes == []
    assert by_name(csl, "Abdul Satar Ghoura").countries == ["AF", "PK"]


def test_csl_csv_lists_names_and_ids(csl: list[ListEntry]) -> None:
    assert len(csl) == 32
    codes = Counter(e.list_code for e in csl)
    assert codes[ListCode.denied_persons] == 6 and codes[ListCode.unverified] == 2
    assert codes[ListCode.military_end_user] == 2 and codes[ListCode.itar_debarred] == 1
    assert codes[ListCode.nonproliferation] == 2 and codes[ListCode.ssi] == 1
    assert codes[ListCode.cmic] == 1 and codes[ListCode.other_ofac] == 3  # CAP, NS-MBS, PLC

    dpl = by_name(csl, "KAL TEK LABS")
    assert dpl.list_code is ListCode.denied_persons and dpl.entry_id.startswith("DPL:")
    assert dpl.source == "Denied Persons List (DPL) - Bureau of Industry and Security"
    assert by_name(csl, "JOHN EDWARD MEADOWS").countries == ["GB"]  # the DPL writes "UK"
    assert by_name(csl, "STEPHEN EDWARD SMITH").countries == []  # "NM": a US state, not a country

    # persons stay "LAST, First" as published; the matcher reorders
    zahhar = by_id(csl)["SDN:9647"]
    assert zahhar.name == "ZAHHAR, Mahmoud Khaled" and zahhar.entity_type is EntityType.person
    assert ("AL-ZAHAR, Mahmoud", AliasType.aka) in aliases(zahhar)
    # the same OFAC number on two Treasury lists: two entries, two ids
    assert by_id(csl)["PLC:9647"].list_code is ListCode.other_ofac
    assert by_id(csl)["SSI:17014"].name == by_id(csl)["NS-MBS:17014"].name
    assert by_id(csl)["SDN:306"].countries == ["CH", "ES", "JP", "PA"]
    assert by_id(csl)["SDN:4238"].entity_type is EntityType.vessel
    assert by_id(csl)["SDN:15432"].entity_type is EntityType.aircraft

    # aliases written into a name are added; the name itself stays as published
    kow = by_name(csl, "KOW SENG LIM -AKA- ERIC LIM")
    assert {("KOW SENG LIM", AliasType.aka), ("ERIC LIM", AliasType.aka)} <= aliases(kow)
    lts = by_name(csl, "LTS Holding Limited (f.k.a. IPP-International Petroleum Products Ltd.)")
    assert ("IPP-International Petroleum Products Ltd.", AliasType.fka) in aliases(lts)

    crimea = by_name(csl, "Chernomorneftegaz")
    assert crimea.countries == ["UA"] and crimea.addresses == ["CRIMEA (OCCUPIED)"]
    assert by_name(csl, "Atlas Sanatgaran").list_code is ListCode.unverified
    assert by_name(csl, "AECC Aero Science & Technology Co. Ltd.").list_code is (
        ListCode.military_end_user
    )
    # two DPL orders against one name: two stable, distinct ids
    wang = [e.entry_id for e in csl if e.name == "PAYLING WANG"]
    assert len(set(wang)) == 2
    assert len({e.entry_id for e in csl}) == len(csl)


def test_csl_report_counts_unmapped_countries() -> None:
    result = load_list(FIX / "consolidated.csv", "csl-csv")
    report = result.report
    assert (report.rows_read, report.entries, report.skipped) == (32, 32, [])
    assert report.unmapped_countries == Counter({"NM": 1, "REGION: KAFIA KINGI": 1})
    digest = hashlib.sha256((FIX / "consolidated.csv").read_bytes()).hexdigest()
    assert result.content_hash == digest
    assert "32 entries" in report.summary()


def test_csl_json_and_compact_give_the_same_entries(csl: list[ListEntry]) -> None:
    as_json, published = read_list(FIX / "consolidated.json", "csl-json")
    assert as_json == csl
    assert str(published) == "2026-07-31"  # search_performed_at
    compact, published = read_list(FIX / "screening-list.json", "csl-compact")
    assert compact == csl
    assert str(published) == "2026-07-31"  # sourceGeneratedAt


def test_csl_json_variants(tmp_path: Path) -> None:
    """Layouts seen in the wild: a bare list, addresses as strings, ISN's top-level
    `country`, `alt_names` null or a string, weak akas in OFAC remarks."""
    results = [
        {
            "source": "Nonproliferation Sanctions (ISN) - State Department",
            "name": "SPC Supachoke ",
            "alt_names": ["Super Trade"],
            "country": "TH",
            "programs": ["Chemical and Biological Weapons Act"],
            "start_date": "1994-02-08",
        },
        {
            "source": "Entity List (EL) - Bureau of Industry and Security",
            "name": "Abdul Satar Ghoura",
            "alt_names": None,
            "addresses": [
                {
                    "address": "501, 5th Floor, Amanullah Sancharaki Market",
                    "city": "Kabul",
                    "state": "",
                    "postal_code": "",
                    "country": "AF",
                },
                "Zweierstrasse 35, Zurich, CH-8022, CH",
            ],
            "license_requirement": "For all items subject to the EAR. (See §744.11 of the EAR).",
        },
        {
            "source": "Specially Designated Nationals (SDN) - Treasury Department",
            "entity_number": 306,
            "type": "Entity",
            "name": "BANCO NACIONAL DE CUBA",
            "alt_names": "NATIONAL BANK OF CUBA",
            "remarks": "a.k.a. 'BNC'.",
        },
    ]
    path = tmp_path / "list.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    entries, published = read_list(path, "csl-json")
    isn, el, sdn = entries
    assert published is None
    assert isn.name == "SPC Supachoke" and isn.countries == ["TH"]
    assert str(isn.start_date) == "1994-02-08"
    assert el.countries == ["AF", "CH"] and el.aliases == []
    assert el.addresses[0] == "501, 5th Floor, Amanullah Sancharaki Market, Kabul, AF"
    assert sdn.entry_id == "SDN:306"
    assert aliases(sdn) == {("NATIONAL BANK OF CUBA", AliasType.aka), ("BNC", AliasType.weak)}


# --------------------------------------------------------------------------- OFAC legacy trio


@pytest.fixture(scope="module")
def sdn() -> dict[str, ListEntry]:
    entries, published = read_list(FIX / "ofac_sdn", "ofac-sdn")
    assert published is None
    return by_id(entries)


def test_ofac_fixture_is_as_ofac_publishes() -> None:
    for name in ("sdn.csv", "add.csv", "alt.csv"):
        data = (FIX / "ofac_sdn" / name).read_bytes()
        assert data.endswith(b"\r\n\x1a") and b"-0- " in data


def test_ofac_sdn_entries(sdn: dict[str, ListEntry]) -> None:
    assert len(sdn) == 15
    bnc = sdn["SDN:306"]
    assert bnc.list_code is ListCode.sdn and bnc.entity_type is EntityType.organization
    assert bnc.aliases == [
        Alias(name="NATIONAL BANK OF CUBA", type=AliasType.aka),
        Alias(name="BNC", type=AliasType.weak),  # remarks "a.k.a. 'BNC'."
    ]
    assert bnc.countries == ["CH", "ES", "JP", "PA"]
    assert "Zweierstrasse 35, Zurich CH-8022, Switzerland" in bnc.addresses
    assert bnc.programs == ["CUBA"]
    assert bnc.license_requirement is None  # no such column: stays None, never "-0-"

    person = sdn["SDN:2677"]
    assert person.name == "AL-ZOMOR, Abboud Abdul Latif Hassan"
    assert person.entity_type is EntityType.person and person.countries == ["EG"]
    assert {("FOOPIE", AliasType.weak), ("FUPI", AliasType.weak)} <= aliases(sdn["SDN:6925"])
    assert ("ABU-'UMAR", AliasType.weak) in aliases(sdn["SDN:3754"])
    ebano = sdn["SDN:4243"]
    assert ebano.entity_type is EntityType.vessel
    assert aliases(ebano) == {("ANA I", AliasType.weak), ("SAND SWAN", AliasType.weak)}
    assert sdn["SDN:15431"].entity_type is EntityType.aircraft
    assert aliases(sdn["SDN:10244"]) == {
        ("VERANILLO Y CIA. S. EN C.", AliasType.fka),
        ("VERANILLO S.A.", AliasType.aka),  # nka: the current name
        ("MARTIN HODWALKER M. AND CIA. S. EN C.", AliasType.aka),
    }
    assert sdn["SDN:4642"].programs == ["IRAN", "SDGT", "IFSR"]
    assert sdn["SDN:9345"].programs == ["NPWMD", "DPRK2"]
    assert sdn["SDN:1287"].countries[0] == "KP"  # "Korea, North"
    assert sdn["SDN:11269"].countries == ["MM"]  # "Burma"
    assert sdn["SDN:16715"].countries == ["UA"]
    # `-0-` (with or without its trailing space) never survives as a value
    assert all("-0-" not in e.model_dump_json() for e in sdn.values())


def test_ofac_report_and_hash() -> None:
    result = load_list(FIX / "ofac_sdn", "ofac-sdn")
    assert result.report.rows_read == 15 + 37 + 42
    assert result.report.unmapped_countries == Counter(
        {"undetermined": 1, "Region: Kafia Kingi": 1}
    )
    trio = b"".join((FIX / "ofac_sdn" / n).read_bytes() for n in ("sdn.csv", "add.csv", "alt.csv"))
    assert result.content_hash == hashlib.sha256(trio).hexdigest()
    assert content_hash(FIX / "ofac_sdn", "ofac-sdn") == result.content_hash
    # the folder or its sdn.csv
    assert (
        read_list(FIX / "ofac_sdn" / "sdn.csv", "ofac-sdn")[0]
        == load_list(FIX / "ofac_sdn", "ofac-sdn").entries
    )


def test_ofac_latin1_ctrl_z_and_nulls(tmp_path: Path) -> None:
    """Bytes as OFAC's cp1252/Latin-1 files carry them (synthetic row, not list data)."""
    folder = tmp_path / "sdn"
    folder.mkdir()
    (folder / "sdn.csv").write_bytes(
        b'100,"MU\xd1OZ, Jos\xe9",individual,SDNT,-0-,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        b"\"DOB 01 Jan 1960; a.k.a. 'PEPE'; the \x93Pepe\x94 network.\"\r\n"
        b"101,ACME S.A.,-0- ,SDNT] [SDNTK,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a"
    )
    (folder / "add.csv").write_bytes(
        b'100,1,"Calle 1","Bogot\xe1","Colombia",-0- \r\n101,2,-0- ,-0- ,"Atlantis",-0-\r\n\x1a'
    )
    result = load_list(folder, "ofac-sdn")
    pepe, acme = result.entries
    assert pepe.name == "MUÑOZ, José" and pepe.entity_type is EntityType.person
    assert pepe.aliases == [Alias(name="PEPE", type=AliasType.weak)]
    assert pepe.countries == ["CO"] and pepe.addresses == ["Calle 1, Bogotá, Colombia"]
    assert acme.entity_type is EntityType.organization and acme.programs == ["SDNT", "SDNTK"]
    assert acme.countries == [] and acme.addresses == ["Atlantis"]
    assert result.report.unmapped_countries == Counter({"Atlantis": 1})


# --------------------------------------------------------------------------- generic CSV


def test_generic_csv_meti() -> None:
    entries, published = read_list(FIX / "meti_end_user_list.csv", "csv", **METI_OPTS)
    assert published is None and len(entries) == 13
    cetc = by_id(entries)["476"]
    assert cetc.name.startswith("10th Research Institute of China Electronic Technology")
    assert cetc.aliases == [Alias(name="中国电子科技集团公司第十研究所", type=AliasType.aka)]
    assert cetc.countries == ["CN"] and cetc.programs == ["M", "CW"]
    assert cetc.list_code is ListCode.japan_end_user
    assert cetc.source == "Japan METI End User List"
    assert by_id(entries)["298"].programs == ["B", "C", "M", "N"]
    assert by_id(entries)["37"].aliases[0].name == "گروه ابوریحان"
    # a native name equal to the English one is not an alias
    assert by_id(entries)["4"].aliases == []


def test_generic_csv_cp1252_semicolons_and_derived_ids(tmp_path: Path) -> None:
    path = tmp_path / "own-list.csv"
    path.write_bytes(
        "Firma;Alias;Land;Liste\r\n"
        "Société Générale d'Études;SGE|S.G.E.;France;entity_list\r\n"
        "Pyongyang Trading;PT;Korea, North|Iran;\r\n"
        ";nameless;DE;\r\n"
        "Ghost Co;;Atlantis;bogus\r\n".encode("cp1252")
    )
    mapping = {"name": "firma", "aliases": "ALIAS", "country": "Land", "list_code": "Liste"}
    result = load_list(path, "csv", mapping=mapping, sep="|")
    soc, pyong, ghost = result.entries
    assert soc.name == "Société Générale d'Études" and soc.list_code is ListCode.entity_list
    assert [a.name for a in soc.aliases] == ["SGE", "S.G.E."] and soc.countries == ["FR"]
    assert pyong.countries == ["KP", "IR"] and pyong.list_code is ListCode.other
    assert pyong.source == "own-list.csv"
    assert ghost.list_code is ListCode.other and ghost.addresses == ["Atlantis"]
    assert soc.entry_id.startswith("ENTITY_LIST:") and pyong.entry_id.startswith("OTHER:")
    assert [s.row for s in result.report.skipped] == ["line 4"]
    assert result.report.unmapped_countries == Counter({"Atlantis": 1})
    assert any("bogus" in note for note in result.report.notes)
    # ids come from the names, so another row order gives the same ids
    assert load_list(path, "csv", mapping=mapping, sep="|").entries == result.entries


def test_generic_csv_mapping_errors() -> None:
    path = FIX / "meti_end_user_list.csv"
    with pytest.raises(ListFormatError, match=r"meti_end_user_list\.csv, line 1: .*'Company'"):
        read_list(path, "csv", mapping={"name": "Company"})
    with pytest.raises(ValueError, match="mapping"):
        read_list(path, "csv")
    with pytest.raises(ValueError, match="cannot map nickname"):
        read_list(path, "csv", mapping={"name": "No.", "nickname": "No."})
    with pytest.raises(ValueError, match="list_code"):
        read_list(path, "csv", mapping={"name": "No."}, list_code="blacklist")
    with pytest.raises(ValueError, match="takes no option"):
        read_list(FIX / "consolidated.csv", "csl-csv", mapping={"name": "name"})


# --------------------------------------------------------------------------- malformed input


def test_malformed_inputs_name_file_and_row(tmp_path: Path) -> None:
    lines = (FIX / "consolidated.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "consolidated.csv"
    bad.write_text("\n".join([*lines[:3], lines[3] + ",extra", *lines[4:]]), encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"consolidated\.csv, line 4: 30 fields where"):
        read_list(bad, "csl-csv")

    folder = tmp_path / "ofac"
    folder.mkdir()
    (folder / "sdn.csv").write_bytes(
        b"36,AEROCARIBBEAN AIRLINES,-0- ,CUBA,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
        b"173,ANGLO-CARIBBEAN CO.,-0- ,CUBA\r\n\x1a"
    )
    with pytest.raises(ListFormatError, match=r"sdn\.csv, line 2: 4 fields, expected 12"):
        read_list(folder, "ofac-sdn")
    with pytest.raises(ListFormatError, match=r"no sdn\.csv"):
        read_list(tmp_path, "ofac-sdn")

    broken = tmp_path / "consolidated.json"
    broken.write_text('{"results": [{"source": "x", "name": "y"},,]}', encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"consolidated\.json, line 1 column \d+: not valid"):
        read_list(broken, "csl-json")
    broken.write_text('{"results": [{"name": "no source"}]}', encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"results\[0\]: no source"):
        read_list(broken, "csl-json")
    with pytest.raises(ListFormatError, match="not a compact CSL snapshot"):
        read_list(broken, "csl-compact")
    with pytest.raises(ListFormatError, match="not a CSL CSV"):
        read_list(FIX / "meti_end_user_list.csv", "csl-csv")
    with pytest.raises(ListFormatError, match="no such file"):
        read_list(tmp_path / "missing.csv", "csl-csv")
    with pytest.raises(ValueError, match="unknown list format"):
        read_list(FIX / "consolidated.csv", "csl-xml")

    nameless = tmp_path / "nameless.csv"
    nameless.write_text("\n".join([lines[0], lines[1].replace("BANK OF KUNLUN CO LTD", "")]))
    result = load_list(nameless, "csl-csv")
    assert result.entries == [] and [(s.row, s.reason) for s in result.report.skipped] == [
        ("line 2", "no name")
    ]


# --------------------------------------------------------------------------- parsing helpers


@pytest.mark.parametrize(
    ("text", "expected", "inferred"),
    [
        ("For all items subject to the EAR. (See §744.11 of the EAR).", [], False),
        ("(See §§734.4(a)(9), 734.9(e)(3), and 744.11 of the EAR)5", ["FN5"], False),
        ("(See §§ 734.9(e)(2) and 744.11 of the EAR) 4", ["FN4"], False),
        ("(See §734.9(e)(2), and §744.11 of the EAR)4.", ["FN4"], False),
        ("see §§ 734.9(e)1 and 744.11 of the EAR2", ["FN1", "FN2"], False),
        ("see §§ 734.9(e) 1 and 744.11 of the EAR 2", ["FN1", "FN2"], False),
        ("(See §§ 734.9(g),3 746.8(a)(3), and 744.21(b) of the EAR)", ["FN3"], False),
        ("(See §734.9(g), 3 §746.8(a)(3), and §744.21(b) of the EAR).", ["FN3"], False),
        ("(See §§734.9(g)3, 746.8(a)(3), and 744.2l(b) of the EAR", ["FN3"], False),
        ("(See §§ 734.9(g), 746.8(a)(3), and 744.21(b) of the EAR)", ["FN3"], True),
        ("(See §§ 734.9(e)(2) and 744.11 of the EAR)", ["FN4"], True),
        ("(See § 734.9(e)(3) and 744.11 of the EAR)⁵", ["FN5"], False),
        ("Footnote 1 entity; also FN5", ["FN1", "FN5"], False),
        ("All items subject to the EAR 2016 edition", [], False),
        (None, [], False),
    ],
)
def test_footnote_forms(text: str | None, expected: list[str], inferred: bool) -> None:
    assert footnotes_in(text) == (expected, inferred)


def test_weak_akas_and_embedded_aliases() -> None:
    assert weak_akas("a.k.a. 'BNC'.") == ["BNC"]
    assert weak_akas("DOB 1951; a.k.a. 'ABU-'UMAR'.") == ["ABU-'UMAR"]
    assert weak_akas("a.k.a. ''FOOPIE''; a.k.a. ''Umar al-Qatari'; f.k.a. 'X'.") == [
        "FOOPIE",
        "'Umar al-Qatari",
        "X",
    ]
    assert weak_akas("Linked To: SOME BANK.") == [] and weak_akas(None) == []
    assert split_embedded("PEARL (A.K.A. NEI-CHIEN CHU) LI") == (
        "PEARL LI",
        [Alias(name="NEI-CHIEN CHU")],
    )
    base, extras = split_embedded(
        "Southwest Institute of Nuclear Physics and Chemistry (a.k.a., China Academy of "
        "Engineering Physics (CAEP)'s 902 Institute)"
    )
    assert base == "Southwest Institute of Nuclear Physics and Chemistry"
    assert extras == [Alias(name="China Academy of Engineering Physics (CAEP)'s 902 Institute")]
    assert split_embedded("Russian Aerospace Forces (aka VKS); and any successor, sub-unit")[0] == (
        "Russian Aerospace Forces"
    )
    assert split_embedded("AKA INTEGRAL SERVICES, S. DE R.L. DE C.V.")[1] == []
    assert split_embedded("F.K.A. Office of Scientific and Industrial Studies (OSIS)") == (
        "",
        [Alias(name="Office of Scientific and Industrial Studies (OSIS)", type=AliasType.fka)],
    )


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("CN", "CN"),
        ("UK", "GB"),
        ("XK", "XK"),
        ("NM", None),
        ("PRC", "CN"),
        ("TURKIYE", "TR"),
        ("MAN, ISLE OF", "IM"),
        ("Korea, North", "KP"),
        ("Burma", "MM"),
        ("Congo, Democratic Republic of the", "CD"),
        ("Bahamas, The", "BS"),
        ("Russia", "RU"),
        ("Iran", "IR"),
        ("United Kingdom", "GB"),
        ("REGION: WEST BANK", "PS"),
        ("CRIMEA (OCCUPIED)", "UA"),
        ("Region: Kafia Kingi", None),
        ("undetermined", None),
        ("Netherlands Antilles", None),
    ],
)
def test_resolve_country(token: str, code: str | None) -> None:
    assert resolve_country(token)[0] == code


# --------------------------------------------------------------------------- the store


@pytest.fixture
def store(db_url: str) -> Iterator[ListStore]:
    store = ListStore(db_url)
    yield store
    store.dispose()


def test_store_import_versions_entries(store: ListStore) -> None:
    version = store.import_list(FIX / "consolidated.csv", "csl-csv", "csl")
    digest = hashlib.sha256((FIX / "consolidated.csv").read_bytes()).hexdigest()
    assert (version.name, version.format, version.entries) == ("csl", "csl-csv", 32)
    assert version.content_hash == digest and version.published is None
    assert version.imported_at.tzinfo is not None
    assert store.versions() == [version]

    entries, hashes = store.entries()
    assert hashes == {"csl": digest}
    assert entries == read_list(FIX / "consolidated.csv", "csl-csv")[0]

    # the same bytes again: no new version
    assert store.import_list(FIX / "consolidated.csv", "csl-csv", "csl") == version
    assert store.history("csl") == [version]

    meti = store.import_list(FIX / "meti_end_user_list.csv", "csv", "meti", **METI_OPTS)
    sdn = store.import_list(FIX / "ofac_sdn", "ofac-sdn", "sdn")
    assert [v.name for v in store.versions()] == ["csl", "meti", "sdn"]
    by_list = store.entries_by_list(["meti", "sdn"])
    assert (len(by_list["meti"]), len(by_list["sdn"])) == (13, 15)
    assert store.entries(["sdn"])[1] == {"sdn": sdn.content_hash}
    assert meti.entries == 13 and store.entries()[1].keys() == {"csl", "meti", "sdn"}
    with pytest.raises(KeyError, match="'nope'"):
        store.entries(["csl", "nope"])


def test_store_new_version_changes_entry_hash_and_reopens(store: ListStore, tmp_path: Path) -> None:
    original = FIX / "consolidated.csv"
    first = store.import_list(original, "csl-csv", "csl")
    bnc_before = store.current_entry_hash("csl", "SDN:306")
    cmic_before = store.current_entry_hash("csl", "CMIC:30923")
    assert bnc_before is not None and cmic_before is not None

    released = store.record_adjudication(
        "Banco Nacional de Cuba",
        "csl",
        "SDN:306",
        "false_positive",
        "a.reviewer",
        "customer is a different bank",
    )
    assert released.entry_hash == bnc_before
    assert released.query_normalised == "banco nacional de cuba"

    changed = tmp_path / "consolidated.csv"
    changed.write_text(
        original.read_text(encoding="utf-8").replace(
            "BNC; NATIONAL BANK OF CUBA", "BNC; NATIONAL BANK OF CUBA; BANCO NACIONAL"
        ),
        encoding="utf-8",
    )
    second = store.import_list(changed, "csl-csv", "csl")
    assert second.content_hash != first.content_hash
    assert store.versions() == [second] and store.history("csl") == [second, first]
    assert store.current_entry_hash("csl", "SDN:306") != bnc_before  # the entry changed
    assert store.current_entry_hash("csl", "CMIC:30923") == cmic_before  # this one did not
    assert store.current_entry_hash("csl", "SDN:0") is None
    assert store.current_entry_hash("nolist", "SDN:306") is None

    # what screening.py compares: the release was given on the old content
    [latest] = store.adjudications_for("BANCO  NACIONAL DE CUBA.", "csl", "SDN:306")
    assert latest.entry_hash != store.current_entry_hash("csl", "SDN:306")

    confirmed = store.record_adjudication(
        "banco nacional de cuba", "csl", "SDN:306", "true_match", "b.reviewer", "same bank"
    )
    history = store.adjudications_for("Banco Nacional de Cuba", "csl", "SDN:306")
    assert [a.id for a in history] == [confirmed.id, released.id]  # newest first
    assert history[0].decision == "true_match" and history[0].decided_at.tzinfo is not None
    assert store.adjudications_for("Banco Nacional", "csl", "SDN:306") == []

    # going back to the first content is a new version, not a no-op against an older one
    third = store.import_list(original, "csl-csv", "csl")
    assert third.content_hash == first.content_hash and len(store.history("csl")) == 3
    assert store.current_entry_hash("csl", "SDN:306") == bnc_before

    with pytest.raises(ValueError, match="decision"):
        store.record_adjudication("x", "csl", "SDN:306", "maybe", "r", "why")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reviewer and a reason"):
        store.record_adjudication("x", "csl", "SDN:306", "true_match", " ", "why")
    with pytest.raises(LookupError, match="SDN:0"):
        store.record_adjudication("x", "csl", "SDN:0", "true_match", "r", "why")


def test_entry_hash_is_stable_and_content_sensitive() -> None:
    entry = read_list(FIX / "consolidated.csv", "csl-csv")[0][0]
    assert entry_hash(entry) == entry_hash(ListEntry.model_validate_json(entry.model_dump_json()))
    renamed = entry.model_copy(update={"aliases": [*entry.aliases, Alias(name="NEW")]})
    assert entry_hash(renamed) != entry_hash(entry)
    assert normalise_query("  Société   Générale, S.A. ") == "societe generale s a"


def test_store_default_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The default database is in the data directory, never in the working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHOKEPOINT_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHOKEPOINT_DATA_DIR", str(tmp_path / "data" / "chokepoint"))
    store = ListStore()
    assert store.url == f"sqlite:///{tmp_path / 'data' / 'chokepoint' / 'chokepoint.db'}"
    assert store.versions() == [] and (tmp_path / "data" / "chokepoint" / "chokepoint.db").is_file()
    assert not (tmp_path / "chokepoint.db").exists()
    store.dispose()
    monkeypatch.setenv("CHOKEPOINT_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert ListStore().url.endswith("env.db")


# --------------------------------------------------------------------------- CLI


def test_cli_import_and_show(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(
        lists_app, ["import", str(FIX / "consolidated.csv"), "--format", "csl-csv", "--db", db]
    )
    assert result.exit_code == 0, result.output
    version = json.loads(result.stdout.strip().splitlines()[-1])
    assert version["name"] == "csl" and version["entries"] == 32
    assert "32 entries" in result.stderr

    again = runner.invoke(
        lists_app, ["import", str(FIX / "consolidated.csv"), "--format", "csl-csv", "--db", db]
    )
    assert again.exit_code == 0 and "unchanged" in again.stderr
    assert json.loads(again.stdout) == version

    meti = runner.invoke(
        lists_app,
        [
            "import",
            str(FIX / "meti_end_user_list.csv"),
            "--format",
            "csv",
            "--db",
            db,
            "--map",
            "name=Company or Organization",
            "--map",
            "aliases=Name (native script)",
            "--map",
            "country=Country or Region",
            "--map",
            "entry_id=No.",
            "--map",
            "programs=Type of WMD",
            "--sep",
            "programs=,",
            "--list-code",
            "japan_end_user",
            "--source",
            "Japan METI End User List",
        ],
    )
    assert meti.exit_code == 0, meti.output
    assert json.loads(meti.stdout)["name"] == "meti_end_user_list"
    store = ListStore(db)
    assert store.entries_by_list(["meti_end_user_list"])["meti_end_user_list"][0].programs == ["M"]
    store.dispose()

    shown = runner.invoke(lists_app, ["show", "--db", db], env={"COLUMNS": "160"})
    assert shown.exit_code == 0
    assert "csl-csv" in shown.stdout and "meti_end_user_list" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["consolidated.csv", "--format", "csl-json"], "not valid JSON"),
        (["consolidated.csv", "--format", "csv"], "needs --map name="),
        (["consolidated.csv", "--format", "csv", "--map", "name"], "FIELD=COLUMN"),
        (["consolidated.csv", "--format", "csv", "--map", "name=Nope"], "'Nope' not in"),
        (["consolidated.csv", "--format", "csl-csv", "--map", "name=x"], "csv only"),
        (["missing.csv", "--format", "csl-csv"], "no such file"),
    ],
)
def test_cli_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    args = [str(FIX / args[0]), *args[1:], "--db", f"sqlite:///{tmp_path / 'cli.db'}"]
    result = CliRunner().invoke(lists_app, ["import", *args])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


# --------------------------------------------------------------------------- full shared lists

CSL_COUNTS = {
    "Specially Designated Nationals (SDN) - Treasury Department": 19181,
    "Entity List (EL) - Bureau of Industry and Security": 3420,
    "Denied Persons List (DPL) - Bureau of Industry and Security": 1596,
    "ITAR Debarred (DTC) - State Department": 787,
    "Sectoral Sanctions Identifications List (SSI) - Treasury Department": 286,
    "Unverified List (UVL) - Bureau of Industry and Security": 222,
    "Nonproliferation Sanctions (ISN) - State Department": 161,
    "Palestinian Legislative Council List (PLC) - Treasury Department": 78,
    "Military End User (MEU) List - Bureau of Industry and Security": 70,
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": 68,
    "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department": 51,
    "Capta List (CAP) - Treasury Department": 1,
}
needs_csl = pytest.mark.skipif(
    not (CSL_CSV.is_file() and CSL_COMPACT.is_file()), reason="shared CSL copies absent"
)


@needs_csl
def test_full_csl_csv_and_compact_agree() -> None:
    csv_result = load_list(CSL_CSV, "csl-csv")
    compact_result = load_list(CSL_COMPACT, "csl-compact")
    for result in (csv_result, compact_result):
        assert len(result.entries) == 25921 and result.report.skipped == []
        assert dict(result.report.by_source) == CSL_COUNTS
    assert compact_result.published is not None and str(compact_result.published) == "2026-07-31"
    assert csv_result.entries == compact_result.entries
    entries = csv_result.entries
    codes = Counter(e.list_code for e in entries)
    assert codes[ListCode.sdn] == 19181 and codes[ListCode.entity_list] == 3420
    assert codes[ListCode.denied_persons] == 1596 and codes[ListCode.other_ofac] == 130
    assert len({e.entry_id for e in entries}) == 25921
    footnotes = Counter(fn for e in entries for fn in e.footnotes)
    assert footnotes == Counter({"FN3": 771, "FN1": 156, "FN2": 156, "FN4": 96, "FN5": 16})
    assert all(not e.footnotes for e in entries if e.list_code is not ListCode.entity_list)


@needs_csl
def test_full_csl_store_import_time(store: ListStore, capsys: pytest.CaptureFixture[str]) -> None:
    timings = []
    for path, fmt in ((CSL_CSV, "csl-csv"), (CSL_COMPACT, "csl-compact")):
        start = time.perf_counter()
        version = store.import_list(path, fmt, fmt)
        timings.append(f"{fmt} {time.perf_counter() - start:.2f}s")
        assert version.entries == 25921
    start = time.perf_counter()
    entries, hashes = store.entries()
    timings.append(f"entries() {time.perf_counter() - start:.2f}s")
    assert len(entries) == 2 * 25921 and hashes.keys() == {"csl-csv", "csl-compact"}
    with capsys.disabled():
        print(f"\n[full CSL import, {store.engine.dialect.name}] " + ", ".join(timings))


@pytest.mark.skipif(not (SHARED / "ofac_sdn").is_dir(), reason="shared OFAC copies absent")
def test_full_ofac_files() -> None:
    old = load_list(SHARED / "ofac_sdn/2022-01-31", "ofac-sdn")
    assert len(old.entries) == 9044
    # that copy's last sdn.csv line reuses ent_num 2677: both parties kept, the second ~2
    assert old.report.notes["ent_num 2677 repeated in sdn.csv (line 9044); both kept"] == 1
    assert by_id(old.entries)["SDN:2677~2"].name == "HAMER AND NAIL CONSTRUCTION LIMITED"
    weak = sum(a.type is AliasType.weak for e in old.entries for a in e.aliases)
    assert weak > 2000
    new = load_list(SHARED / "ofac_sdn/2024-05-03", "ofac-sdn")  # sdn.csv alone, CRLF + ^Z
    assert len(new.entries) == 14965 and new.report.skipped == []


def test_fixture_copy_is_independent(tmp_path: Path) -> None:
    """A copied folder imports identically (nothing depends on the fixture's location)."""
    shutil.copytree(FIX / "ofac_sdn", tmp_path / "copy")
    assert (
        load_list(tmp_path / "copy", "ofac-sdn").entries
        == load_list(FIX / "ofac_sdn", "ofac-sdn").entries
    )
