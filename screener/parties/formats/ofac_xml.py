"""`ofac-xml`: OFAC's SDN list in its classic XML form (`sdn.xml`, the `sdnList` schema).

Layout (namespace ignored: OFAC moved it from `http://tempuri.org/sdnList.xsd` to the
Sanctions List Service's): `publshInformation/Publish_Date` (MM/DD/YYYY), then one
`sdnEntry` per listed party with `uid`, `firstName`, `lastName`, `title`, `sdnType`
(Individual, Entity, Vessel, Aircraft), `remarks`, `programList/program`, `akaList/aka`
(`uid`, `type` a.k.a./f.k.a./n.k.a., `category` strong/weak, `lastName`, `firstName`),
`addressList/address` (`address1..3`, `city`, `stateOrProvince`, `postalCode`, `country`),
`nationalityList` and `citizenshipList` (`country`).

The `uid` is the legacy files' `ent_num`, so the id is `SDN:<uid>` as there: a list imported
from sdn.csv and later from sdn.xml keeps its entry ids (and adjudications). Individuals are
named "LAST, First" as in the legacy files. The advanced XML (SDN_ADVANCED.XML) has its own
reader, `ofac_advanced.py`.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from schemas.lists import Alias, AliasType, EntityType, ListCode, ListEntry
from screener.parties.formats.common import ImportReport, ListFormatError, _dedupe
from screener.parties.formats.countries import resolve_country
from screener.parties.formats.names import _build_aliases, weak_akas
from screener.parties.formats.xml_common import children, parse_xml, text

SOURCE = "Specially Designated Nationals (SDN) - Treasury Department"
_TYPES = {
    "individual": EntityType.person,
    "entity": EntityType.organization,
    "vessel": EntityType.vessel,
    "aircraft": EntityType.aircraft,
}


def _person_name(node: ET.Element) -> str | None:
    last, first = text(node, "lastName"), text(node, "firstName")
    if last and first:
        return f"{last}, {first}"
    return last or first


def _published(root: ET.Element, report: ImportReport) -> dt.date | None:
    stamp = text(root, "publshInformation/Publish_Date")
    if stamp is None:
        return None
    try:
        return dt.datetime.strptime(stamp, "%m/%d/%Y").date()
    except ValueError:
        report.notes[f"Publish_Date not MM/DD/YYYY, left empty: {stamp!r}"] += 1
        return None


def _alias(aka: ET.Element, report: ImportReport) -> Alias | None:
    name = _person_name(aka)
    if not name:
        return None
    if (text(aka, "category") or "").casefold() == "weak":
        return Alias(name=name, type=AliasType.weak)
    kind = (text(aka, "type") or "a.k.a.").casefold()
    if kind.startswith("f"):
        return Alias(name=name, type=AliasType.fka)
    if kind not in ("a.k.a.", "n.k.a."):
        report.notes[f"unknown aka type {kind!r} read as aka"] += 1
    return Alias(name=name, type=AliasType.aka)


def _entry(node: ET.Element, report: ImportReport, where: str) -> ListEntry | None:
    uid = text(node, "uid")
    name = _person_name(node)
    if not uid:
        raise ListFormatError(report.path, "sdnEntry without uid", where)
    if not name:
        report.skip(where, "no name")
        return None
    kind_text = (text(node, "sdnType") or "").casefold()
    kind = _TYPES.get(kind_text, EntityType.unknown)
    if kind_text and kind is EntityType.unknown:
        report.notes[f"unknown sdnType {kind_text!r}"] += 1
    countries: list[str] = []
    addresses: list[str] = []
    for address in node.iterfind("addressList/address"):
        parts = [
            text(address, key)
            for key in ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode")
        ]
        country = text(address, "country")
        line = ", ".join(p for p in [*parts, country] if p)
        if line and line not in addresses:
            addresses.append(line)
        if country:
            _add_country(country, countries, report)
    for path in ("nationalityList/nationality", "citizenshipList/citizenship"):
        for item in node.iterfind(path):
            if country := text(item, "country"):
                _add_country(country, countries, report)
    aliases = [a for a in (_alias(aka, report) for aka in node.iterfind("akaList/aka")) if a]
    strong = [a for a in aliases if a.type != AliasType.weak]
    weak = [a for a in aliases if a.type == AliasType.weak]
    weak += [Alias(name=w, type=AliasType.weak) for w in weak_akas(text(node, "remarks"))]
    return ListEntry(
        list_code=ListCode.sdn,
        source=SOURCE,
        entry_id=f"SDN:{uid}",
        name=name,
        aliases=_dedupe(name, [*_build_aliases(name, []), *strong, *weak]),
        entity_type=kind,
        countries=countries,
        addresses=addresses,
        programs=[p for p in (text(e) for e in node.iterfind("programList/program")) if p],
    )


def _add_country(token: str, countries: list[str], report: ImportReport) -> None:
    code, _ = resolve_country(token)
    if code is None:
        report.unmapped_countries[token] += 1
    elif code not in countries:
        countries.append(code)


def read_sdn_xml(
    path: Path, data: bytes, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    """Entries of a classic `sdn.xml` and its Publish_Date."""
    root = parse_xml(path, data)
    if root.tag != "sdnList":
        raise ListFormatError(path, f"not an OFAC sdn.xml: root element is <{root.tag}>")
    entries = []
    for i, node in enumerate(children(root, "sdnEntry")):
        report.rows_read += 1
        entry = _entry(node, report, f"sdnEntry[{i}]")
        if entry is not None:
            entries.append(entry)
    stated = text(root, "publshInformation/Record_Count")
    if stated and stated.isdigit() and int(stated) != report.rows_read:
        report.notes[f"Record_Count says {stated}, file has {report.rows_read}"] += 1
    return entries, _published(root, report)
