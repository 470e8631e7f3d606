"""`uk-sanctions-xml`: the FCDO's UK Sanctions List as XML (`UK-Sanctions-List.xml`).

Layout (no namespace): `<Designations>` with `DateGenerated` (DD/MM/YYYY) and one
`Designation` per listed person, entity or ship: `UniqueID` (e.g. `RUS0123`), `RegimeName`,
`IndividualEntityShip` (Individual, Entity, Ship), `DateDesignated` and `LastUpdated`
(DD/MM/YYYY), `Names/Name` (`Name1`..`Name6`, Name6 being the surname or the entity's whole
name, and `NameType`: Primary Name, Primary Name Variation, Alias),
`NonLatinNames/NonLatinName/NameNonLatinScript`, `Addresses/Address` (`AddressLine1`..`6`,
`AddressPostalCode`, `AddressCountry`), `SanctionsImposed` (`|`-separated),
`OtherInformation`, `UKStatementofReasons`. Since OFSI's Consolidated List was frozen in
January 2026 this file carries the UK asset-freeze targets too.

The id is `UK:<UniqueID>`; a person's name is written "SURNAME, Given names" like the OFAC
lists (the matcher reorders); the regime is the programme; `DateDesignated` is the listing
date.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from schemas.lists import Alias, AliasType, EntityType, ListCode, ListEntry
from screener.parties.formats.common import ImportReport, ListFormatError, _dedupe
from screener.parties.formats.countries import resolve_country
from screener.parties.formats.xml_common import children, parse_xml, text

SOURCE = "UK Sanctions List - Foreign, Commonwealth & Development Office"
_TYPES = {
    "individual": EntityType.person,
    "entity": EntityType.organization,
    "ship": EntityType.vessel,
}


def _date(value: str | None, report: ImportReport, what: str) -> dt.date | None:
    if not value:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    report.notes[f"{what} not a date, left empty: {value!r}"] += 1
    return None


def _name(node: ET.Element, person: bool) -> str | None:
    given = [text(node, f"Name{i}") for i in range(1, 6)]
    surname = text(node, "Name6")
    given_text = " ".join(p for p in given if p)
    if person and surname and given_text:
        return f"{surname}, {given_text}"
    return surname or given_text or None


def _entry(node: ET.Element, report: ImportReport, where: str) -> ListEntry | None:
    uid = text(node, "UniqueID")
    if uid is None:
        raise ListFormatError(report.path, "Designation without UniqueID", where)
    kind_text = (text(node, "IndividualEntityShip") or "").casefold()
    kind = _TYPES.get(kind_text, EntityType.unknown)
    if kind_text and kind is EntityType.unknown:
        report.notes[f"unknown IndividualEntityShip {kind_text!r}"] += 1
    person = kind is EntityType.person
    primary: str | None = None
    aliases: list[Alias] = []
    for name_node in node.iterfind("Names/Name"):
        name = _name(name_node, person)
        if not name:
            continue
        name_type = (text(name_node, "NameType") or "").casefold()
        if name_type == "primary name" and primary is None:
            primary = name
        else:
            aliases.append(Alias(name=name, type=AliasType.aka))
    if primary is None and aliases:
        primary = aliases.pop(0).name
        report.notes["no Primary Name: the first name read as the name"] += 1
    if primary is None:
        report.skip(where, "no name")
        return None
    for script in node.iterfind("NonLatinNames/NonLatinName"):
        if value := text(script, "NameNonLatinScript"):
            aliases.append(Alias(name=value, type=AliasType.aka))
    countries: list[str] = []
    addresses: list[str] = []
    for address in node.iterfind("Addresses/Address"):
        keys = [f"AddressLine{i}" for i in range(1, 7)] + ["AddressPostalCode", "AddressCountry"]
        line = ", ".join(v for v in (text(address, k) for k in keys) if v)
        if line and line not in addresses:
            addresses.append(line)
        if country := text(address, "AddressCountry"):
            code, _ = resolve_country(country)
            if code is None:
                report.unmapped_countries[country] += 1
            elif code not in countries:
                countries.append(code)
    for nationality in node.iterfind(".//Nationalities/Nationality"):
        if value := text(nationality):
            code, _ = resolve_country(value)
            if code is not None and code not in countries:
                countries.append(code)
    regimes = [r for r in (text(e) for e in children(node, "RegimeName")) if r]
    measures = text(node, "SanctionsImposed")
    return ListEntry(
        list_code=ListCode.uk_sanctions,
        source=SOURCE,
        entry_id=f"UK:{uid}",
        name=primary,
        aliases=_dedupe(primary, aliases),
        entity_type=kind,
        countries=countries,
        addresses=addresses,
        programs=regimes,
        license_requirement="; ".join(m.strip() for m in measures.split("|")) if measures else None,
        start_date=_date(text(node, "DateDesignated"), report, "DateDesignated"),
    )


def read_uk_xml(
    path: Path, data: bytes, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    """Entries of the UK Sanctions List XML and its DateGenerated."""
    root = parse_xml(path, data)
    if root.tag != "Designations":
        raise ListFormatError(path, f"not the UK Sanctions List XML: root is <{root.tag}>")
    entries = []
    for i, node in enumerate(children(root, "Designation")):
        report.rows_read += 1
        entry = _entry(node, report, f"Designation[{i}]")
        if entry is not None:
            entries.append(entry)
    return entries, _date(text(root, "DateGenerated"), report, "DateGenerated")
