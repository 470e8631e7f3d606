"""What every list format shares: the import report, the format error, text helpers and
entry ids.

Choices that matter downstream:

- Names stay as published ("LAST, First" included): the matcher decides how to reorder.
- `entry_id` is `<publisher code>:<entity number>` (e.g. `SDN:306`, `SSI:17013`), because
  OFAC numbers repeat across the CSL's Treasury lists. Lists that carry no number get an id
  derived from the list code and the folded name (plus countries and Federal Register
  notice only where the name alone repeats), which survives the usual list amendments (new
  addresses, FR citations) without breaking adjudications or list diffs.
- Structural damage (unparseable JSON, a CSV row with the wrong number of fields, a missing
  required column) raises `ListFormatError`, which names the file and row; every skipped
  row is in the `ImportReport` with its reason: nothing is dropped silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas.lists import Alias, ListEntry


class ListFormatError(ValueError):
    """The file cannot be read as the format asked. The message names the file and row."""

    def __init__(self, path: Path | str, message: str, row: int | str | None = None) -> None:
        where = f"{path}" if row is None else f"{path}, {row}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.row = row


@dataclass
class Skipped:
    row: str
    reason: str


@dataclass
class ImportReport:
    """What an import did with every row, so that nothing disappears without a trace."""

    path: str
    fmt: str
    rows_read: int = 0
    entries: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    unmapped_countries: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)

    def skip(self, row: int | str, reason: str) -> None:
        self.skipped.append(Skipped(str(row), reason))

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.fmt,
            "rows_read": self.rows_read,
            "entries": self.entries,
            "skipped": [{"row": s.row, "reason": s.reason} for s in self.skipped],
            "unmapped_countries": dict(self.unmapped_countries.most_common()),
            "notes": dict(self.notes.most_common()),
            "by_source": dict(self.by_source.most_common()),
        }

    def summary(self) -> str:
        lines = [
            f"{self.path} ({self.fmt}): {self.rows_read} rows read, {self.entries} entries, "
            f"{len(self.skipped)} skipped"
        ]
        lines += [f"  {source}: {n}" for source, n in self.by_source.most_common()]
        lines += [f"  skipped {s.row}: {s.reason}" for s in self.skipped[:20]]
        if len(self.skipped) > 20:
            lines.append(f"  ... and {len(self.skipped) - 20} more skipped rows")
        if self.unmapped_countries:
            names = ", ".join(f"{k!r} x{n}" for k, n in self.unmapped_countries.most_common())
            lines.append(f"  country names with no ISO code (kept out of countries): {names}")
        lines += [f"  note: {note} x{n}" for note, n in self.notes.most_common()]
        return "\n".join(lines)


@dataclass
class ImportResult:
    entries: list[ListEntry]
    published: dt.date | None
    report: ImportReport
    content_hash: str


# --------------------------------------------------------------------------- text helpers


def fold(text: str) -> str:
    """Casefolded, accents and punctuation removed, whitespace collapsed: for ids and keys."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", stripped.casefold()).split())


def _clean(value: Any) -> str | None:
    """Trimmed text, None for empty/absent (and for OFAC's `-0-` null marker)."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text in ("", "-0-") else text


def _split(value: Any, sep: str = ";") -> list[str]:
    """A multi-valued cell or JSON value as a list of trimmed, non-empty strings.

    Items of a JSON list are split on `sep` too: the CSL has alt names such as
    `CETC 24;Sichuan Solid Circuit Research Institute;CETC 44` and `HPSTAR;`, lists
    joined by mistake, which the CSV export splits anyway; both formats must agree.
    """
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [
        t
        for item in items
        if item is not None
        for t in (_clean(v) for v in str(item).split(sep))
        if t
    ]


def _date(value: Any, report: ImportReport, what: str) -> dt.date | None:
    text = _clean(value)
    if text is None:
        return None
    parsers: tuple[Callable[[str], dt.date], ...] = (
        lambda s: dt.date.fromisoformat(s[:10]),
        lambda s: dt.datetime.strptime(s, "%m/%d/%Y").date(),
        lambda s: dt.datetime.strptime(s, "%d %b %Y").date(),
    )
    for parse in parsers:
        try:
            return parse(text)
        except ValueError:
            continue
    report.notes[f"{what} not a date, left empty: {text!r}"] += 1
    return None


# --------------------------------------------------------------------------- entry ids


def _derived_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]
    return f"{prefix}:{digest}"


def _assign_derived_ids(pending: list[tuple[ListEntry, str]]) -> None:
    """Ids for entries without a list number: from the folded name; where a name repeats
    within a list, from name + countries + FR notice; still equal -> ordinal suffix."""
    groups: dict[tuple[str, str], list[ListEntry]] = {}
    for entry, prefix in pending:
        groups.setdefault((prefix, fold(entry.name)), []).append(entry)
    for (prefix, key), members in groups.items():
        if len(members) == 1:
            members[0].entry_id = _derived_id(prefix, key)
            continue
        for entry in members:
            entry.entry_id = _derived_id(
                prefix,
                key,
                ",".join(sorted(entry.countries)),
                fold(entry.federal_register_notice or ""),
            )


def _unique_ids(entries: list[ListEntry], report: ImportReport) -> None:
    """An id must name one entry: repeats get `~2`, `~3` in file order (and a note)."""
    seen: Counter[str] = Counter()
    for entry in entries:
        seen[entry.entry_id] += 1
        if seen[entry.entry_id] > 1:
            report.notes["entry id repeated in the file; suffixed ~N in file order"] += 1
            entry.entry_id = f"{entry.entry_id}~{seen[entry.entry_id]}"


def _dedupe(name: str, aliases: list[Alias]) -> list[Alias]:
    seen = {fold(name)}
    out = []
    for alias in aliases:
        key = fold(alias.name)
        if key and key not in seen:
            seen.add(key)
            out.append(alias)
    return out


def _address_text(parts: Iterable[Any]) -> str | None:
    text = ", ".join(p for p in (_clean(x) for x in parts) if p)
    return text or None


def _json(path: Path, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ListFormatError(path, f"not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ListFormatError(
            path, f"not valid JSON: {exc.msg}", f"line {exc.lineno} column {exc.colno}"
        ) from exc


def _timestamp(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None


def _decode(path: Path, data: bytes, encodings: Sequence[str]) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ListFormatError(path, f"cannot decode as {' or '.join(encodings)}")


def _csv_records(
    path: Path, text: str, delimiter: str = ","
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs; a row with a different field count raises."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ListFormatError(path, "empty file") from None
    except csv.Error as exc:
        raise ListFormatError(path, f"bad CSV: {exc}", "line 1") from exc

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ListFormatError(path, f"bad CSV: {exc}", f"line {reader.line_num}") from exc
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise ListFormatError(
                    path,
                    f"{len(values)} fields where the header has {len(header)}",
                    f"line {reader.line_num}",
                )
            yield reader.line_num, dict(zip(header, values, strict=True))

    return header, rows()
