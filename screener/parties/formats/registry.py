"""The list formats chokepoint reads, by name, and the one way to read any of them.

Each format is a `Format`: its name (`--format`), the module that reads it, the options it
takes, whether it reads a folder (OFAC's legacy CSV trio) and how to recognise a downloaded
file of it (`detect`, for `chokepoint lists refresh`: by file name where the publisher fixes
it, else by the first bytes: an XML root element, a JSON layout, a CSV header).

`load_list(path, fmt, **opts)` returns an `ImportResult`: the entries, the publication date
the file states (None if it states none), the `ImportReport` (rows read, every skipped row
with its reason, unmapped country names, notes) and the sha256 of the bytes read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas.lists import ListEntry
from screener.parties.formats import (
    csl_csv,
    csl_json,
    eu_fsd,
    kaist,
    mapped_csv,
    mofcom,
    ofac_advanced,
    ofac_csv,
    ofac_xml,
    uk_sanctions,
)
from screener.parties.formats.common import (
    ImportReport,
    ImportResult,
    ListFormatError,
    _json,
    _unique_ids,
)

log = logging.getLogger(__name__)

Blobs = list[tuple[Path, bytes]]
Reader = Callable[[Path, Blobs, ImportReport, dict[str, Any]], tuple[list[ListEntry], Any]]


@dataclass(frozen=True)
class Format:
    """One list format: how to read it, and how to tell a file of it."""

    name: str
    read: Reader
    description: str
    default_name: str | None = None  # the import name when none is given
    options: frozenset[str] = frozenset()
    folder: bool = False  # reads a folder of files (the OFAC legacy trio)
    # (file name, first 64 KiB) -> whether this is a file of the format
    detect: Callable[[str, bytes], bool] | None = None


def _single(path: Path) -> Blobs:
    if not path.is_file():
        raise ListFormatError(path, "no such file")
    return [(path, path.read_bytes())]


def _csl_json(path: Path, blobs: Blobs, report: ImportReport, _: dict[str, Any]) -> Any:
    doc = _json(path, blobs[0][1])
    if csl_json.csl_json_layout(doc) == "compact":
        report.notes["layout: compact snapshot (fieldKey, tables, entries)"] += 1
        return csl_json._read_csl_compact(path, doc, report)
    return csl_json._read_csl_json(path, doc, report)


def _xml_root(head: bytes) -> str | None:
    """The local name of the first element (namespace and prefix dropped)."""
    text = head.decode("utf-8", errors="ignore")
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S)
    match = re.search(r"<\s*(?:[\w.-]+:)?([\w.-]+)", text)
    return match.group(1) if match else None


_CSL_JSON_KEYS = (b'"results"', b'"fieldKey"', b'"sources_used"', b'"search_performed_at"')


def _json_head(head: bytes) -> str:
    return head.decode("utf-8-sig", errors="ignore").lstrip()


FORMAT_SPECS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "kaist-json",
            lambda p, b, r, _: kaist.read_kaist_json(p, b[0][1], r),
            "restricted_parties.json (casslab-kaist aggregate: METI End User List, BIS lists)",
            "kaist",
            detect=lambda name, head: b'"schema_version"' in head and b'"list_name"' in head,
        ),
        Format(
            "csl-json",
            _csl_json,
            "trade.gov Consolidated Screening List JSON (consolidated.json or the compact form)",
            "csl",
            detect=lambda name, head: (
                _json_head(head)[:1] in "{["
                and any(k in head for k in (b'"results"', b'"fieldKey"'))
            ),
        ),
        Format(
            "csl-compact",
            lambda p, b, r, _: csl_json._read_csl_compact(p, _json(p, b[0][1]), r),
            "the compact CSL snapshot only (fieldKey, tables, entries)",
            "csl",
        ),
        Format(
            "csl-csv",
            lambda p, b, r, _: (csl_csv._read_csl_csv(p, b[0][1], r), None),
            "trade.gov Consolidated Screening List CSV (consolidated.csv)",
            "csl",
            detect=lambda name, head: head.lstrip(b"\xef\xbb\xbf").startswith(b"_id,source,"),
        ),
        Format(
            "ofac-sdn",
            lambda p, b, r, _: (ofac_csv._read_ofac(b, r), None),
            "OFAC legacy SDN CSV: the folder holding sdn.csv (add.csv, alt.csv optional)",
            "sdn",
            folder=True,
            detect=lambda name, head: name.casefold() == "sdn.csv",
        ),
        Format(
            "ofac-xml",
            lambda p, b, r, _: ofac_xml.read_sdn_xml(p, b[0][1], r),
            "OFAC SDN list, classic XML (sdn.xml, sdnList schema)",
            "sdn",
            detect=lambda name, head: _xml_root(head) == "sdnList",
        ),
        Format(
            "ofac-advanced-xml",
            lambda p, b, r, _: ofac_advanced.read_sdn_advanced(p, b[0][1], r),
            "OFAC SDN list, advanced XML (SDN_ADVANCED.XML, sdn_advanced schema)",
            "sdn",
            detect=lambda name, head: _xml_root(head) == "Sanctions",
        ),
        Format(
            "eu-fsd-xml",
            lambda p, b, r, _: eu_fsd.read_eu_fsd(p, b[0][1], r),
            "EU consolidated financial sanctions list, FSD XML (export.xml)",
            "eu",
            detect=lambda name, head: _xml_root(head) == "export",
        ),
        Format(
            "uk-sanctions-xml",
            lambda p, b, r, _: uk_sanctions.read_uk_xml(p, b[0][1], r),
            "FCDO UK Sanctions List, XML (UK-Sanctions-List.xml)",
            "uk",
            detect=lambda name, head: _xml_root(head) == "Designations",
        ),
        Format(
            "csv",
            lambda p, b, r, o: (mapped_csv.read_csv_mapped(p, b[0][1], r, **o), None),
            "any CSV, read through a column mapping",
            options=frozenset(mapped_csv._CSV_OPTS),
        ),
        Format(
            "mofcom-yaml",
            lambda p, b, r, _: mofcom.read_mofcom_yaml(p, b[0][1], r),
            "MOFCOM Unreliable Entity / export control lists (chokepoint's YAML)",
            "mofcom",
            detect=lambda name, head: mofcom.FORMAT.encode() in head,
        ),
    )
}
FORMATS: tuple[str, ...] = tuple(FORMAT_SPECS)


def spec(fmt: str) -> Format:
    """The `Format` named `fmt`; ValueError naming the known ones otherwise."""
    try:
        return FORMAT_SPECS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown list format {fmt!r}; expected one of {', '.join(FORMATS)}"
        ) from None


def _blobs(path: Path, fmt: Format) -> Blobs:
    return ofac_csv._ofac_blobs(path) if fmt.folder else _single(path)


def load_list(path: Path | str, fmt: str, **opts: Any) -> ImportResult:
    """Entries, publication date, import report and sha256 of the bytes read (for a folder
    format, its files concatenated in their fixed order)."""
    path = Path(path)
    form = spec(fmt)
    unknown = set(opts) - form.options
    if unknown:
        raise ValueError(f"format {fmt!r} takes no option(s) {', '.join(sorted(unknown))}")
    blobs = _blobs(path, form)
    report = ImportReport(path=str(path), fmt=fmt)
    entries, published = form.read(path, blobs, report, opts)
    _unique_ids(entries, report)
    report.entries = len(entries)
    report.by_source.update(e.source for e in entries)
    digest = hashlib.sha256(b"".join(b for _, b in blobs)).hexdigest()
    return ImportResult(entries, published, report, digest)


def read_list(path: Path | str, fmt: str, **opts: Any) -> tuple[list[ListEntry], dt.date | None]:
    """Entries and the publication date the file states; the report is logged (warning
    level when rows were skipped). `load_list` gives it as a value."""
    result = load_list(path, fmt, **opts)
    level = logging.WARNING if result.report.skipped else logging.INFO
    log.log(level, "%s", result.report.summary())
    return result.entries, result.published


def content_hash(path: Path | str, fmt: str) -> str:
    """sha256 of the bytes `load_list` would read, without parsing them."""
    digest = hashlib.sha256()
    for _, blob in _blobs(Path(path), spec(fmt)):
        digest.update(blob)
    return digest.hexdigest()


def detect_format(path: Path) -> str | None:
    """The format of a downloaded file, from its name and first 64 KiB; None if no format
    recognises it (a generic CSV needs a mapping, so is never detected)."""
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        head = handle.read(65536)
    for form in FORMAT_SPECS.values():
        if form.detect is not None and form.detect(path.name, head):
            return form.name
    return None
