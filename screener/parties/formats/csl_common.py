"""What the three trade.gov CSL layouts share: source names to list codes, Entity List
footnotes in the licence requirement text, and one CSL row to a `ListEntry`.

- Entity List footnote designations are parsed from the licence requirement text, where
  the CSL prints them as bare trailing digits (`...744.11 of the EAR)5`); see `footnotes_in`.
- OFAC "weak a.k.a.s" in remarks become `AliasType.weak`; the CSL merges them into
  `alt_names` without marking, so there they are ordinary akas.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from schemas.lists import EntityType, ListCode, ListEntry
from screener.parties.formats.common import (
    ImportReport,
    _assign_derived_ids,
    _clean,
    _date,
    _split,
    _timestamp,
)
from screener.parties.formats.countries import _countries
from screener.parties.formats.names import _build_aliases, weak_akas

# --------------------------------------------------------------------------- list codes

_CODE_TO_LIST: dict[str, ListCode] = {
    "EL": ListCode.entity_list,
    "DPL": ListCode.denied_persons,
    "UVL": ListCode.unverified,
    "MEU": ListCode.military_end_user,
    "SDN": ListCode.sdn,
    "ISN": ListCode.nonproliferation,
    "DTC": ListCode.itar_debarred,
    "SSI": ListCode.ssi,
    "CMIC": ListCode.cmic,
    "FSE": ListCode.other_ofac,
    "CAP": ListCode.other_ofac,
    "NS-MBS": ListCode.other_ofac,
    "MBS": ListCode.other_ofac,
    "PLC": ListCode.other_ofac,
    "561": ListCode.other_ofac,
    "NS-ISA": ListCode.other_ofac,
}
_KEYWORDS: tuple[tuple[str, ListCode], ...] = (
    ("chinese military-industrial", ListCode.cmic),
    ("menu-based", ListCode.other_ofac),
    ("entity list", ListCode.entity_list),
    ("denied persons", ListCode.denied_persons),
    ("unverified", ListCode.unverified),
    ("military end user", ListCode.military_end_user),
    ("specially designated nationals", ListCode.sdn),
    ("nonproliferation", ListCode.nonproliferation),
    ("debarred", ListCode.itar_debarred),
    ("sectoral sanctions", ListCode.ssi),
)


def source_code(source: str) -> str | None:
    """The publisher's short code in a CSL source name: `Entity List (EL) - BIS` -> `EL`."""
    match = re.search(r"\(([A-Z0-9][A-Z0-9-]*)(?: List)?\)", source)
    return match.group(1) if match else None


def list_code_for(source: str, code: str | None = None) -> ListCode:
    """Map a CSL source name (or its short code) to a `ListCode`; unknowns -> other(_ofac)."""
    code = code or source_code(source)
    if code and code.upper() in _CODE_TO_LIST:
        return _CODE_TO_LIST[code.upper()]
    lowered = source.casefold()
    for keyword, list_code in _KEYWORDS:
        if keyword in lowered:
            return list_code
    return ListCode.other_ofac if "treasury" in lowered else ListCode.other


# --------------------------------------------------------------------------- footnotes

_SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹", "123456789")
# The digit must not run on into a number or a paragraph: "734.9(e)(2)" is a paragraph,
# "734.9(e)1" a footnote marker.
_FN_MARKERS = (
    re.compile(r"734\.9\s*\(e\)\s*,?\s*([1-5])(?![\d(])"),  # "734.9(e)1", "734.9(e) 1"
    re.compile(r"734\.9\s*\(g\)\s*,?\s*([1-5])(?![\d(])"),  # "734.9(g),3", "734.9(g), 3"
    re.compile(r"\bEAR\s*\.?\s*\)?\s*\.?\s*([1-5])(?![\d(])"),  # "EAR)5", "EAR 2", "EAR) 4"
    re.compile(r"\bFN\s?([1-5])\b", re.I),  # "FN5"
    re.compile(r"\bfootnote\s+(?:no\.\s*)?([1-5])\b", re.I),  # "Footnote 4"
)
# The foreign-direct-product paragraph each footnote triggers: cited without its marker,
# the designation is still meant (the marker digit is what CSL exports tend to lose).
_FN_PARAGRAPHS = (
    (re.compile(r"734\.9\s*\(e\)\s*\(1\)"), "FN1"),
    (re.compile(r"734\.9\s*\(g\)"), "FN3"),
    (re.compile(r"734\.9\s*\(e\)\s*\(2\)"), "FN4"),
    (re.compile(r"734\.9\s*\(e\)\s*\(3\)"), "FN5"),
)


def footnotes_in(text: str | None) -> tuple[list[str], bool]:
    """Entity List footnote designations in a licence requirement, and whether any of them
    was inferred from the cited FDP paragraph alone (no marker printed).

    Forms seen in the CSL: `...744.11 of the EAR)5`, `...EAR) 4`, `734.9(e)1 and 744.11 of
    the EAR2`, `734.9(g),3 746.8(a)(3)`, `734.9(g), 3`, `734.9(g)3,`; superscript digits
    and `FN5`/`Footnote 5` are accepted too. FN2 (on the Huawei entries) is reported as
    printed even though no rule in chokepoint keys on it.
    """
    if not text:
        return [], False
    text = text.translate(_SUPERSCRIPTS)
    found = {f"FN{m.group(1)}" for pattern in _FN_MARKERS for m in pattern.finditer(text)}
    inferred = {fn for pattern, fn in _FN_PARAGRAPHS if pattern.search(text)} - found
    return sorted(found | inferred), bool(inferred)


# --------------------------------------------------------------------------- CSL common

_CSL_TYPES = {
    "individual": EntityType.person,
    "entity": EntityType.organization,
    "vessel": EntityType.vessel,
    "aircraft": EntityType.aircraft,
}


@dataclass
class _CslRow:
    """One CSL party with its values already split into lists."""

    source: str
    name: str
    entity_number: str | None = None
    type: str | None = None
    programs: list[str] = field(default_factory=list)
    alt_names: list[str] = field(default_factory=list)
    country_tokens: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    license_requirement: str | None = None
    license_policy: str | None = None
    federal_register_notice: str | None = None
    start_date: Any = None
    end_date: Any = None
    remarks: str | None = None
    code: str | None = None  # publisher short code, when the file states it separately


def _csl_entries(
    rows: Iterable[tuple[str, _CslRow | None]], report: ImportReport
) -> list[ListEntry]:
    entries: list[ListEntry] = []
    pending: list[tuple[ListEntry, str]] = []
    for where, row in rows:
        report.rows_read += 1
        if row is None:
            continue
        if not row.name:
            report.skip(where, "no name")
            continue
        list_code = list_code_for(row.source, row.code)
        if list_code in (ListCode.other, ListCode.other_ofac):
            report.notes[f"source mapped to {list_code.value}: {row.source}"] += 1
        countries: list[str] = []
        addresses = list(row.addresses)
        _countries(row.country_tokens, report, countries, addresses)
        footnotes: list[str] = []
        if list_code == ListCode.entity_list:
            footnotes, inferred = footnotes_in(row.license_requirement)
            if inferred:
                report.notes["footnote inferred from the cited FDP paragraph (no marker)"] += 1
        kind = _CSL_TYPES.get((row.type or "").casefold(), EntityType.unknown)
        if row.type and kind is EntityType.unknown:
            report.notes[f"unknown type {row.type!r}"] += 1
        ofac = list_code in (ListCode.sdn, ListCode.ssi, ListCode.cmic, ListCode.other_ofac)
        entry = ListEntry(
            list_code=list_code,
            source=row.source,
            entry_id="",
            name=row.name,
            aliases=_build_aliases(row.name, row.alt_names, weak_akas(row.remarks) if ofac else ()),
            entity_type=kind,
            countries=countries,
            addresses=addresses,
            programs=row.programs,
            license_requirement=row.license_requirement,
            license_policy=row.license_policy,
            footnotes=footnotes,
            federal_register_notice=row.federal_register_notice,
            start_date=_date(row.start_date, report, "start_date"),
            end_date=_date(row.end_date, report, "end_date"),
        )
        # the code printed in the source name first, so every CSL format agrees
        prefix = source_code(row.source) or row.code or list_code.value.upper()
        if row.entity_number:
            entry.entry_id = f"{prefix}:{row.entity_number}"
        else:
            pending.append((entry, prefix))
        entries.append(entry)
    _assign_derived_ids(pending)
    return entries


def _csl_row(raw: dict[str, Any], source: str, tokens: list[str], addresses: list[str]) -> _CslRow:
    """The fields trade.gov's JSON and CSV layouts share (same names in both); the country
    tokens and address lines are read by each layout's own rules."""
    return _CslRow(
        source=source,
        name=_clean(raw.get("name")) or "",
        entity_number=_clean(raw.get("entity_number")),
        type=_clean(raw.get("type")),
        programs=_split(raw.get("programs")),
        alt_names=_split(raw.get("alt_names")),
        country_tokens=tokens,
        addresses=addresses,
        license_requirement=_clean(raw.get("license_requirement")),
        license_policy=_clean(raw.get("license_policy")),
        federal_register_notice=_clean(raw.get("federal_register_notice")),
        start_date=raw.get("start_date"),
        end_date=raw.get("end_date"),
        remarks=_clean(raw.get("remarks")),
    )


def _published(doc: Mapping[str, Any]) -> dt.date | None:
    """The file's own date: when it was generated, else the newest source update."""
    for key in ("sourceGeneratedAt", "search_performed_at", "generated_at", "last_updated"):
        stamp = _timestamp(doc.get(key))
        if stamp:
            return stamp
    sources = doc.get("sources_used")
    if isinstance(sources, list):
        stamps = [_timestamp(s.get("source_last_updated")) for s in sources if isinstance(s, dict)]
        return max((s for s in stamps if s), default=None)
    return None
