"""`csl-json` and `csl-compact`: trade.gov's Consolidated Screening List as JSON.

Either layout, told apart by its top level (`csl_json_layout`): the bulk `consolidated.json`
/ search API answer (an object whose `results` is a list of parties; a bare list is accepted
too), or the compact snapshot (`fieldKey`, `tables`, `entries`, `sourceGeneratedAt`), read
through its own `fieldKey` so renamed short keys still work.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from schemas.lists import ListEntry
from screener.parties.formats.common import (
    ImportReport,
    ListFormatError,
    _address_text,
    _clean,
    _split,
)
from screener.parties.formats.csl_common import (
    _csl_entries,
    _csl_row,
    _CslRow,
    _published,
)


def _csl_json_row(raw: Any, path: Path, index: int) -> _CslRow:
    where = f"results[{index}]"
    if not isinstance(raw, dict):
        raise ListFormatError(path, f"expected an object, got {type(raw).__name__}", where)
    source = _clean(raw.get("source"))
    if source is None:
        raise ListFormatError(path, "no source", where)
    tokens: list[str] = []
    addresses: list[str] = []
    for address in raw.get("addresses") or []:
        if isinstance(address, dict):
            country = _clean(address.get("country"))
            line = _address_text(
                address.get(k)
                for k in (
                    "address",
                    "city",
                    "state",
                    "state_or_province",
                    "postal_code",
                    "postalCode",
                )
            )
        else:  # a plain string (older exports): its last comma part is the country
            line, _, country = str(address).rpartition(",")
            line, country = _clean(line), _clean(country)
        if line:
            addresses.append(f"{line}, {country}" if country else line)
        if country:
            tokens.append(country)
    for key in ("country", "nationalities", "citizenships"):  # ISN rows carry `country`
        tokens += _split(raw.get(key))
    return _csl_row(raw, source, tokens, addresses)


def csl_json_layout(doc: Any) -> str:
    """`compact` for the compact snapshot (an object with `entries` and `fieldKey`), else
    `results` (trade.gov's `consolidated.json`: `results`, or a bare list of parties)."""
    if isinstance(doc, dict) and "entries" in doc and "fieldKey" in doc and "results" not in doc:
        return "compact"
    return "results"


def _read_csl_json(
    path: Path, doc: Any, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    published = None
    if isinstance(doc, dict):
        results = doc.get("results")
        if not isinstance(results, list):
            raise ListFormatError(
                path,
                "no `results` list at the top level (nor the compact layout's `fieldKey` "
                "and `entries`)",
            )
        published = _published(doc)
    elif isinstance(doc, list):
        results = doc
    else:
        raise ListFormatError(path, "expected an object with `results` or a list")
    rows = ((f"results[{i}]", _csl_json_row(raw, path, i)) for i, raw in enumerate(results))
    return _csl_entries(rows, report), published


# --------------------------------------------------------------------------- csl-compact

# fieldKey descriptions start with the CSL field they abbreviate
_COMPACT_FIELDS = {
    "name": "name",
    "alt_names": "alt_names",
    "source": "source",
    "type": "type",
    "address countries": "countries",
    "countries": "countries",
    "entity_number": "entity_number",
    "license_requirement": "license_requirement",
    "license_policy": "license_policy",
    "programs": "programs",
    "federal_register_notice": "federal_register_notice",
    "source_list_url": "source_list_url",
    "start_date": "start_date",
    "end_date": "end_date",
}


def _read_csl_compact(
    path: Path, doc: Any, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise ListFormatError(path, "not a compact CSL snapshot: no `entries` list")
    field_key = doc.get("fieldKey")
    tables = doc.get("tables") or {}
    if not isinstance(field_key, dict) or not isinstance(tables, dict):
        raise ListFormatError(path, "not a compact CSL snapshot: no `fieldKey`/`tables`")
    keys: dict[str, tuple[str, str | None]] = {}  # our field -> (short key, table or None)
    for short, description in field_key.items():
        label = re.split(r"\s*\(", str(description), maxsplit=1)[0].strip().casefold()
        ours = _COMPACT_FIELDS.get(label)
        if ours is None:
            report.notes[f"fieldKey {short!r} ({description}) not used"] += 1
            continue
        table = re.search(r"index into tables\.(\w+)", str(description))
        if table and not isinstance(tables.get(table.group(1)), list):
            raise ListFormatError(path, f"fieldKey {short!r} points at missing table")
        keys[ours] = (short, table.group(1) if table else None)
    for needed in ("name", "source"):
        if needed not in keys:
            raise ListFormatError(path, f"fieldKey has no {needed!r} field")
    listed = doc.get("listAuthority")
    authority: dict[str, Any] = listed if isinstance(listed, dict) else {}

    def value(raw: dict[str, Any], ours: str, where: str) -> Any:
        if ours not in keys:
            return None
        short, table = keys[ours]
        item = raw.get(short)
        if table is None or item is None:
            return item
        try:
            return tables[table][item]
        except (IndexError, TypeError):
            raise ListFormatError(
                path, f"{short}={item!r} is not an index into {table}", where
            ) from None

    def rows() -> Iterator[tuple[str, _CslRow]]:
        for i, raw in enumerate(doc["entries"]):
            where = f"entries[{i}]"
            if not isinstance(raw, dict):
                raise ListFormatError(path, "expected an object", where)
            source = _clean(value(raw, "source", where))
            if source is None:
                raise ListFormatError(path, "no source", where)
            found = authority.get(source)
            meta: dict[str, Any] = found if isinstance(found, dict) else {}
            yield (
                where,
                _CslRow(
                    source=source,
                    code=_clean(meta.get("code")),
                    name=_clean(value(raw, "name", where)) or "",
                    entity_number=_clean(value(raw, "entity_number", where)),
                    type=_clean(value(raw, "type", where)),
                    programs=_split(value(raw, "programs", where)),
                    alt_names=_split(value(raw, "alt_names", where)),
                    country_tokens=_split(value(raw, "countries", where)),
                    license_requirement=_clean(value(raw, "license_requirement", where)),
                    license_policy=_clean(value(raw, "license_policy", where)),
                    federal_register_notice=_clean(value(raw, "federal_register_notice", where)),
                    start_date=value(raw, "start_date", where),
                    end_date=value(raw, "end_date", where),
                ),
            )

    entries = _csl_entries(rows(), report)
    stated = doc.get("entryCount")
    if isinstance(stated, int) and stated != report.rows_read:
        report.notes[f"entryCount says {stated}, file has {report.rows_read}"] += 1
    counts = doc.get("countsBySource")
    if isinstance(counts, dict):
        actual = Counter(e.source for e in entries)
        for source, n in counts.items():
            got = actual.get(source, 0)
            if got != n:
                report.notes[f"countsBySource says {source}: {n}, read {got}"] += 1
    return entries, _published(doc)
