"""Native-script aliases from public data, attached to the list entries they name.

The CSL writes every name in Latin script; many listed Chinese and Russian entities are
known by a native name that is a translation, not a transliteration (中芯国际集成电路制造有限公司
is SMIC). Public compilations record these names; the project ships them in
`data/native_aliases.csv` (built by tools/build_native_aliases.py, one cited source record
per row), so screening does not depend on any file outside the project.

An alias row names the listed entity by its English name (`listed_name`). It is attached to
every entry one of whose names has the same key (folded, trailing legal forms dropped), trying the
name as written and its base before a bracket or "Affiliated Entity" ("Huawei Technologies
Co., Ltd. (Huawei)" -> "Huawei Technologies Co., Ltd."). The alias keeps its source, and a
hit on it says which source gave the name.

A newer file replaces the bundled one: `CHOKEPOINT_ALIAS_FILE` names it, and the file with
the later `# dataset-date:` line is used (the bundled one when dates are equal). The table's
sha256 is part of each list's index cache key, so a new table rebuilds the index.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from schemas.lists import Alias, AliasType, ListEntry
from screener.parties.normalize import fold

BUNDLED = Path(__file__).resolve().parent / "data" / "native_aliases.csv"
ENV = "CHOKEPOINT_ALIAS_FILE"
COLUMNS = ("listed_name", "alias", "alias_type", "source", "source_date")
_DATE = re.compile(r"^#\s*dataset-date:\s*(\d{4}-\d{2}-\d{2})", re.MULTILINE)
_BASE = re.compile(r"\s*\(|\. Affiliated")


@dataclass(frozen=True)
class AliasTable:
    """Alias rows keyed by the comparable form of the listed name they belong to."""

    path: Path
    dataset_date: dt.date | None
    sha256: str
    by_name: dict[str, tuple[tuple[str, AliasType, str], ...]]  # comparable -> (alias, type, src)
    rows: int


_LEGAL_TAIL = re.compile(
    r"(?:\s+(?:co|company|ltd|limited|inc|incorporated|corp|corporation|llc|jsc|plc|gmbh))+$"
)


def _key(name: str) -> str:
    """Cheap spelling-independent key (fold, trailing legal forms dropped): it runs over
    every name of a 26k-entry list at index build, where the full normaliser costs ~30 s."""
    return _LEGAL_TAIL.sub("", fold(name))


def read_alias_table(path: Path | str) -> AliasTable:
    """Parse an alias CSV (lines starting with '#' are comments; see COLUMNS)."""
    path = Path(path)
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    date_m = _DATE.search(text)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path}: alias file lacks column(s) {', '.join(missing)}")
    by_name: dict[str, list[tuple[str, AliasType, str]]] = defaultdict(list)
    rows = 0
    for row in reader:
        alias, listed = (row["alias"] or "").strip(), (row["listed_name"] or "").strip()
        if not alias or not listed:
            continue
        kind = AliasType(row["alias_type"].strip() or "aka")
        source = f"{row['source'].strip()}; dated {row['source_date'].strip()}"
        key = _key(listed)
        if key:
            by_name[key].append((alias, kind, source))
            rows += 1
    return AliasTable(
        path=path,
        dataset_date=dt.date.fromisoformat(date_m.group(1)) if date_m else None,
        sha256=hashlib.sha256(raw).hexdigest(),
        by_name={k: tuple(v) for k, v in by_name.items()},
        rows=rows,
    )


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> AliasTable:
    return read_alias_table(path)


def current_alias_table() -> AliasTable:
    """The bundled table, or the file named by CHOKEPOINT_ALIAS_FILE when it is newer."""
    candidates = [BUNDLED]
    override = os.environ.get(ENV)
    if override:
        if not Path(override).is_file():
            raise FileNotFoundError(f"{ENV}={override}: no such file")
        candidates.append(Path(override))
    tables = [_cached(str(p), p.stat().st_mtime) for p in candidates]
    # the later dataset date wins; on a tie (or no date) the file named by the user
    return max(enumerate(tables), key=lambda it: (it[1].dataset_date or dt.date.min, it[0]))[1]


def with_aliases(entries: list[ListEntry], table: AliasTable) -> list[ListEntry]:
    """Entries with the table's aliases for them added (copies; the rest unchanged).

    Only aliases whose comparable form the entry does not already carry are added, so the
    list's own names keep precedence and a hit on them cites the list, not the table."""
    out = []
    for entry in entries:
        found: list[tuple[str, AliasType, str]] = []
        for a in entry.all_names():
            for cand in {a.name, _BASE.split(a.name)[0]}:
                found.extend(table.by_name.get(_key(cand), ()))
        if not found:
            out.append(entry)
            continue
        have = {_key(a.name) for a in entry.all_names()}
        extra: list[Alias] = []
        for alias, kind, source in found:
            k = _key(alias)
            if k and k not in have:
                have.add(k)
                extra.append(Alias(name=alias, type=kind, source=source))
        out.append(
            entry.model_copy(update={"aliases": [*entry.aliases, *extra]}) if extra else entry
        )
    return out
