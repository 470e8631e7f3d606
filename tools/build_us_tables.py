#!/usr/bin/env python3
"""Build the project's US EAR reference tables from the eCFR machine extraction.

Reads the four JSON files of the extraction in ``../shared/data/ear-2026-07-23``
(``country-chart.json``, ``country-groups.json``, ``ccl.json`` and
``license-exception-catalog.json``; see ``SOURCES.md`` there) and writes

* ``rules/us/tables/country_chart.yaml``   (15 CFR Part 738, Supp. No. 1)
* ``rules/us/tables/country_groups.yaml``  (15 CFR Part 740, Supp. No. 1)
* ``rules/us/tables/ccl.yaml``             (15 CFR Part 774, Supp. No. 1)
* ``rules/us/tables/license_exceptions.yaml`` (15 CFR Part 740)

Countries are keyed by ISO 3166-1 alpha-2 code.  EAR country names are mapped
with an explicit override table first and an *exact* (case-insensitive)
pycountry lookup second; nothing is fuzzy-matched.  Any name that cannot be
mapped, and any two different names of one table that collapse onto the same
code, abort the run with a non-zero exit status.

Usage::

    .venv/bin/python tools/build_us_tables.py [DATA_DIR] [--out OUT_DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pycountry
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "ear-2026-07-23"
DEFAULT_OUT_DIR = REPO_ROOT / "rules" / "us" / "tables"

EXTRACTION_REPO = "seelpeed-debug/export-controls-agent-mcp"
EXPECTED_ISSUE_DATE = "2026-07-23"

#: Country Chart column names as the project writes them (no space).
EXPECTED_COLUMNS: list[str] = [
    "CB1", "CB2", "CB3", "NP1", "NP2", "NS1", "NS2", "MT1",
    "RS1", "RS2", "FC1", "CC1", "CC2", "CC3", "AT1", "AT2",
]  # fmt: skip

EXPECTED_CHART_ROWS = 196
EXPECTED_CCL_ENTRIES = 633
EXPECTED_LICENSE_EXCEPTIONS = 27

#: EAR spellings (case-folded) -> ISO 3166-1 alpha-2.  Consulted before
#: pycountry.  Covers every spelling in the extraction that pycountry cannot
#: match exactly, plus the politically or orthographically sensitive ones, so
#: that their mapping is an explicit decision rather than a library default.
NAME_OVERRIDES: dict[str, str] = {
    # Country Chart / Country Group spellings
    "bahamas, the": "BS",
    "the bahamas": "BS",
    "bosnia & herzegovina": "BA",
    "brunei": "BN",
    "burma": "MM",
    "cape verde": "CV",
    "cabo verde": "CV",
    "china": "CN",
    "china (prc)": "CN",
    "congo (democratic republic of the)": "CD",
    "congo (democratic republic of)": "CD",
    "congo (republic of the)": "CG",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    # Country Group B (Supp. No. 1 to Part 740) prints "Cote d'lvoire" with a
    # lower-case L instead of a capital I; it is the same country.
    "cote d'lvoire": "CI",
    "curaçao": "CW",
    "czech republic": "CZ",
    "eswatini": "SZ",
    "gambia, the": "GM",
    "iran": "IR",
    "korea, north": "KP",
    "korea, south": "KR",
    # Kosovo has no ISO 3166-1 code; XK is the user-assigned code used by the
    # European Commission, SWIFT and most sanctions data sets.
    "kosovo": "XK",
    "laos": "LA",
    "macau": "MO",
    "macao": "MO",
    "micronesia (federated state of)": "FM",
    "micronesia, federated states of": "FM",
    "moldova": "MD",
    "russia": "RU",
    "saint kitts & nevis": "KN",
    "st. kitts and nevis": "KN",
    "st. lucia": "LC",
    "saint lucia": "LC",
    "st. vincent and the grenadines": "VC",
    "saint vincent and the grenadines": "VC",
    "sao tome & principe": "ST",
    "sao tome and principe": "ST",
    # The Country Chart misspells Seychelles as "Seycheles".
    "seycheles": "SC",
    "seychelles": "SC",
    "sint maarten (the dutch two-fifths of the island of saint martin)": "SX",
    "south sudan, republic of": "SS",
    "syria": "SY",
    "taiwan": "TW",
    "tanzania": "TZ",
    "trinidad & tobago": "TT",
    "türkiye": "TR",
    "turkiye": "TR",
    "united states": "US",
    "vatican city": "VA",
    "holy see": "VA",
    "venezuela": "VE",
    "vietnam": "VN",
    "bolivia": "BO",
    "hong kong": "HK",
    "cayman islands": "KY",
    "liechtenstein": "LI",
}

#: Codes that are valid keys although pycountry does not know them.
NON_ISO_CODES: dict[str, str] = {"XK": "Kosovo (user-assigned code)"}

#: Specific sections for the four rows that point elsewhere instead of
#: carrying X marks.  The Cuba and Iran pointers name only "part 746"; the
#: specific section is recorded from the EAR (746.2 Cuba, 746.7 Iran).
EMBARGO_SECTIONS: dict[str, list[str]] = {
    "CU": ["746.2"],
    "IR": ["746.7"],
    "KP": ["742.19", "746.4"],
    "SY": ["746.9"],
}

#: Country Group members that legitimately have no Country Chart row.
GROUP_MEMBERS_WITHOUT_CHART_ROW = {"US"}

#: Reasons for control used in Part 742 / the CCL.
REASON_CODES = ("AT", "CB", "CC", "CW", "EI", "FC", "MT", "NP", "NS", "RS",
                "SI", "SL", "SS", "UN")  # fmt: skip
_REASON_RE = re.compile(r"\b(" + "|".join(REASON_CODES) + r")(?:\s?\d)?\b")
_REASON_FILLER_RE = re.compile(r"[\s,.]+|\band\b")
_SECTION_RE = re.compile(r"\b(7\d\d\.\d+)\b")
#: A paragraph id at the start of a text row, e.g. "z.1.b Commodities ...".
_TEXT_PARAGRAPH_RE = re.compile(r"^([a-z](?:\.(?:\d+|[a-z]))+)\s")


class BuildError(Exception):
    """Raised when the extraction cannot be turned into tables faithfully."""


# --------------------------------------------------------------------------
# Country names
# --------------------------------------------------------------------------


def name_to_iso2(name: str) -> str:
    """Return the ISO 3166-1 alpha-2 code of an EAR country name.

    The override table is consulted first, then pycountry by exact,
    case-insensitive name, official name or common name.  Raises
    :class:`BuildError` if neither knows the name.
    """
    key = name.strip().casefold()
    if key in NAME_OVERRIDES:
        return NAME_OVERRIDES[key]
    if len(key) > 3:  # never let a name be taken for an alpha-2/alpha-3 code
        for country in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                if value is not None and value.casefold() == key:
                    return str(country.alpha_2)
    raise BuildError(f"cannot map country name {name!r} to ISO 3166-1 alpha-2")


def map_names(names: Iterable[str], context: str) -> dict[str, str]:
    """Map every name to its code, failing on any unmapped name or collision.

    All problems are collected and reported together.
    """
    mapping: dict[str, str] = {}
    errors: list[str] = []
    for name in names:
        try:
            mapping[name] = name_to_iso2(name)
        except BuildError as exc:
            errors.append(str(exc))
    by_code: dict[str, list[str]] = {}
    for name, code in mapping.items():
        by_code.setdefault(code, []).append(name)
    for code, same in by_code.items():
        if len(same) > 1:
            errors.append(f"names {same!r} all map to {code}")
    for code in by_code:
        if not is_known_code(code):
            errors.append(f"{code} is not an ISO 3166-1 alpha-2 code")
    if errors:
        raise BuildError(f"{context}: " + "; ".join(errors))
    return mapping


def is_known_code(code: str) -> bool:
    """True if *code* is an ISO 3166-1 alpha-2 code or an accepted extra."""
    return code in NON_ISO_CODES or pycountry.countries.get(alpha_2=code) is not None


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


class FlowList(list):  # type: ignore[type-arg]
    """A list that the YAML dumper writes in flow style (``[a, b]``)."""


def load_json(path: Path) -> dict[str, Any]:
    """Load one extraction file and check its issue date."""
    if not path.is_file():
        raise BuildError(f"missing extraction file {path}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("ecfrIssueDate") != EXPECTED_ISSUE_DATE:
        raise BuildError(
            f"{path.name}: ecfrIssueDate {data.get('ecfrIssueDate')!r}, "
            f"expected {EXPECTED_ISSUE_DATE}"
        )
    return data


def source_block(data: Mapping[str, Any], filename: str) -> dict[str, str]:
    """The ``source`` header shared by all tables."""
    return {
        "url": data["source"]["url"],
        "ecfr_issue_date": data["ecfrIssueDate"],
        "retrieved_at": data["retrievedAt"],
        "extraction": f"{EXTRACTION_REPO} src/data/{filename}",
    }


def column_name(raw: str) -> str:
    """``"CB 1"`` -> ``"CB1"``."""
    return raw.replace(" ", "")


def dedupe(items: Iterable[str]) -> list[str]:
    """Drop repeated items, keeping the first occurrence and the order."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


# --------------------------------------------------------------------------
# Country Chart
# --------------------------------------------------------------------------


def embargo_sections(code: str, pointer: str) -> list[str]:
    """Sections an embargoed row points to, checked against the pointer text."""
    if code not in EMBARGO_SECTIONS:
        raise BuildError(f"embargoed row {code} has no entry in EMBARGO_SECTIONS")
    expected = EMBARGO_SECTIONS[code]
    found = _SECTION_RE.findall(pointer)
    if found:
        if found != expected:
            raise BuildError(f"{code}: pointer names {found}, expected {expected}")
    elif "part 746" not in pointer or not all(s.startswith("746.") for s in expected):
        raise BuildError(f"{code}: pointer {pointer!r} does not support {expected}")
    return [f"15 CFR {s}" for s in expected]


def build_country_chart(data: Mapping[str, Any]) -> dict[str, Any]:
    """Supplement No. 1 to Part 738 keyed by ISO code."""
    columns = [column_name(c) for c in data["columns"]]
    if columns != EXPECTED_COLUMNS:
        raise BuildError(f"country chart columns changed: {columns}")
    countries: dict[str, Any] = data["countries"]
    embargoed: dict[str, Any] = data["embargoed"]
    if len(countries) != EXPECTED_CHART_ROWS or data["countryCount"] != len(countries):
        raise BuildError(
            f"expected {EXPECTED_CHART_ROWS} chart rows, got {len(countries)} "
            f"(countryCount {data['countryCount']})"
        )
    overlap = set(countries) & set(embargoed)
    if overlap:
        raise BuildError(f"rows both graded and embargoed: {sorted(overlap)}")
    codes = map_names([*countries, *embargoed], "country chart")
    footnote_ids = {int(k) for k in data["footnotes"]}

    rows: dict[str, Any] = {}
    for name, row in countries.items():
        marks = [column_name(m) for m in row["marks"]]
        unknown = [m for m in marks if m not in EXPECTED_COLUMNS]
        if unknown or len(set(marks)) != len(marks):
            raise BuildError(f"{name}: bad marks {row['marks']}")
        if not set(row["footnotes"]) <= footnote_ids:
            raise BuildError(f"{name}: unknown footnote in {row['footnotes']}")
        if marks != sorted(marks, key=EXPECTED_COLUMNS.index):
            raise BuildError(f"{name}: marks not in column order: {row['marks']}")
        rows[codes[name]] = {
            "name": name,
            "x": FlowList(marks),
            "footnotes": FlowList(row["footnotes"]),
        }

    emb: dict[str, Any] = {}
    for name, row in embargoed.items():
        code = codes[name]
        emb[code] = {
            "name": name,
            "pointer": row["pointer"],
            "sections": FlowList(embargo_sections(code, row["pointer"])),
            "footnotes": FlowList(row["footnotes"]),
        }
    if set(emb) != set(EMBARGO_SECTIONS):
        raise BuildError(f"embargoed rows are {sorted(emb)}, expected {sorted(EMBARGO_SECTIONS)}")

    inherit: dict[str, Any] = {}
    territory_codes = map_names(data["territoryInheritance"], "territory inheritance")
    for name, spec in data["territoryInheritance"].items():
        target = map_names([spec["row"]], f"inheritance target of {name}")[spec["row"]]
        if target not in rows:
            raise BuildError(f"{name} inherits {target}, which has no chart row")
        inherit[territory_codes[name]] = {"row": target, "basis": spec["basis"]}

    notes = dict(data["notes"])
    notes["territoryInheritance"] = data["territoryInheritanceNote"]
    return {
        "table": "us.country_chart",
        "citation": "15 CFR Part 738, Supplement No. 1 (Commerce Country Chart)",
        "source": source_block(data, "country-chart.json"),
        "columns": FlowList(columns),
        "notes": notes,
        "rows": dict(sorted(rows.items())),
        "embargoed": dict(sorted(emb.items())),
        "inherit": dict(sorted(inherit.items())),
        "footnotes": {
            int(k): v for k, v in sorted(data["footnotes"].items(), key=lambda kv: int(kv[0]))
        },
    }


# --------------------------------------------------------------------------
# Country Groups
# --------------------------------------------------------------------------


def build_country_groups(data: Mapping[str, Any], chart_codes: set[str]) -> dict[str, Any]:
    """Supplement No. 1 to Part 740, members as sorted ISO codes.

    *chart_codes* are the codes of all Country Chart rows (graded and
    embargoed); every member must be one of them, except the United States.
    """
    groups: dict[str, list[str]] = data["groups"]
    labels: dict[str, str] = data["labels"]
    if set(groups) != set(labels):
        raise BuildError(f"groups {sorted(groups)} and labels {sorted(labels)} differ")

    # byCountry is the same table pivoted; where it covers a group it must agree.
    pivot: dict[str, set[str]] = {}
    for section in data["byCountry"].values():
        for name, member_of in section.items():
            for group in member_of:
                pivot.setdefault(group, set()).add(name)
    for group, names in pivot.items():
        if set(groups.get(group, [])) != names:
            raise BuildError(f"byCountry disagrees with groups for {group}")

    out: dict[str, Any] = {}
    for group, names in groups.items():
        if len(set(names)) != len(names):
            raise BuildError(f"group {group} lists a country twice")
        codes = map_names(names, f"country group {group}")
        stray = set(codes.values()) - chart_codes - GROUP_MEMBERS_WITHOUT_CHART_ROW
        if stray:
            raise BuildError(f"group {group}: {sorted(stray)} have no Country Chart row")
        out[group] = {
            "label": labels[group],
            "members": FlowList(sorted(codes.values())),
        }
    return {
        "table": "us.country_groups",
        "citation": "15 CFR Part 740, Supplement No. 1 (Country Groups)",
        "source": source_block(data, "country-groups.json"),
        "notes": dict(data["notes"]),
        "groups": out,
    }


# --------------------------------------------------------------------------
# Commerce Control List
# --------------------------------------------------------------------------


def parse_reasons(text: str | None) -> tuple[list[str], bool]:
    """Reason-for-control codes in *text*, and whether the parse is lossless.

    ``"NS, RS, AT"`` -> ``(["NS", "RS", "AT"], True)``;
    ``"AT, foreign policy"`` -> ``(["AT"], False)``; ``"CC1"`` -> ``(["CC"], False)``.
    Lossless means the text is exactly the codes joined by ``", "``.
    """
    if text is None:
        return [], True
    codes = dedupe(m.group(1) for m in _REASON_RE.finditer(text))
    return codes, ", ".join(codes) == text


def paragraph_ids(items: list[dict[str, Any]]) -> list[str]:
    """Paragraph ids of the ``kind: item`` rows, in order, first occurrence kept.

    Rows of kind ``note`` carry note numbering ("1", "2.b.1"), not ECCN
    paragraphs, and rows of kind ``text`` have no id; both are skipped.
    """
    return dedupe(i["paragraph"] for i in items if i["kind"] == "item" and i["paragraph"])


def inferred_paragraph_ids(items: list[dict[str, Any]], listed: list[str]) -> list[str]:
    """Ids the extraction implies but does not list as items.

    Three sources, all heuristic:

    * ids printed at the start of ``kind: text`` rows
      (``"z.1.b Commodities ..."`` gives ``z.1.b``);
    * missing ancestors of an id (``a.1`` implies ``a``);
    * missing earlier siblings (``b`` implies ``a``, ``c.3`` implies ``c.1`` and
      ``c.2``), because CFR paragraphs are numbered without gaps ("[Reserved]"
      paragraphs keep their ids).  The conventional ``x``, ``y`` and ``z``
      paragraphs imply nothing before them.
    """
    known = set(listed)
    found: list[str] = []
    for item in items:
        if item["kind"] == "text":
            match = _TEXT_PARAGRAPH_RE.match(item["text"])
            if match:
                found.append(match.group(1))
    candidates: list[str] = []
    for pid in [*listed, *found]:
        parts = pid.split(".")
        for depth in range(1, len(parts) + 1):
            parent, last = parts[: depth - 1], parts[depth - 1]
            if last.isdigit():
                siblings = [str(n) for n in range(1, int(last))]
            elif last in {"x", "y", "z"}:
                siblings = []
            else:
                siblings = [chr(c) for c in range(ord("a"), ord(last))]
            candidates.extend(".".join([*parent, s]) for s in siblings)
            candidates.append(".".join(parts[:depth]))
    return [p for p in dedupe(candidates) if p not in known]


def build_ccl_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One ECCN."""
    out: dict[str, Any] = {"heading": entry["heading"]}
    reasons, lossless = parse_reasons(entry["reasonForControl"])
    out["reasons"] = FlowList(reasons)
    if not lossless:
        out["reasons_text"] = entry["reasonForControl"]
    requirements = []
    for row in entry["countryChart"]:
        req: dict[str, Any] = {"control": row["control"], "scope": row["countryChart"]}
        if row.get("singleCellRow"):
            req["single_cell_row"] = True
        if row.get("requirementCellEmptyInSource"):
            req["requirement_cell_empty_in_source"] = True
        extra = set(row) - {
            "control",
            "countryChart",
            "singleCellRow",
            "requirementCellEmptyInSource",
        }
        if extra:
            raise BuildError(f"{entry['eccn']}: unknown licence-requirement fields {sorted(extra)}")
        requirements.append(req)
    if requirements:
        out["license_requirements"] = requirements
    if entry["licenceExceptionFlags"]:
        out["license_exceptions"] = dict(entry["licenceExceptionFlags"])
    if "items" in entry:
        listed = paragraph_ids(entry["items"])
        out["paragraphs"] = FlowList(listed)
        inferred = inferred_paragraph_ids(entry["items"], listed)
        if inferred:
            out["paragraphs_inferred"] = FlowList(inferred)
    return out


def build_ccl(data: Mapping[str, Any]) -> dict[str, Any]:
    """Supplement No. 1 to Part 774 keyed by ECCN."""
    entries = data["entries"]
    if len(entries) != EXPECTED_CCL_ENTRIES or data["entryCount"] != len(entries):
        raise BuildError(f"expected {EXPECTED_CCL_ENTRIES} CCL entries, got {len(entries)}")
    deep = set(data["deepCategories"])
    out: dict[str, Any] = {}
    for entry in entries:
        eccn = entry["eccn"]
        if eccn in out:
            raise BuildError(f"ECCN {eccn} appears twice")
        if not re.fullmatch(r"[0-9][A-E][0-9]{3}", eccn):
            raise BuildError(f"malformed ECCN {eccn!r}")
        if ("items" in entry) != (entry["category"] in deep):
            raise BuildError(f"{eccn}: paragraph detail does not follow deepCategories")
        out[eccn] = build_ccl_entry(entry)
    return {
        "table": "us.ccl",
        "citation": "15 CFR Part 774, Supplement No. 1 (Commerce Control List)",
        "source": source_block(data, "ccl.json"),
        "deep_categories": FlowList(data["deepCategories"]),
        "deep_category_note": data["deepCategoryNote"],
        "entries": out,
    }


# --------------------------------------------------------------------------
# License exceptions
# --------------------------------------------------------------------------


def build_license_exceptions(data: Mapping[str, Any]) -> dict[str, Any]:
    """The Part 740 licence exceptions, one entry per section."""
    exceptions = data["exceptions"]
    if len(exceptions) != EXPECTED_LICENSE_EXCEPTIONS or data["count"] != len(exceptions):
        raise BuildError(
            f"expected {EXPECTED_LICENSE_EXCEPTIONS} exceptions, got {len(exceptions)}"
        )
    out = []
    for exc in exceptions:
        if exc["section"] != f"15 C.F.R. § {exc['sectionNumber']}":
            raise BuildError(f"inconsistent section fields in {exc}")
        out.append(
            {
                "symbols": FlowList(exc["symbols"]),
                "section": exc["sectionNumber"],
                "citation": f"15 CFR {exc['sectionNumber']}",
                "name": exc["title"],
            }
        )
    symbols = [s for e in out for s in e["symbols"]]
    if len(set(symbols)) != len(symbols):
        raise BuildError("a licence exception symbol appears twice")
    return {
        "table": "us.license_exceptions",
        "citation": "15 CFR Part 740 (License Exceptions)",
        "source": source_block(data, "license-exception-catalog.json"),
        "exceptions": out,
    }


# --------------------------------------------------------------------------
# YAML output
# --------------------------------------------------------------------------

#: YAML 1.2 numbers that PyYAML (YAML 1.1) would leave unquoted, e.g. the
#: ECCN "1E001", which a YAML 1.2 parser reads as the float 10.0.
_YAML12_NUMBER = re.compile(
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
)
_GROUP_NAME = re.compile(r"[A-Z]+:[0-9]+")


class TableDumper(yaml.SafeDumper):
    """SafeDumper that quotes every string another YAML reader could misread."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    implicit = dumper.resolve(yaml.ScalarNode, value, (True, False))
    if (
        implicit != "tag:yaml.org,2002:str"
        or _YAML12_NUMBER.fullmatch(value)
        or _GROUP_NAME.fullmatch(value)
        or value.casefold() in {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
    ):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


def _represent_flow_list(dumper: yaml.SafeDumper, value: FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


TableDumper.add_representer(str, _represent_str)
TableDumper.add_representer(FlowList, _represent_flow_list)


def dump(doc: Mapping[str, Any], path: Path, data_dir: Path, source_file: str) -> None:
    """Write *doc* to *path* with a generated-file header."""
    header = (
        f"# GENERATED by tools/build_us_tables.py from {source_file} of the eCFR\n"
        f"# extraction {data_dir.name} ({EXTRACTION_REPO}). Do not edit by hand;\n"
        "# change the generator and re-run it.\n"
    )
    body = yaml.dump(
        doc,
        Dumper=TableDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + body, encoding="utf-8")


def build_all(data_dir: Path, out_dir: Path) -> list[Path]:
    """Build and write all four tables; return the paths written."""
    chart_json = load_json(data_dir / "country-chart.json")
    groups_json = load_json(data_dir / "country-groups.json")
    ccl_json = load_json(data_dir / "ccl.json")
    exceptions_json = load_json(data_dir / "license-exception-catalog.json")

    chart = build_country_chart(chart_json)
    chart_codes = set(chart["rows"]) | set(chart["embargoed"])
    groups = build_country_groups(groups_json, chart_codes)
    ccl = build_ccl(ccl_json)
    exceptions = build_license_exceptions(exceptions_json)

    known_symbols = {s for e in exceptions["exceptions"] for s in e["symbols"]}
    for eccn, entry in ccl["entries"].items():
        unknown = set(entry.get("license_exceptions", {})) - known_symbols
        if unknown:
            raise BuildError(f"{eccn}: licence exception flags {sorted(unknown)} not in Part 740")

    outputs = [
        (chart, "country_chart.yaml", "country-chart.json"),
        (groups, "country_groups.yaml", "country-groups.json"),
        (ccl, "ccl.yaml", "ccl.json"),
        (exceptions, "license_exceptions.yaml", "license-exception-catalog.json"),
    ]
    written = []
    for doc, filename, source_file in outputs:
        path = out_dir / filename
        dump(doc, path, data_dir, source_file)
        reloaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if reloaded != _plain(doc):
            raise BuildError(f"{path} does not read back as written")
        written.append(path)
    return written


def _plain(value: Any) -> Any:
    """Convert FlowList and nested containers to plain dicts and lists."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "data_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help=f"extraction folder (default: {DEFAULT_DATA_DIR})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=f"output folder (default: {DEFAULT_OUT_DIR})",
    )
    args = parser.parse_args(argv)
    try:
        written = build_all(args.data_dir.resolve(), args.out)
    except BuildError as exc:
        print(f"build_us_tables: ERROR: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
