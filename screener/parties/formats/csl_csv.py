"""`csl-csv`: trade.gov's `consolidated.csv` (header row; multi-valued cells `; `-separated;
the `addresses` cell holds addresses whose last comma part is the country, or bare codes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from schemas.lists import ListEntry
from screener.parties.formats.common import (
    ImportReport,
    ListFormatError,
    _clean,
    _csv_records,
    _decode,
    _split,
)
from screener.parties.formats.countries import resolve_country
from screener.parties.formats.csl_common import (
    _csl_entries,
    _csl_row,
    _CslRow,
)


def _csv_address_cell(cell: str) -> tuple[list[str], list[str]]:
    """(country tokens, address lines) from a CSL CSV `addresses` cell: `; `-separated
    addresses whose last comma part is the country, or bare country codes/names."""
    tokens: list[str] = []
    lines: list[str] = []
    for part in _split(cell):
        code, _ = resolve_country(part)
        if code is not None or "," not in part:  # "CN", "MAN, ISLE OF", "REGION: KASHMIR"
            tokens.append(part)
            continue
        country = part.rpartition(",")[2]
        tokens.append(country.strip())
        lines.append(part)
    return tokens, lines


def _read_csl_csv(path: Path, data: bytes, report: ImportReport) -> list[ListEntry]:
    text = _decode(path, data, ("utf-8-sig", "cp1252"))
    header, records = _csv_records(path, text)
    missing = {"source", "name"} - set(header)
    if missing:
        raise ListFormatError(
            path, f"not a CSL CSV: no column(s) {', '.join(sorted(missing))}", "line 1"
        )

    def rows() -> Iterator[tuple[str, _CslRow]]:
        for line, row in records:
            source = _clean(row.get("source"))
            if source is None:
                raise ListFormatError(path, "no source", f"line {line}")
            tokens, addresses = _csv_address_cell(row.get("addresses") or "")
            for key in ("nationalities", "citizenships"):
                tokens += _split(row.get(key))
            yield f"line {line}", _csl_row(row, source, tokens, addresses)

    return _csl_entries(rows(), report)
