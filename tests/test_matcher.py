"""Party matcher on a small list built from real CSL entries (names as published).

The entries are copied from the 2026-07-31 US Consolidated Screening List (Entity List,
NS-CMIC, SDN); the native-script alias 华为 comes from the KAIST aggregation of the Entity
List; the weak alias on the SDN entry is added here (the CSL does not mark weak aliases).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.lists import Alias, AliasType, Band, EntityType, ListCode, ListEntry, PartyHit
from screener.parties.matcher import REVIEW, PartyMatcher
from screener.parties.normalize import TokenClass, fold, normalize_name

EL = "Entity List (EL) - Bureau of Industry and Security"
CMIC = "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department"
SDN = "Specially Designated Nationals (SDN) - Treasury Department"
DPL = "Denied Persons List (DPL) - Bureau of Industry and Security"
VERSIONS = {EL: "csl@aaaa", CMIC: "csl@aaaa", SDN: "csl@aaaa", DPL: "csl@aaaa"}

ENTRIES = [
    ListEntry(
        list_code=ListCode.entity_list,
        source=EL,
        entry_id="el-huawei",
        name="Huawei Technologies Co., Ltd. (Huawei)",
        aliases=[
            Alias(name="Shenzhen Huawei Technologies"),
            Alias(name="Huawei Technology"),
            Alias(name="华为"),
        ],
        entity_type=EntityType.organization,
        countries=["CN"],
        license_requirement="For all items subject to the EAR, see §§ 734.9(e)1 and 744.11 of "
        "the EAR2",
        license_policy="Presumption of denial",
        footnotes=["FN1"],
    ),
    ListEntry(
        list_code=ListCode.cmic,
        source=CMIC,
        entry_id="30951",
        name="Semiconductor Manufacturing International Corporation",
        aliases=[
            Alias(name="Semiconductor Mfg Intl Corp"),
            Alias(name="Semiconductor Manufacturing International Corporation Limited"),
            Alias(name="SMIC"),
        ],
        entity_type=EntityType.organization,
        countries=["CN", "KY"],
    ),
    ListEntry(
        list_code=ListCode.entity_list,
        source=EL,
        entry_id="el-ymtc",
        name="Yangtze Memory Technologies Co., Ltd.",
        aliases=[
            Alias(name="Changjiang Cunchu"),
            Alias(name="YMTC"),
            Alias(name="Changjiang Storage Technology"),
        ],
        entity_type=EntityType.organization,
        countries=["CN"],
        license_requirement="For all items subject to the EAR. (See §§ 734.9(e)(3) and 744.11 of "
        "the EAR)5",
        license_policy="Presumption of denial",
        footnotes=["FN5"],
    ),
    ListEntry(
        list_code=ListCode.entity_list,
        source=EL,
        entry_id="el-spetsagregat",
        name="Limited Liability Company Zavod Spetsagregat",
        aliases=[
            Alias(name="LLC Zavod Spetsagregat"),
            Alias(name="-Obshchestvo S Ogranichennoi Otvetstvennostyu Zavod Spetsagregat"),
            Alias(name="OOO Zavod Spetsagregat"),
        ],
        entity_type=EntityType.organization,
        countries=["RU"],
        footnotes=["FN3"],
    ),
    ListEntry(
        list_code=ListCode.entity_list,
        source=EL,
        entry_id="el-plastik",
        name="Limited Liability Company Special Design and Technology Bureau Plastic",
        aliases=[
            Alias(name="OOO Spetsialnoe Konstruktorsko-Tekhnologicheskoe Byuro Plastik"),
            Alias(name="SKTB Plastik"),
            Alias(name="Plastik"),
        ],
        entity_type=EntityType.organization,
        countries=["RU"],
    ),
    ListEntry(
        list_code=ListCode.entity_list,
        source=EL,
        entry_id="el-avic612",
        name="Aviation Industry Corporation of China 612 Institute",
        entity_type=EntityType.organization,
        countries=["CN"],
    ),
    ListEntry(
        list_code=ListCode.sdn,
        source=SDN,
        entry_id="11447",
        name="LI, Fangwei",
        aliases=[Alias(name="LEE, Karl")],
        entity_type=EntityType.person,
        countries=["CN"],
    ),
    ListEntry(
        list_code=ListCode.sdn,
        source=SDN,
        entry_id="2676",
        name="AL ZAWAHIRI, Dr. Ayman",
        aliases=[
            Alias(name="AL-ZAWAHIRI, Ayman"),
            Alias(name="Abu Muhammad", type=AliasType.weak),
        ],
        entity_type=EntityType.person,
        countries=["EG"],
    ),
    ListEntry(
        list_code=ListCode.denied_persons,
        source=DPL,
        entry_id="dpl-dahua",
        name="DAHUA ELECTRONICS CORPORATION",
    ),
]


@pytest.fixture(scope="module")
def matcher() -> PartyMatcher:
    return PartyMatcher(ENTRIES, VERSIONS)


def ids(hits: list[PartyHit]) -> list[str]:
    return [h.entry_id for h in hits]


def hit_for(hits: list[PartyHit], entry_id: str) -> PartyHit:
    found = [h for h in hits if h.entry_id == entry_id]
    assert found, f"{entry_id} not among {ids(hits)}"
    return found[0]


# ---------------------------------------------------------------------- normalisation


def test_normalisation_canonicalises_legal_forms_and_abbreviations() -> None:
    a = normalize_name("Yangtze Memory Technologies Co., Ltd.")
    for variant in (
        "YANGTZE MEMORY TECHNOLOGIES COMPANY LIMITED",
        "Yangtze Memory Tech LTD",
        "yangtze memory technologies co ltd",
    ):
        assert normalize_name(variant).comparable == a.comparable
    assert a.classes[-1] is TokenClass.legal
    n = normalize_name("GUANGZHOU HAIGE COMM GRP")
    assert n.tokens == ("guangzhou", "haige", "communication", "group")
    assert [c.value for c in n.classes] == ["location", "distinctive", "generic", "generic"]
    russian = normalize_name("Obshchestvo S Ogranichennoi Otvetstvennostyu Zavod Spetsagregat")
    assert russian.tokens == normalize_name("OOO Zavod Spetsagregat").tokens


def test_normalisation_person_order_and_scripts() -> None:
    assert normalize_name("LI, Fangwei", "person").comparable == "fangwei li"
    # an organisation's comma is no surname comma
    assert normalize_name("JOMADI LOGISTICS AND CARGO, S.A. DE C.V.").flipped is False
    han = normalize_name("华为技术有限公司")
    assert han.tokens == ("hua", "wei", "technology", "llc")
    assert han.spacefree == normalize_name("Huawei Technologies Co Ltd").spacefree


def test_fold_is_a_cheap_stable_key() -> None:
    assert fold("Huawei Technologies Co., Ltd.") == "huawei technologies co ltd"
    assert fold("ＨＵＡＷＥＩ  Technologies") == "huawei technologies"
    assert fold("Tose'e  Ta'avon & Co") == "tose e ta avon and co"
    assert fold("华为") == "huawei"


# ---------------------------------------------------------------------- recall


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("YMTC", "el-ymtc"),
        ("Changjiang Storage Technology", "el-ymtc"),
        ("Shenzhen Huawei Technologies", "el-huawei"),
        ("SMIC", "30951"),
        ("Semiconductor Manufacturing International Corporation (SMIC)", "30951"),
        ("Karl Lee", "11447"),
    ],
)
def test_aliases_hit_exactly(matcher: PartyMatcher, query: str, entry_id: str) -> None:
    hit = hit_for(matcher.match(query), entry_id)
    assert hit.band is Band.exact
    assert hit.score == 1.0


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("Yangtze Memry Technologies Co Ltd", "el-ymtc"),
        ("Huawai Technologies Co., Ltd.", "el-huawei"),
        ("Semiconducter Manufacturing Internatonal Corp", "30951"),
        ("OOO Zavod Spetsagregatt", "el-spetsagregat"),
        ("Fangwie Li", "11447"),
    ],
)
def test_misspellings_hit(matcher: PartyMatcher, query: str, entry_id: str) -> None:
    hit = hit_for(matcher.match(query), entry_id)
    assert hit.band in (Band.strong, Band.review, Band.exact)
    assert hit.score >= REVIEW


def test_surname_first_person_hits(matcher: PartyMatcher) -> None:
    exact = hit_for(matcher.match("Fangwei LI"), "11447")
    assert exact.band is Band.exact  # "LI, Fangwei" reads "Fangwei LI"
    reordered = hit_for(matcher.match("Li Fangwei"), "11447")
    assert reordered.band is Band.strong  # same tokens, other order: strong, not exact
    assert 0.9 <= reordered.score < 1.0
    assert hit_for(matcher.match("Ayman al-Zawahiri"), "2676").band is Band.exact


@pytest.mark.parametrize(
    "query",
    [
        "Yangtze Memory Technologies Company Limited",
        "YANGTZE MEMORY TECHNOLOGIES LTD",
        "Yangtze Memory Technologies Co Ltd",
        "Yangtze Memory Technologies Co., Ltd",
    ],
)
def test_legal_form_variants_hit_exactly(matcher: PartyMatcher, query: str) -> None:
    assert hit_for(matcher.match(query), "el-ymtc").band is Band.exact


def test_legal_form_missing_or_reordered_still_hits(matcher: PartyMatcher) -> None:
    assert hit_for(matcher.match("Yangtze Memory Technologies"), "el-ymtc").band is Band.strong
    assert hit_for(matcher.match("Zavod Spetsagregat LLC"), "el-spetsagregat").score >= 0.9


def test_chinese_script_and_pinyin_variants_hit(matcher: PartyMatcher) -> None:
    native = hit_for(matcher.match("华为"), "el-huawei")
    assert native.band is Band.exact
    assert native.matched_alias == "华为"
    # "Huawei Technologies Co., Ltd." written in Chinese: 技术 = technology, 有限公司 = Co., Ltd.
    assert hit_for(matcher.match("华为技术有限公司"), "el-huawei").score >= 0.9
    # pinyin written syllable by syllable
    assert hit_for(matcher.match("Chang Jiang Cun Chu"), "el-ymtc").band is Band.exact
    assert hit_for(matcher.match("Hua Wei Technology"), "el-huawei").band is Band.exact


# ---------------------------------------------------------------------- precision


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        # a different Shenzhen technology company: city, industry and legal form alike
        ("Shenzhen Huaxin Technology Co., Ltd.", "el-huawei"),
        # YOFC, a different Wuhan company sharing "Yangtze"
        ("Yangtze Optical Fibre and Cable Joint Stock Limited Company", "el-ymtc"),
        # SMEC (Shaoxing), not SMIC
        ("Semiconductor Manufacturing Electronics (Shaoxing) Corporation", "30951"),
        ("OOO Zavod Spetsmash", "el-spetsagregat"),
        ("Huaxia Electronics Corporation", "dpl-dahua"),
        ("Li Fang", "11447"),
        ("Aviation Industry Corporation of China 613 Institute", "el-avic612"),
    ],
)
def test_look_alikes_do_not_hit(matcher: PartyMatcher, query: str, entry_id: str) -> None:
    assert entry_id not in ids(matcher.match(query))


def test_short_alias_does_not_match_every_name_containing_it(matcher: PartyMatcher) -> None:
    assert hit_for(matcher.match("Plastik"), "el-plastik").band is Band.exact
    for query in (
        "Plastik Kozmetik Sanayi",
        "Kazan Plastik Elektronika",
        "SMIC Analytics",
        "Smicron Electronics",
    ):
        hits = matcher.match(query)
        assert "el-plastik" not in ids(hits) and "30951" not in ids(hits), query


def test_numbers_must_agree(matcher: PartyMatcher) -> None:
    good = matcher.match("Aviation Industry Corp. of China 612 Institute")
    assert hit_for(good, "el-avic612").band is Band.exact
    assert "el-avic612" not in ids(matcher.match("AVIC 613 Institute"))


def test_weak_alias_only_exact(matcher: PartyMatcher) -> None:
    hit = hit_for(matcher.match("ABU MUHAMMAD"), "2676")
    assert hit.alias_type is AliasType.weak
    assert hit.band is Band.exact
    for query in ("Abu Muhamad", "Abu Muhammad Trading", "Muhammad Abu"):
        assert "2676" not in ids(matcher.match(query)), query


# ---------------------------------------------------------------------- qualifiers


def test_country_only_adjusts_when_given(matcher: PartyMatcher) -> None:
    query = "Yangtze Memry Technologies"
    plain = hit_for(matcher.match(query), "el-ymtc")
    assert plain.adjustments == []
    with_cn = hit_for(matcher.match(query, country="CN"), "el-ymtc")
    assert with_cn.score == pytest.approx(plain.score + 0.05, abs=1e-3)
    assert with_cn.adjustments == ["country CN matches entry +0.05"]
    by_name = hit_for(matcher.match(query, country="China"), "el-ymtc")
    assert by_name.score == with_cn.score
    # a different country lowers the score but never below review
    with_us = hit_for(matcher.match(query, country="US"), "el-ymtc")
    assert REVIEW <= with_us.score < plain.score
    assert "not among entry countries (CN)" in with_us.adjustments[0]


def test_missing_country_never_lowers_a_score(matcher: PartyMatcher) -> None:
    # the DPL entry lists no country: a given country changes nothing
    plain = hit_for(matcher.match("Dahua Electronics Corp"), "dpl-dahua")
    given = hit_for(matcher.match("Dahua Electronics Corp", country="CN"), "dpl-dahua")
    assert given.score == plain.score and given.adjustments == []


def test_country_from_address(matcher: PartyMatcher) -> None:
    hit = hit_for(
        matcher.match(
            "Yangtze Memry Technologies", address="88 Weilai 3rd Road, Wuhan, Hubei, China"
        ),
        "el-ymtc",
    )
    assert hit.adjustments == ["country CN (from address) matches entry +0.05"]


def test_address_qualifier_needs_more_than_a_city() -> None:
    entry = ENTRIES[2].model_copy(
        update={"addresses": ["No. 88 Weilai 3rd Road, East Lake High-tech Zone, Wuhan, Hubei"]}
    )
    m = PartyMatcher([entry], "csl@aaaa")
    base = hit_for(m.match("Yangtze Memry Technologies"), "el-ymtc")
    same = hit_for(
        m.match("Yangtze Memry Technologies", address="88 Weilai 3rd Rd, Wuhan"), "el-ymtc"
    )
    assert same.score == pytest.approx(base.score + 0.05, abs=1e-3)
    assert same.adjustments[0].startswith("address similar to an entry address")
    city = hit_for(m.match("Yangtze Memry Technologies", address="Wuhan"), "el-ymtc")
    assert city.score == base.score


# ---------------------------------------------------------------------- explanation


def test_hit_explains_its_alignment(matcher: PartyMatcher) -> None:
    hit = hit_for(matcher.match("Huawai Technologies Co Ltd"), "el-huawei")
    pairs = {(t.query, t.listed): t for t in hit.alignment}
    typo = pairs[("huawai", "huawei")]
    assert typo.similarity == pytest.approx(5 / 6, abs=1e-3)
    assert typo.weight > pairs[("technologies", "technologies")].weight > 0
    assert pairs[("technologies", "technologies")].similarity == 1.0
    assert pairs[("co ltd", "co ltd")].similarity == 1.0
    # tokens the list does not have are shown with no partner and their penalty weight
    extra = hit_for(matcher.match("Huawei Technologies Co Ltd Beijing Branch"), "el-huawei")
    pairs = {(t.query, t.listed): t for t in extra.alignment}
    assert pairs[("huawei", "huawei")].similarity == 1.0
    assert pairs[("beijing", None)].similarity == 0.0
    assert pairs[("branch", None)].weight > 0
    assert extra.band is Band.strong
    # a list token the query left out is shown with no query partner
    short = hit_for(matcher.match("Spetsagregat Zavod"), "el-spetsagregat")
    assert any(t.query is None and t.listed for t in short.alignment)


def test_hit_copies_the_entry(matcher: PartyMatcher) -> None:
    hit = hit_for(matcher.match("Huawei Technologies Co., Ltd."), "el-huawei")
    assert hit.list_code is ListCode.entity_list
    assert hit.source == EL
    assert hit.entry_name == "Huawei Technologies Co., Ltd. (Huawei)"
    # matched through the name without its parenthesis; the listed alias is reported
    assert hit.matched_alias == "Huawei Technologies Co., Ltd. (Huawei)"
    assert hit.alias_type is AliasType.primary
    assert hit.footnotes == ["FN1"]
    assert hit.license_policy == "Presumption of denial"
    assert hit.license_requirement is not None and "734.9(e)1" in hit.license_requirement
    assert hit.list_version == "csl@aaaa"
    assert hit.query == "Huawei Technologies Co., Ltd."


def test_one_hit_per_entry_best_first(matcher: PartyMatcher) -> None:
    hits = matcher.match("Huawei Technology")
    assert ids(hits).count("el-huawei") == 1
    assert hits == sorted(hits, key=lambda h: -h.score)
    assert all(h.score >= REVIEW for h in hits)


# ---------------------------------------------------------------------- index


def test_versions_must_cover_every_entry() -> None:
    with pytest.raises(ValueError, match="no list version"):
        PartyMatcher(ENTRIES, {EL: "csl@aaaa"})
    by_code = PartyMatcher(ENTRIES[:1], {"entity_list": "el@bbbb"})
    assert by_code.match("YMTC") == []
    assert by_code.match("Huawei Technology")[0].list_version == "el@bbbb"


def test_save_and_load_give_the_same_hits(matcher: PartyMatcher, tmp_path: Path) -> None:
    path = tmp_path / "index.pkl"
    matcher.save(path)
    loaded = PartyMatcher.load(path)
    for query in ("Huawai Technologies", "Li Fangwei", "华为", "Plastik"):
        assert loaded.match(query) == matcher.match(query)
    stats = loaded.index_stats()
    assert stats["entries"] == len(ENTRIES)
    assert stats["weak_aliases"] == 1
    assert stats["aliases"] > len(ENTRIES)
