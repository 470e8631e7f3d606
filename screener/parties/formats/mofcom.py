"""Read MOFCOM's restricted-party lists (Unreliable Entity List, export control control list).

MOFCOM publishes each listing as an announcement (a web page with the names in Chinese and,
mostly, English); there is no consolidated download. chokepoint therefore ships the entries it
could read in the announcements' text as a small YAML file (`data/lists/cn/mofcom_lists.yaml`,
format `mofcom-yaml/1`): per list, the announcements with their date, measures and where they
were read, and per announcement the listed names. A newer file of the same format imports the
same way (`chokepoint lists import FILE --format mofcom-yaml --name mofcom`). Each entry's
listing date is its announcement's, so a transaction dated before a listing does not count it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from schemas.lists import Alias, AliasType, EntityType, ListCode, ListEntry
from schemas.vocabulary import COUNTRY_CODES
from screener.parties.formats.common import ImportReport, ListFormatError, fold

FORMAT = "mofcom-yaml/1"
LIST_CODES = frozenset({ListCode.cn_unreliable_entity, ListCode.cn_export_control_list})


def _date(path: Path, value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ListFormatError(path, f"{value!r} is not a date (YYYY-MM-DD)", where) from None


def read_mofcom_yaml(
    path: Path, data: bytes, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    """Entries of every list in the file and the file's `published` date."""
    try:
        doc = yaml.safe_load(data.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ListFormatError(path, f"not a YAML file: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ListFormatError(path, f"expected 'format: {FORMAT}' at the top of the file")
    published = _date(path, doc["published"], "published") if doc.get("published") else None
    entries: list[ListEntry] = []
    for i, block in enumerate(doc.get("lists") or []):
        where = f"lists[{i}]"
        try:
            code = ListCode(block["list_code"])
        except (KeyError, ValueError):
            raise ListFormatError(
                path, f"list_code must be one of {', '.join(sorted(LIST_CODES))}", where
            ) from None
        if code not in LIST_CODES:
            raise ListFormatError(path, f"list_code {code.value} is not a MOFCOM list", where)
        for j, ann in enumerate(block.get("announcements") or []):
            entries += _announcement(path, code, str(block["source"]), ann, report, f"{where}[{j}]")
    return entries, published


def _announcement(
    path: Path, code: ListCode, source: str, ann: dict[str, Any], report: ImportReport, where: str
) -> list[ListEntry]:
    for key in ("id", "title", "date", "measures"):
        if key not in ann:
            raise ListFormatError(path, f"announcement has no {key!r}", where)
    listed = _date(path, ann["date"], where)
    out = []
    for k, raw in enumerate(ann.get("entries") or []):
        report.rows_read += 1
        row = f"{where} {ann['id']} entry {k + 1}"
        name = str(raw.get("name") or "").strip()
        if not name:
            report.skip(row, "no name")
            continue
        country = str(raw.get("country") or "").upper()
        if country and country not in COUNTRY_CODES:
            report.unmapped_countries[country] += 1
            country = ""
        aliases = [Alias(name=str(a), type=AliasType.aka) for a in raw.get("aliases") or []]
        if raw.get("name_zh"):
            aliases.append(Alias(name=str(raw["name_zh"]), type=AliasType.aka))
        out.append(
            ListEntry(
                list_code=code,
                source=source,
                entry_id=f"{ann['id']}:{fold(name)}",
                name=name,
                aliases=aliases,
                entity_type=EntityType.organization,
                countries=[country] if country else [],
                programs=[str(ann["title"])],
                license_requirement=" ".join(str(ann["measures"]).split()),
                start_date=listed,
            )
        )
    return out
