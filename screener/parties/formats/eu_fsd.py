"""`eu-fsd-xml`: the EU consolidated list of persons, groups and entities subject to financial
sanctions, as the Financial Sanctions Database exports it (`export.xml`, namespace
`http://eu.europa.ec/fpi/fsd/export`, ignored here).

Layout: `<export generationDate=... globalFileId=...>` holding one `sanctionEntity` per
listed subject (attributes `logicalId`, `euReferenceNumber`, `unitedNationId`,
`designationDetails`, sometimes `designationDate`), with children `remark`, `regulation`
(`programme`, `numberTitle`, `publicationDate`, `entryIntoForceDate`, ...), `subjectType`
(`code` person / enterprise), `nameAlias` (`wholeName`, `firstName`, `lastName`, `strong`,
`nameLanguage`, ...), `citizenship` and `address` (`street`, `city`, `zipCode`, `region`,
`place`, `poBox`, `countryIso2Code`, `countryDescription`).

The id is `EU:<logicalId>`; the first strong `nameAlias` is the name, the others aliases
(`strong="false"` ones weak: the FSD's own mark of a low-quality name). The listing date is
`designationDate`, else the earliest regulation's publication date; the regulations'
`numberTitle`s (Official Journal references) go where the CSL has its Federal Register
notices, so a new amending regulation shows in a list diff.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from schemas.lists import Alias, AliasType, EntityType, ListCode, ListEntry
from screener.parties.formats.common import ImportReport, ListFormatError, _dedupe, _timestamp
from screener.parties.formats.countries import resolve_country
from screener.parties.formats.xml_common import attr, children, parse_xml

SOURCE = "EU Consolidated Financial Sanctions List (FSD)"
_TYPES = {"person": EntityType.person, "enterprise": EntityType.organization}
_NO_COUNTRY = {"00", ""}


def _countries(node: ET.Element, report: ImportReport) -> list[str]:
    out: list[str] = []
    for child in node:
        if child.tag not in ("address", "citizenship"):
            continue
        code = (attr(child, "countryIso2Code") or "").upper()
        if code in _NO_COUNTRY:
            code = ""
            description = attr(child, "countryDescription")
            if description and description.upper() != "UNKNOWN":
                resolved, _ = resolve_country(description)
                if resolved is None:
                    report.unmapped_countries[description] += 1
                code = resolved or ""
        if code and code not in out:
            out.append(code)
    return out


def _addresses(node: ET.Element) -> list[str]:
    out = []
    for address in children(node, "address"):
        keys = ("street", "poBox", "zipCode", "city", "place", "region", "countryDescription")
        line = ", ".join(v for v in (attr(address, k) for k in keys) if v and v != "UNKNOWN")
        if line and line not in out:
            out.append(line)
    return out


def _entry(node: ET.Element, report: ImportReport, where: str) -> ListEntry | None:
    logical = attr(node, "logicalId")
    if logical is None:
        raise ListFormatError(report.path, "sanctionEntity without logicalId", where)
    read = [
        (attr(a, "wholeName"), (attr(a, "strong") or "true").casefold() != "false")
        for a in children(node, "nameAlias")
    ]
    names = [(n, strong) for n, strong in read if n]
    if not names:
        report.skip(where, "no nameAlias with a wholeName")
        return None
    primary = next((n for n, strong in names if strong), names[0][0])
    aliases = [
        Alias(name=n, type=AliasType.aka if strong else AliasType.weak)
        for n, strong in names
        if n != primary
    ]
    subject = next(children(node, "subjectType"), None)
    code = (attr(subject, "code") or "").casefold() if subject is not None else ""
    kind = _TYPES.get(code, EntityType.unknown)
    if code and kind is EntityType.unknown:
        report.notes[f"unknown subjectType {code!r}"] += 1
    regulations = list(children(node, "regulation"))
    programmes: list[str] = []
    for regulation in regulations:
        programme = attr(regulation, "programme")
        if programme and programme not in programmes:
            programmes.append(programme)
    published = [
        d for d in (_timestamp(attr(r, "publicationDate")) for r in regulations) if d is not None
    ]
    listed = _timestamp(attr(node, "designationDate")) or min(published, default=None)
    titles = [t for t in (attr(r, "numberTitle") for r in regulations) if t]
    return ListEntry(
        list_code=ListCode.eu_sanctions,
        source=SOURCE,
        entry_id=f"EU:{logical}",
        name=primary,
        aliases=_dedupe(primary, aliases),
        entity_type=kind,
        countries=_countries(node, report),
        addresses=_addresses(node),
        programs=programmes,
        federal_register_notice="; ".join(dict.fromkeys(titles)) or None,
        start_date=listed,
    )


def read_eu_fsd(
    path: Path, data: bytes, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    """Entries of an FSD `export.xml` and its generation date."""
    root = parse_xml(path, data)
    if root.tag != "export":
        raise ListFormatError(path, f"not an FSD export.xml: root element is <{root.tag}>")
    entries = []
    for i, node in enumerate(children(root, "sanctionEntity")):
        report.rows_read += 1
        entry = _entry(node, report, f"sanctionEntity[{i}]")
        if entry is not None:
            entries.append(entry)
    return entries, _timestamp(attr(root, "generationDate"))
