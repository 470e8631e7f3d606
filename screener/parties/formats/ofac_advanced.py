"""`ofac-advanced-xml`: OFAC's SDN list in the Advanced Sanctions List Standard
(`SDN_ADVANCED.XML`, the "sdn_advanced" schema; OFAC's `sdn_advanced_notes.pdf`).

The file is a graph by reference: `ReferenceValueSets` holds the code tables (alias types,
party types and sub-types, name-part types, countries with their ISO-2 code, location-part
types, feature types, sanctions types, lists); `Locations/Location` the addresses
(`LocationPart` by `LocPartTypeID`, `LocationCountry` by `CountryID`);
`DistinctParties/DistinctParty/Profile` (its `ID` is the legacy files' `ent_num`) the
parties, with `Identity/Alias` (`AliasTypeID`, `Primary`, `LowQuality`) made of
`DocumentedName/DocumentedNamePart/NamePartValue` tied through `NamePartGroups` to a
name-part type (Last Name, First Name, Entity Name, Vessel Name, ...), and `Feature`s, whose
`VersionLocation` names a location; `SanctionsEntries/SanctionsEntry` (`ProfileID`,
`ListID`) the listing: `EntryEvent/Date` and `SanctionsMeasure` (`Comment` holds the
programme where the measure's type is "Program").

Entries come out as from the legacy CSV and the classic XML: id `SDN:<profile ID>`, a
person named "LAST, First Middle", low-quality aliases weak, F.K.A.s fka.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from schemas.lists import Alias, AliasType, EntityType, ListCode, ListEntry
from screener.parties.formats.common import ImportReport, ListFormatError, _dedupe
from screener.parties.formats.csl_common import list_code_for
from screener.parties.formats.ofac_xml import SOURCE
from screener.parties.formats.xml_common import attr, parse_xml, text

_TYPES = {
    "individual": EntityType.person,
    "entity": EntityType.organization,
    "vessel": EntityType.vessel,
    "aircraft": EntityType.aircraft,
}
_LOCATION_ORDER = (
    "ADDRESS1",
    "ADDRESS2",
    "ADDRESS3",
    "CITY",
    "STATE/PROVINCE",
    "POSTAL CODE",
    "REGION",
    "Unknown",
)


class _Refs:
    """The code tables: (table, ID) -> element."""

    def __init__(self, root: ET.Element) -> None:
        self.table: dict[tuple[str, str], ET.Element] = {}
        sets = root.find("ReferenceValueSets")
        for group in sets if sets is not None else []:
            for value in group:
                if value.get("ID") is not None:
                    self.table[(value.tag, value.get("ID") or "")] = value

    def text(self, kind: str, ref: str | None) -> str | None:
        element = self.table.get((kind, ref or ""))
        return text(element) if element is not None else None

    def get(self, kind: str, ref: str | None) -> ET.Element | None:
        return self.table.get((kind, ref or ""))


def _date(node: ET.Element | None) -> dt.date | None:
    if node is None:
        return None
    try:
        return dt.date(
            int(text(node, "Year") or 0), int(text(node, "Month") or 0), int(text(node, "Day") or 0)
        )
    except ValueError:
        return None


def _locations(root: ET.Element, refs: _Refs) -> dict[str, tuple[str | None, str | None]]:
    """Location ID -> (address line, ISO-2 country)."""
    out: dict[str, tuple[str | None, str | None]] = {}
    for location in root.iterfind("Locations/Location"):
        parts: dict[str, str] = {}
        for part in location.iterfind("LocationPart"):
            kind = refs.text("LocPartType", part.get("LocPartTypeID")) or "Unknown"
            if value := text(part, "LocationPartValue/Value"):
                parts[kind] = value
        country_name, iso = None, None
        country_ref = location.find("LocationCountry")
        if country_ref is not None:
            country = refs.get("Country", country_ref.get("CountryID"))
            if country is not None:
                country_name, iso = text(country), attr(country, "ISO2")
        ordered = [parts[k] for k in _LOCATION_ORDER if k in parts]
        ordered += [v for k, v in parts.items() if k not in _LOCATION_ORDER]
        if country_name and country_name != "undetermined":
            ordered.append(country_name)
        out[location.get("ID") or ""] = (", ".join(ordered) or None, iso)
    return out


def _name(alias: ET.Element, groups: dict[str, str], person: bool) -> str | None:
    parts: dict[str, list[str]] = defaultdict(list)
    for value in alias.iterfind("DocumentedName/DocumentedNamePart/NamePartValue"):
        if (piece := text(value)) is not None:
            parts[groups.get(value.get("NamePartGroupID") or "", "")].append(piece)
    for whole in ("Entity Name", "Vessel Name", "Aircraft Name"):
        if parts.get(whole):
            return " ".join(parts[whole])
    last = " ".join(parts.pop("Last Name", []))
    given = " ".join(
        " ".join(parts.pop(k, [])) for k in ("First Name", "Middle Name", "Patronymic")
    ).strip()
    rest = " ".join(v for vs in parts.values() for v in vs)
    given = " ".join(p for p in (given, rest) if p)
    if person and last and given:
        return f"{last}, {given}"
    return last or given or None


def _profile(
    profile: ET.Element,
    refs: _Refs,
    locations: dict[str, tuple[str | None, str | None]],
    report: ImportReport,
    where: str,
) -> tuple[str, ListEntry] | None:
    profile_id = profile.get("ID")
    if not profile_id:
        raise ListFormatError(report.path, "Profile without ID", where)
    sub = refs.get("PartySubType", profile.get("PartySubTypeID"))
    kind_text = (text(sub) or "") if sub is not None else ""
    if kind_text in ("", "Unknown") and sub is not None:
        kind_text = refs.text("PartyType", sub.get("PartyTypeID")) or ""
    kind = _TYPES.get(kind_text.casefold(), EntityType.unknown)
    if kind is EntityType.unknown:
        report.notes[f"unknown party type {kind_text!r}"] += 1
    identity = profile.find("Identity")
    if identity is None:
        report.skip(where, "no Identity")
        return None
    groups = {
        g.get("ID") or "": refs.text("NamePartType", g.get("NamePartTypeID")) or ""
        for g in identity.iterfind("NamePartGroups/MasterNamePartGroup/NamePartGroup")
    }
    primary: str | None = None
    aliases: list[Alias] = []
    for alias in identity.iterfind("Alias"):
        name = _name(alias, groups, kind is EntityType.person)
        if not name:
            continue
        if (alias.get("Primary") or "").casefold() == "true" and primary is None:
            primary = name
            continue
        alias_type = (refs.text("AliasType", alias.get("AliasTypeID")) or "A.K.A.").upper()
        if (alias.get("LowQuality") or "").casefold() == "true":
            aliases.append(Alias(name=name, type=AliasType.weak))
        elif alias_type.startswith("F"):
            aliases.append(Alias(name=name, type=AliasType.fka))
        else:
            aliases.append(Alias(name=name, type=AliasType.aka))
    if primary is None:
        report.skip(where, "no primary name")
        return None
    countries: list[str] = []
    addresses: list[str] = []
    for version in profile.iterfind("Feature/FeatureVersion/VersionLocation"):
        line, iso = locations.get(version.get("LocationID") or "", (None, None))
        if line and line not in addresses:
            addresses.append(line)
        if iso and iso not in countries:
            countries.append(iso)
    entry = ListEntry(
        list_code=ListCode.sdn,
        source=SOURCE,
        entry_id=f"SDN:{profile_id}",
        name=primary,
        aliases=_dedupe(primary, aliases),
        entity_type=kind,
        countries=countries,
        addresses=addresses,
    )
    return profile_id, entry


def read_sdn_advanced(
    path: Path, data: bytes, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    """Entries of `SDN_ADVANCED.XML` and its DateOfIssue."""
    root = parse_xml(path, data)
    if root.tag != "Sanctions":
        raise ListFormatError(path, f"not an OFAC advanced XML: root element is <{root.tag}>")
    refs = _Refs(root)
    locations = _locations(root, refs)
    by_profile: dict[str, ListEntry] = {}
    entries: list[ListEntry] = []
    for i, profile in enumerate(root.iterfind("DistinctParties/DistinctParty/Profile")):
        report.rows_read += 1
        found = _profile(profile, refs, locations, report, f"Profile[{i}]")
        if found is not None:
            by_profile[found[0]] = found[1]
            entries.append(found[1])
    for sanction in root.iterfind("SanctionsEntries/SanctionsEntry"):
        entry = by_profile.get(sanction.get("ProfileID") or "")
        if entry is None:
            report.notes["SanctionsEntry for a profile not in the file"] += 1
            continue
        listed = refs.text("List", sanction.get("ListID")) or ""
        if listed and listed != "SDN List":
            entry.list_code = list_code_for(listed, listed.split()[0])
        for measure in sanction.iterfind("SanctionsMeasure"):
            if refs.text("SanctionsType", measure.get("SanctionsTypeID")) == "Program":
                program = text(measure, "Comment")
                if program and program not in entry.programs:
                    entry.programs.append(program)
        dates = [d for d in (_date(e.find("Date")) for e in sanction.iterfind("EntryEvent")) if d]
        if dates:
            entry.start_date = min(dates)
    return entries, _date(root.find("DateOfIssue"))
