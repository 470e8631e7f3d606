"""`csv`: any CSV layout (a company's own list, METI's End User List as a spreadsheet, ...),
read through a column mapping (`read_csv_mapped`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from schemas.lists import ListCode, ListEntry
from screener.parties.formats.common import (
    ImportReport,
    ListFormatError,
    _assign_derived_ids,
    _clean,
    _csv_records,
    _decode,
    _split,
)
from screener.parties.formats.countries import _countries
from screener.parties.formats.names import _build_aliases

# --------------------------------------------------------------------------- generic csv

MAPPABLE: tuple[str, ...] = (
    "name",
    "aliases",
    "country",
    "address",
    "entry_id",
    "list_code",
    "source",
    "programs",
)
_MULTI = {"aliases", "country", "address", "programs"}
_CSV_OPTS = {"mapping", "sep", "field_seps", "list_code", "source", "delimiter", "encoding"}


def read_csv_mapped(
    path: Path,
    data: bytes,
    report: ImportReport,
    *,
    mapping: Mapping[str, str | Sequence[str]] | None = None,
    sep: str = ";",
    field_seps: Mapping[str, str] | None = None,
    list_code: ListCode | str = ListCode.other,
    source: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> list[ListEntry]:
    """A list in any CSV layout, read through a column mapping.

    `mapping` maps our fields to the file's column names (matched exactly, then ignoring
    case and surrounding spaces):

    - `name` (required): the listed party's name, kept as written;
    - `aliases`: other names; a column name or a list of them (e.g. English aliases and a
      native-script name); each cell may hold several, split on the separator;
    - `country`: ISO-2/ISO-3 codes or English country names (several per cell allowed);
      names with no ISO code are counted in the report and kept as address text;
    - `address`: address text (several per cell allowed);
    - `entry_id`: the list's own id; without it the id is derived from the list code and
      the name (see the module doc), so it survives re-exports in another row order;
    - `list_code`: a `ListCode` value per row (e.g. `entity_list`); otherwise the
      `list_code` option applies to every row (default `other`);
    - `source`: the publishing list's name per row; otherwise the `source` option
      (default: the file name);
    - `programs`: programmes or reasons for listing (several per cell allowed).

    Options: `sep` (default `;`) splits multi-valued cells, `field_seps` overrides it per
    field (e.g. `{"programs": ","}`); `delimiter` is sniffed from the header (`,` `;` tab
    `|`) unless given; `encoding` defaults to UTF-8 (with or without BOM), falling back to
    cp1252 for files saved by older Excel versions.
    """
    if not mapping or "name" not in mapping:
        raise ValueError("csv format needs mapping={'name': <column>, ...}")
    unknown = set(mapping) - set(MAPPABLE)
    if unknown:
        raise ValueError(
            f"cannot map {', '.join(sorted(unknown))}; mappable fields: {', '.join(MAPPABLE)}"
        )
    try:
        default_code = ListCode(list_code)
    except ValueError:
        raise ValueError(
            f"list_code {list_code!r} is not one of {', '.join(c.value for c in ListCode)}"
        ) from None
    text = _decode(path, data, (encoding,) if encoding else ("utf-8-sig", "cp1252"))
    if delimiter is None:
        first = text.lstrip("\ufeff").split("\n", 1)[0]
        delimiter = max((",", ";", "\t", "|"), key=first.count) if first else ","
    header, records = _csv_records(path, text.lstrip("\ufeff"), delimiter)

    def column(name: str) -> str:
        if name in header:
            return name
        for h in header:
            if h.strip().casefold() == name.strip().casefold():
                return h
        raise ListFormatError(
            path,
            f"mapped column {name!r} not in the header ({', '.join(header)})",
            "line 1",
        )

    columns: dict[str, list[str]] = {
        ours: [column(c) for c in ([cols] if isinstance(cols, str) else list(cols))]
        for ours, cols in mapping.items()
    }
    seps = {f: (field_seps or {}).get(f, sep) for f in _MULTI}
    default_source = source or path.name

    def cell(row: dict[str, str], ours: str) -> list[str]:
        out: list[str] = []
        for col in columns.get(ours, []):
            if ours in _MULTI:
                out += _split(row.get(col), seps[ours])
            elif (value := _clean(row.get(col))) is not None:
                out.append(value)
        return out

    entries: list[ListEntry] = []
    pending: list[tuple[ListEntry, str]] = []
    for line, row in records:
        report.rows_read += 1
        names = cell(row, "name")
        if not names:
            report.skip(f"line {line}", "no name")
            continue
        code = default_code
        if "list_code" in columns and cell(row, "list_code"):
            raw_code = cell(row, "list_code")[0]
            try:
                code = ListCode(raw_code.strip().lower())
            except ValueError:
                report.notes[f"list_code {raw_code!r} unknown, read as other"] += 1
                code = ListCode.other
        countries: list[str] = []
        addresses = cell(row, "address")
        _countries(cell(row, "country"), report, countries, addresses)
        entry = ListEntry(
            list_code=code,
            source=(cell(row, "source") or [default_source])[0],
            entry_id="",
            name=names[0],
            aliases=_build_aliases(names[0], cell(row, "aliases")),
            countries=countries,
            addresses=addresses,
            programs=cell(row, "programs"),
        )
        ids = cell(row, "entry_id")
        if ids:
            entry.entry_id = ids[0]
        else:
            pending.append((entry, code.value.upper()))
        entries.append(entry)
    _assign_derived_ids(pending)
    return entries
