"""`kaist-json`: `restricted_parties.json` of the casslab-kaist restricted-parties-db, an
aggregate of eight lists; chokepoint reads it for the one list it has no other machine copy
of, METI's End User List (METI publishes it as a spreadsheet and PDF), and reads the BIS
Entity List, MEU List and OFAC NS-CMIC rows too.

Layout: a JSON array of records: `name.english`, `name.native` (the list's own
native-script name), `name.korean` (the aggregator's rendering, not read), `aliases`,
`countries` (Korean country names, `A/B` for two; translated with the bundled
`data/country_names_ko.csv`), `listing_rationale` (METI's concern codes: B, C, M, N, CW),
`source.list_name`, `source.list_id`, `source.source_row`.

Ids are derived from the list and the folded English name, as for CSL rows without a number
(`EL:<hash>` for Entity List rows: the same id the CSL import gives the same name), since
the source row numbers move when the publisher inserts rows. The file states no publication
date (`ingested_at` is when the aggregator read the lists).
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from schemas.lists import Alias, AliasType, EntityType, ListCode, ListEntry
from screener.parties.formats.common import (
    ImportReport,
    ListFormatError,
    _assign_derived_ids,
    _json,
)

# source.list_id -> (list code, id prefix, the list as its publisher names it)
_LISTS: dict[str, tuple[ListCode, str, str]] = {
    "jp-meti-end-user-list": (
        ListCode.japan_end_user,
        "METI",
        "End User List - Ministry of Economy, Trade and Industry (Japan)",
    ),
    "us-bis-entity-list": (
        ListCode.entity_list,
        "EL",
        "Entity List (EL) - Bureau of Industry and Security",
    ),
    "us-bis-military-end-user-list": (
        ListCode.military_end_user,
        "MEU",
        "Military End User (MEU) List - Bureau of Industry and Security",
    ),
    "us-ofac-ns-cmic": (
        ListCode.cmic,
        "CMIC",
        "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department",
    ),
}


@lru_cache(maxsize=1)
def korean_country_names() -> dict[str, str]:
    """Korean country name -> ISO-2 (93 names, the ones the file uses)."""
    table = resources.files("screener.parties").joinpath("data/country_names_ko.csv")
    with table.open(encoding="utf-8") as handle:
        return {row["korean_name"].strip(): row["iso2"].strip() for row in csv.DictReader(handle)}


def _record(raw: Any, report: ImportReport, where: str) -> tuple[ListEntry, str] | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("source"), dict):
        raise ListFormatError(report.path, "expected a record with a `source` object", where)
    source = raw["source"]
    list_id = str(source.get("list_id") or "")
    code, prefix, source_name = _LISTS.get(
        list_id, (ListCode.other, list_id.upper() or "OTHER", str(source.get("list_name") or ""))
    )
    if code is ListCode.other:
        report.notes[f"list {source.get('list_name')!r} read as other"] += 1
    given = raw.get("name")
    names: dict[str, Any] = given if isinstance(given, dict) else {}
    name = str(names.get("english") or "").strip()
    if not name:
        report.skip(where, "no English name")
        return None
    aliases = [Alias(name=str(a).strip(), type=AliasType.aka) for a in raw.get("aliases") or []]
    native = str(names.get("native") or "").strip()
    if native and native != name:
        aliases.append(Alias(name=native, type=AliasType.aka))
    countries: list[str] = []
    for value in raw.get("countries") or []:
        for token in str(value).split("/"):
            token = token.strip()
            iso = korean_country_names().get(token)
            if iso is None:
                report.unmapped_countries[token] += 1
            elif iso not in countries:
                countries.append(iso)
    rationale = str(raw.get("listing_rationale") or "")
    entry = ListEntry(
        list_code=code,
        source=source_name,
        entry_id="",
        name=name,
        aliases=[a for a in aliases if a.name],
        entity_type=EntityType.organization,
        countries=countries,
        programs=[p.strip() for p in rationale.split(",") if p.strip()],
    )
    return entry, prefix


def read_kaist_json(
    path: Path, data: bytes, report: ImportReport
) -> tuple[list[ListEntry], dt.date | None]:
    """Entries of `restricted_parties.json`; no publication date (the file states none)."""
    doc = _json(path, data)
    if not isinstance(doc, list):
        raise ListFormatError(path, "expected a JSON array of records")
    pending = []
    for i, raw in enumerate(doc):
        report.rows_read += 1
        found = _record(raw, report, f"[{i}]")
        if found is not None:
            pending.append(found)
    _assign_derived_ids(pending)
    return [entry for entry, _ in pending], None
