"""`ofac-sdn`: OFAC's legacy SDN files, a folder holding `sdn.csv` (required), `add.csv` and
`alt.csv` (no header, cp1252, `-0-` nulls, CRLF, a Ctrl-Z end-of-file line). Addresses and
alternate names join their entry by `ent_num`; weak a.k.a.s come from the remarks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from schemas.lists import Alias, AliasType, EntityType, ListCode, ListEntry
from screener.parties.formats.common import (
    ImportReport,
    ListFormatError,
    _address_text,
    _clean,
    _dedupe,
)
from screener.parties.formats.countries import resolve_country
from screener.parties.formats.names import _build_aliases, weak_akas

OFAC_FILES: tuple[str, ...] = ("sdn.csv", "add.csv", "alt.csv")  # hashed in this order


# --------------------------------------------------------------------------- ofac-sdn

_SDN_TYPES = {
    "individual": EntityType.person,
    "vessel": EntityType.vessel,
    "aircraft": EntityType.aircraft,
}
_OFAC_WIDTH = {"sdn.csv": 12, "add.csv": 6, "alt.csv": 5}
_OFAC_SOURCE = "Specially Designated Nationals (SDN) - Treasury Department"


def _ofac_blobs(path: Path) -> list[tuple[Path, bytes]]:
    """The trio's bytes in the fixed order sdn, add, alt (absent optional files left out).
    `path` is the folder, or its sdn.csv."""
    folder = path.parent if path.is_file() else path
    if not (folder / "sdn.csv").is_file():
        raise ListFormatError(path, "no sdn.csv here (ofac-sdn wants the folder holding it)")
    return [(folder / n, (folder / n).read_bytes()) for n in OFAC_FILES if (folder / n).is_file()]


def _ofac_rows(path: Path, data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of a legacy OFAC CSV: no header, cp1252 (Latin-1 for the bytes cp1252
    leaves undefined), CRLF or LF, `-0-` nulls, a Ctrl-Z end-of-file line."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = re.sub(r"\x1a[\r\n\s]*\Z", "", text)
    width = _OFAC_WIDTH[path.name]
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ListFormatError(path, f"bad CSV: {exc}", f"line {reader.line_num}") from exc
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != width:
            raise ListFormatError(
                path, f"{len(fields)} fields, expected {width}", f"line {reader.line_num}"
            )
        if not fields[0].strip().isdigit():
            raise ListFormatError(
                path, f"ent_num {fields[0]!r} is not a number", f"line {reader.line_num}"
            )
        yield reader.line_num, fields


def _read_ofac(blobs: list[tuple[Path, bytes]], report: ImportReport) -> list[ListEntry]:
    files = {p.name: (p, b) for p, b in blobs}
    sdn_path, sdn_bytes = files["sdn.csv"]
    base: dict[str, dict[str, Any]] = {}  # ent_num -> the row add.csv/alt.csv join to
    rows: list[tuple[str, dict[str, Any]]] = []
    for line, f in _ofac_rows(sdn_path, sdn_bytes):
        report.rows_read += 1
        ent, name = f[0].strip(), _clean(f[1])
        if name is None:
            report.skip(f"sdn.csv line {line}", "no name")
            continue
        sdn_type = (_clean(f[2]) or "").casefold()
        kind = _SDN_TYPES.get(sdn_type, EntityType.organization)
        if sdn_type and sdn_type not in _SDN_TYPES:
            report.notes[f"unknown SDN_Type {sdn_type!r}"] += 1
            kind = EntityType.unknown
        record: dict[str, Any] = {
            "name": name,
            "type": kind,
            "programs": [
                p for p in (_clean(x.strip("[] ")) for x in (_clean(f[3]) or "").split("] [")) if p
            ],
            "remarks": _clean(f[11]),
            "alts": [],
            "countries": [],
            "addresses": [],
        }
        if ent in base:
            # kept (dropping a listed party is worse), as SDN:<n>~2; add/alt rows cannot
            # tell the two apart and join the first
            report.notes[f"ent_num {ent} repeated in sdn.csv (line {line}); both kept"] += 1
        else:
            base[ent] = record
        rows.append((ent, record))
    if "add.csv" in files:
        path, blob = files["add.csv"]
        for line, f in _ofac_rows(path, blob):
            report.rows_read += 1
            target = base.get(f[0].strip())
            if target is None:
                report.skip(f"add.csv line {line}", f"ent_num {f[0].strip()} not in sdn.csv")
                continue
            country = _clean(f[4])
            text = _address_text((f[2], f[3], country))
            if country:
                code, _ = resolve_country(country)
                if code is None:
                    report.unmapped_countries[country] += 1
                elif code not in target["countries"]:
                    target["countries"].append(code)
            if text and text not in target["addresses"]:
                target["addresses"].append(text)
    if "alt.csv" in files:
        path, blob = files["alt.csv"]
        for line, f in _ofac_rows(path, blob):
            report.rows_read += 1
            target = base.get(f[0].strip())
            alt_name = _clean(f[3])
            if target is None:
                report.skip(f"alt.csv line {line}", f"ent_num {f[0].strip()} not in sdn.csv")
                continue
            if alt_name is None:
                report.skip(f"alt.csv line {line}", "no alt_name")
                continue
            alt_type = (_clean(f[2]) or "aka").casefold()
            remarks = (_clean(f[4]) or "").casefold()
            if "weak" in alt_type or "weak" in remarks:
                alias_type = AliasType.weak
            elif alt_type.startswith("f"):
                alias_type = AliasType.fka
            else:  # aka, nka ("now known as": a current name), anything else
                alias_type = AliasType.aka
                if alt_type not in ("aka", "nka", "a.k.a."):
                    report.notes[f"unknown alt_type {alt_type!r} read as aka"] += 1
            target["alts"].append(Alias(name=alt_name, type=alias_type))
    entries = []
    for ent, b in rows:
        # aliases written into the name, alt.csv's (strong first: a weak spelling that is
        # also a strong alias stays strong), then the weak a.k.a.s of the remarks
        strong = [a for a in b["alts"] if a.type != AliasType.weak]
        weak = [a for a in b["alts"] if a.type == AliasType.weak]
        weak += [Alias(name=w, type=AliasType.weak) for w in weak_akas(b["remarks"])]
        aliases = [*_build_aliases(b["name"], []), *strong, *weak]
        entries.append(
            ListEntry(
                list_code=ListCode.sdn,
                source=_OFAC_SOURCE,
                entry_id=f"SDN:{ent}",
                name=b["name"],
                aliases=_dedupe(b["name"], aliases),
                entity_type=b["type"],
                countries=b["countries"],
                addresses=b["addresses"],
                programs=b["programs"],
            )
        )
    return entries
