"""Checks of the US EAR reference tables in ``rules/us/tables``.

Two kinds of test:

* structural tests that need only the project's YAML files;
* cross-checks against the eCFR machine extraction in
  ``../shared/data/ear-2026-07-23`` (outside the repository), skipped when
  that folder is absent.

The YAML is read with PyYAML directly; nothing from the project is imported.
Country names of the extraction are mapped to ISO codes here independently of
``tools/build_us_tables.py`` (normalised exact match against pycountry plus a
small alias table), so a wrong code in the generator makes these tests fail.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TABLES = REPO / "rules" / "us" / "tables"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ear-2026-07-23"
HAVE_DATA = DATA.is_dir()

needs_extraction = pytest.mark.skipif(
    not HAVE_DATA, reason=f"eCFR extraction not available at {DATA}"
)

COLUMNS = ["CB1", "CB2", "CB3", "NP1", "NP2", "NS1", "NS2", "MT1",
           "RS1", "RS2", "FC1", "CC1", "CC2", "CC3", "AT1", "AT2"]  # fmt: skip
ISO2 = re.compile(r"[A-Z]{2}")
ECCN = re.compile(r"[0-9][A-E][0-9]{3}")
EMBARGO_SECTIONS = {
    "CU": ["15 CFR 746.2"],
    "IR": ["15 CFR 746.7"],
    "KP": ["15 CFR 742.19", "15 CFR 746.4"],
    "SY": ["15 CFR 746.9"],
}


@cache
def table(name: str) -> dict[str, Any]:
    """One project table, parsed."""
    with (TABLES / f"{name}.yaml").open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@cache
def extraction(name: str) -> dict[str, Any]:
    """One extraction file, parsed."""
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


# ---------------------------------------------------------------------------
# Independent name -> ISO mapping for the cross-checks
# ---------------------------------------------------------------------------

#: Spellings that no normalisation turns into a pycountry name.  Keys are
#: already normalised (see ``_norm``).
_ALIASES = {
    "burma": "MM",
    "brunei": "BN",
    "cape verde": "CV",
    "china (prc)": "CN",
    "congo (democratic republic of the)": "CD",
    "congo (democratic republic of)": "CD",
    "congo (republic of the)": "CG",
    "cote d'lvoire": "CI",  # typo (lower-case L) in Country Group B
    "korea, north": "KP",
    "korea, south": "KR",
    "kosovo": "XK",
    "macau": "MO",
    "micronesia (federated state of)": "FM",
    "russia": "RU",
    "seycheles": "SC",  # typo in the Country Chart
    "sint maarten (the dutch two-fifths of the island of saint martin)": "SX",
    "south sudan, republic of": "SS",
    "vatican city": "VA",
    "united states": "US",
}


def _norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()
    text = text.replace("&", "and")
    text = re.sub(r"^st\. ", "saint ", text)
    text = re.sub(r"^the ", "", text)
    text = re.sub(r", the$", "", text)
    return re.sub(r"\s+", " ", text)


@cache
def _pycountry_index() -> dict[str, str]:
    import pycountry  # imported here so the structural tests do not need it

    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index[_norm(value)] = country.alpha_2
    return index


def iso2(name: str) -> str:
    """ISO code of an EAR country name, derived independently of the tool."""
    key = _norm(name)
    if key in _ALIASES:
        return _ALIASES[key]
    index = _pycountry_index()
    if key in index:
        return index[key]
    raise AssertionError(f"test cannot map country name {name!r}")


# ---------------------------------------------------------------------------
# Structural tests (no extraction needed)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "table_id"),
    [
        ("country_chart", "us.country_chart"),
        ("country_groups", "us.country_groups"),
        ("ccl", "us.ccl"),
        ("license_exceptions", "us.license_exceptions"),
    ],
)
def test_tables_parse(name: str, table_id: str) -> None:
    data = table(name)
    assert data["table"] == table_id
    assert data["citation"].startswith("15 CFR Part 7")
    assert data["source"]["ecfr_issue_date"] == "2026-07-23"  # a string, not a date
    assert data["source"]["url"].startswith("https://www.ecfr.gov/")


def test_country_chart_shape() -> None:
    chart = table("country_chart")
    assert chart["columns"] == COLUMNS
    assert len(chart["rows"]) == 196
    assert set(chart["embargoed"]) == set(EMBARGO_SECTIONS)
    assert not set(chart["rows"]) & set(chart["embargoed"])
    footnotes = set(chart["footnotes"])
    assert footnotes == set(range(1, 11))
    for code, row in chart["rows"].items():
        assert set(row["x"]) <= set(COLUMNS), code
        assert row["x"] == sorted(row["x"], key=COLUMNS.index), code
        assert set(row["footnotes"]) <= footnotes, code
    for code, row in chart["embargoed"].items():
        assert row["sections"] == EMBARGO_SECTIONS[code]
        assert set(row["footnotes"]) <= footnotes, code
    for code, spec in chart["inherit"].items():
        assert spec["row"] in chart["rows"], code


def test_every_code_is_iso2_string() -> None:
    chart = table("country_chart")
    groups = table("country_groups")["groups"]
    codes: list[Any] = [*chart["rows"], *chart["embargoed"], *chart["inherit"]]
    codes += [spec["row"] for spec in chart["inherit"].values()]
    for group in groups.values():
        codes += group["members"]
    bad = [c for c in codes if not (isinstance(c, str) and ISO2.fullmatch(c))]
    assert not bad, bad
    # Norway must not have turned into the boolean False.
    assert "NO" in chart["rows"] and chart["rows"]["NO"]["name"] == "Norway"
    assert all("NO" in groups[g]["members"] for g in ("A:1", "A:2", "A:3", "A:4", "A:5", "B"))


def test_group_shape() -> None:
    groups = table("country_groups")["groups"]
    assert list(groups) == [
        "A:1", "A:2", "A:3", "A:4", "A:5", "A:6", "B",
        "D:1", "D:2", "D:3", "D:4", "D:5", "E:1", "E:2",
    ]  # fmt: skip
    chart = table("country_chart")
    known = set(chart["rows"]) | set(chart["embargoed"]) | {"US"}
    for name, group in groups.items():
        assert group["members"] == sorted(set(group["members"])), name
        assert set(group["members"]) <= known, name
    assert groups["E:1"]["members"] == ["IR", "KP", "SY"]
    assert groups["E:2"]["members"] == ["CU"]


def test_hong_kong_inherits_china() -> None:
    chart = table("country_chart")
    assert "HK" not in chart["rows"]
    assert chart["inherit"]["HK"]["row"] == "CN"
    assert "85 FR 83788" in chart["inherit"]["HK"]["basis"]


def test_macau_in_d1_not_d5() -> None:
    groups = table("country_groups")["groups"]
    assert "MO" in groups["D:1"]["members"]
    assert "MO" not in groups["D:5"]["members"]
    assert "CN" in groups["D:5"]["members"]


def test_ccl_shape() -> None:
    ccl = table("ccl")
    entries = ccl["entries"]
    assert len(entries) == 633
    symbols = {s for e in table("license_exceptions")["exceptions"] for s in e["symbols"]}
    for eccn, entry in entries.items():
        assert isinstance(eccn, str) and ECCN.fullmatch(eccn), eccn
        assert isinstance(entry["heading"], str) and entry["heading"], eccn
        assert all(re.fullmatch(r"[A-Z]{2}", r) for r in entry["reasons"]), eccn
        assert set(entry.get("license_exceptions", {})) <= symbols, eccn
        has_detail = eccn[0] in ccl["deep_categories"]
        assert ("paragraphs" in entry) == has_detail, eccn
        for pid in entry.get("paragraphs", []):
            assert isinstance(pid, str) and re.fullmatch(r"[a-z](\.[0-9a-z]+)*", pid), (
                eccn,
                pid,
            )
    assert "f.1" in entries["3B001"]["paragraphs"]


def test_yaml12_safe_keys() -> None:
    """ECCN keys such as 1E001 must be quoted (a YAML 1.2 reader sees a float)."""
    text = (TABLES / "ccl.yaml").read_text(encoding="utf-8")
    assert not re.search(r"^  [0-9]E[0-9]{3}:", text, re.MULTILINE)
    assert '\n  "1E001":' in text


def test_license_exceptions_shape() -> None:
    exceptions = table("license_exceptions")["exceptions"]
    assert len(exceptions) == 27
    for exc in exceptions:
        assert isinstance(exc["section"], str) and exc["section"].startswith("740.")
        assert exc["citation"] == f"15 CFR {exc['section']}"
    assert [e["section"] for e in exceptions][7] == "740.10"  # not the float 740.1


# ---------------------------------------------------------------------------
# Cross-checks against the extraction
# ---------------------------------------------------------------------------


@needs_extraction
def test_chart_rows_match_extraction() -> None:
    src = extraction("country-chart.json")
    rows = table("country_chart")["rows"]
    assert len(src["countries"]) == 196
    expected_codes = {iso2(n) for n in src["countries"]}
    assert len(expected_codes) == 196, "two chart names map to one code"
    assert set(rows) == expected_codes
    problems = []
    for name, row in src["countries"].items():
        mine = rows[iso2(name)]
        if mine["name"] != name:
            problems.append(f"{name}: name {mine['name']!r}")
        if mine["x"] != [m.replace(" ", "") for m in row["marks"]]:
            problems.append(f"{name}: x {mine['x']} != {row['marks']}")
        if mine["footnotes"] != row["footnotes"]:
            problems.append(f"{name}: footnotes {mine['footnotes']} != {row['footnotes']}")
    assert not problems, problems


@needs_extraction
def test_embargoed_rows_match_extraction() -> None:
    src = extraction("country-chart.json")["embargoed"]
    mine = table("country_chart")["embargoed"]
    assert set(mine) == {iso2(n) for n in src}
    for name, row in src.items():
        code = iso2(name)
        assert mine[code]["name"] == name
        assert mine[code]["pointer"] == row["pointer"]
        assert mine[code]["footnotes"] == row["footnotes"]
        named = re.findall(r"7\d\d\.\d+", row["pointer"])
        assert [f"15 CFR {s}" for s in named] in ([], mine[code]["sections"])


@needs_extraction
def test_chart_footnotes_inheritance_and_notes_match_extraction() -> None:
    src = extraction("country-chart.json")
    chart = table("country_chart")
    assert chart["footnotes"] == {int(k): v for k, v in src["footnotes"].items()}
    assert chart["inherit"] == {
        iso2(name): {"row": iso2(spec["row"]), "basis": spec["basis"]}
        for name, spec in src["territoryInheritance"].items()
    }
    for key, value in src["notes"].items():
        assert chart["notes"][key] == value
    assert chart["source"]["url"] == src["source"]["url"]


@needs_extraction
def test_country_groups_match_extraction() -> None:
    src = extraction("country-groups.json")
    mine = table("country_groups")
    assert list(mine["groups"]) == list(src["groups"])
    assert mine["notes"] == src["notes"]
    problems = []
    for group, names in src["groups"].items():
        expected = sorted(iso2(n) for n in names)
        if len(set(expected)) != len(names):
            problems.append(f"{group}: two names map to one code")
        if mine["groups"][group]["members"] != expected:
            got = set(mine["groups"][group]["members"])
            missing, extra = sorted(set(expected) - got), sorted(got - set(expected))
            problems.append(f"{group}: missing {missing}, extra {extra}")
        if mine["groups"][group]["label"] != src["labels"][group]:
            problems.append(f"{group}: label")
    assert not problems, problems


def _reasons(text: str | None) -> list[str]:
    codes: list[str] = []
    for code in re.findall(r"[A-Z]{2}", text or ""):
        if code not in codes:
            codes.append(code)
    return codes


def _paragraphs(items: list[dict[str, Any]]) -> list[str]:
    ids: list[str] = []
    for item in items:
        if item["kind"] == "item" and item["paragraph"] and item["paragraph"] not in ids:
            ids.append(item["paragraph"])
    return ids


@needs_extraction
def test_ccl_matches_extraction() -> None:
    src = extraction("ccl.json")
    mine = table("ccl")["entries"]
    assert len(src["entries"]) == 633
    assert set(mine) == {e["eccn"] for e in src["entries"]}
    problems = []
    for entry in src["entries"]:
        eccn = entry["eccn"]
        got = mine[eccn]
        if got["heading"] != entry["heading"]:
            problems.append(f"{eccn}: heading")
        if got["reasons"] != _reasons(entry["reasonForControl"]):
            problems.append(f"{eccn}: reasons {got['reasons']} vs {entry['reasonForControl']!r}")
        text = got.get("reasons_text", ", ".join(got["reasons"]))
        if text != (entry["reasonForControl"] or ""):
            problems.append(f"{eccn}: reasons_text {text!r} vs {entry['reasonForControl']!r}")
        requirements = [(r["control"], r["scope"]) for r in got.get("license_requirements", [])]
        if requirements != [(r["control"], r["countryChart"]) for r in entry["countryChart"]]:
            problems.append(f"{eccn}: license_requirements")
        if got.get("license_exceptions", {}) != entry["licenceExceptionFlags"]:
            problems.append(f"{eccn}: license_exceptions")
        if "items" in entry:
            if got.get("paragraphs") != _paragraphs(entry["items"]):
                problems.append(f"{eccn}: paragraphs")
        elif "paragraphs" in got:
            problems.append(f"{eccn}: paragraphs present without paragraph detail")
    assert not problems, problems


@needs_extraction
def test_license_exceptions_match_extraction() -> None:
    src = extraction("license-exception-catalog.json")["exceptions"]
    mine = table("license_exceptions")["exceptions"]
    assert [(e["symbols"], e["section"], e["name"]) for e in mine] == [
        (e["symbols"], e["sectionNumber"], e["title"]) for e in src
    ]


@needs_extraction
def test_generator_reproduces_tables(tmp_path: Path) -> None:
    """The committed tables are what the generator makes from the extraction."""
    spec = importlib.util.spec_from_file_location(
        "build_us_tables", REPO / "tools" / "build_us_tables.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build_all(DATA, tmp_path)
    for name in ("country_chart", "country_groups", "ccl", "license_exceptions"):
        fresh = (tmp_path / f"{name}.yaml").read_text(encoding="utf-8")
        assert fresh == (TABLES / f"{name}.yaml").read_text(encoding="utf-8"), (
            f"{name}.yaml is stale"
        )
