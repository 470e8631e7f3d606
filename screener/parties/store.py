"""Persistence of imported lists and reviewers' adjudications (SQLModel; SQLite or PostgreSQL).

Every import is a `ListVersion` (name, format, source, publication date, sha256 of the bytes
read, time of import, entry count); its entries are stored one row each, the entry as JSON
in one column beside the indexed list name, version and entry id, so a 26k-entry CSL is a
single bulk insert. Importing content identical to the latest version of that name is a
no-op: the screening result cites `<name>@<content hash>`, and the same bytes must keep
the same citation.

An adjudication records a reviewer's decision on one (query, list entry) pair together with
the entry's content hash at decision time. A release ("false_positive") therefore holds
only while the entry is unchanged: when a later list version changes the entry,
`current_entry_hash` differs and screening re-opens the hit (see `parties/screening.py`).

The database URL comes from the argument, else `CHOKEPOINT_DATABASE_URL`, else a SQLite
file in the per-user data directory (`screener.settings`). Tables (all named `cp_...`) are created
on first use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Index, Text, func
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from schemas.lists import ListEntry, ListVersion
from screener.parties.diff import ListDiff, diff_entries
from screener.parties.formats.common import ImportReport
from screener.parties.formats.registry import content_hash, load_list
from screener.settings import database_url

Decision = Literal["false_positive", "true_match"]
DECISIONS: tuple[str, ...] = ("false_positive", "true_match")


# --------------------------------------------------------------------------- tables


class ListVersionRow(SQLModel, table=True):
    __tablename__ = "cp_list_versions"
    __table_args__ = (Index("ix_cp_list_versions_name_hash", "name", "content_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    format: str
    source: str
    published: dt.date | None = None
    content_hash: str
    imported_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    entries: int
    report: str | None = Field(default=None, sa_column=Column(Text))


class ListEntryRow(SQLModel, table=True):
    __tablename__ = "cp_list_entries"
    __table_args__ = (
        Index("ix_cp_list_entries_version_entry", "version_id", "entry_id"),
        Index("ix_cp_list_entries_name_entry", "list_name", "entry_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="cp_list_versions.id")
    list_name: str
    entry_id: str
    entry_hash: str
    data: str = Field(sa_column=Column(Text, nullable=False))


class AdjudicationRow(SQLModel, table=True):
    __tablename__ = "cp_adjudications"
    __table_args__ = (
        Index("ix_cp_adjudications_lookup", "query_normalised", "list_name", "entry_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    query_name: str
    query_normalised: str
    list_name: str
    entry_id: str
    decision: str
    reviewer: str
    reason: str = Field(sa_column=Column(Text, nullable=False))
    entry_hash: str | None = None
    decided_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


_TABLES = [ListVersionRow.__table__, ListEntryRow.__table__, AdjudicationRow.__table__]  # type: ignore[attr-defined]


class Adjudication(BaseModel):
    """A reviewer's recorded decision on one query against one list entry."""

    id: int
    query_name: str
    query_normalised: str
    list_name: str
    entry_id: str
    decision: Decision
    reviewer: str
    reason: str
    entry_hash: str | None  # the entry's content hash when the decision was taken
    decided_at: dt.datetime


# --------------------------------------------------------------------------- helpers


def entry_hash(entry: ListEntry) -> str:
    """sha256 of the entry's canonical JSON (all fields, sorted keys): equal if and only if
    nothing a reviewer could have relied on changed."""
    canonical = json.dumps(
        entry.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def normalise_query(name: str) -> str:
    """Casefold, drop accents and punctuation, collapse whitespace: `Banco Nacional de Cuba.`
    and `BANCO  NACIONAL DE CUBA` are the same query. (The matcher's normaliser can be
    passed to `ListStore` instead.)"""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", stripped.casefold()).split())


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (written as UTC), PostgreSQL the session's zone."""
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _version(row: ListVersionRow) -> ListVersion:
    return ListVersion(
        name=row.name,
        format=row.format,
        source=row.source,
        published=row.published,
        content_hash=row.content_hash,
        imported_at=_utc(row.imported_at),
        entries=row.entries,
    )


def _adjudication(row: AdjudicationRow) -> Adjudication:
    data = row.model_dump()
    data["decided_at"] = _utc(row.decided_at)
    return Adjudication.model_validate(data)


# --------------------------------------------------------------------------- the store


class ListStore:
    """Imported list versions, their entries, and adjudications, in one database."""

    def __init__(
        self,
        url: str | None = None,
        *,
        normaliser: Callable[[str], str] = normalise_query,
        engine: Engine | None = None,
    ) -> None:
        self.url = database_url(url)
        self.engine = engine or create_engine(self.url)
        self.normalise = normaliser
        self._ready = False

    def _session(self) -> Session:
        if not self._ready:
            SQLModel.metadata.create_all(self.engine, tables=_TABLES)
            self._ready = True
        return Session(self.engine, expire_on_commit=False)

    def _latest_row(self, session: Session, name: str) -> ListVersionRow | None:
        return session.exec(
            select(ListVersionRow)
            .where(ListVersionRow.name == name)
            .order_by(ListVersionRow.id.desc())  # type: ignore[union-attr]
            .limit(1)
        ).first()

    def _latest_rows(self, session: Session) -> list[ListVersionRow]:
        newest = select(func.max(ListVersionRow.id)).group_by(ListVersionRow.name).scalar_subquery()
        return list(
            session.exec(
                select(ListVersionRow)
                .where(ListVersionRow.id.in_(newest))  # type: ignore[union-attr]
                .order_by(ListVersionRow.name)
            )
        )

    # ------------------------------------------------------------------ lists

    def import_list(self, path: Path | str, fmt: str, name: str, **opts: Any) -> ListVersion:
        """Import a list file as a new version of `name`; a no-op returning the latest
        version when the bytes are identical to it. Options go to the importer."""
        return self.import_list_with_report(path, fmt, name, **opts)[0]

    def import_list_with_report(
        self, path: Path | str, fmt: str, name: str, **opts: Any
    ) -> tuple[ListVersion, ImportReport | None]:
        """`import_list`, and the import report (None when nothing was imported)."""
        digest = content_hash(path, fmt)
        with self._session() as session:
            latest = self._latest_row(session, name)
            if latest is not None and latest.content_hash == digest:
                return _version(latest), None
        result = load_list(path, fmt, **opts)
        row = ListVersionRow(
            name=name,
            format=fmt,
            source=str(Path(path).resolve()),
            published=result.published,
            content_hash=result.content_hash,
            imported_at=dt.datetime.now(dt.UTC),
            entries=len(result.entries),
            report=json.dumps(result.report.to_dict(), ensure_ascii=False),
        )
        with self._session() as session:
            session.add(row)
            session.flush()
            assert row.id is not None
            rows = [
                {
                    "version_id": row.id,
                    "list_name": name,
                    "entry_id": entry.entry_id,
                    "entry_hash": entry_hash(entry),
                    "data": entry.model_dump_json(exclude_defaults=True),
                }
                for entry in result.entries
            ]
            table = ListEntryRow.__table__  # type: ignore[attr-defined]
            for start in range(0, len(rows), 5000):  # executemany: one bulk insert per chunk
                session.connection().execute(table.insert(), rows[start : start + 5000])
            session.commit()
            return _version(row), result.report

    def versions(self) -> list[ListVersion]:
        """The latest version of each list name, by name."""
        with self._session() as session:
            return [_version(r) for r in self._latest_rows(session)]

    def history(self, name: str) -> list[ListVersion]:
        """Every version imported under `name`, newest first."""
        with self._session() as session:
            rows = session.exec(
                select(ListVersionRow)
                .where(ListVersionRow.name == name)
                .order_by(ListVersionRow.id.desc())  # type: ignore[union-attr]
            )
            return [_version(r) for r in rows]

    def delete_list(self, name: str) -> tuple[int, int]:
        """Remove every version of `name` and their entries, in one transaction; returns
        (versions, entries) removed, (0, 0) when there is no such list. Adjudications stay:
        they are reviewers' decisions on record, and apply again (with their entry-hash
        check) if the list is imported again. Screenings in the audit trail keep citing the
        list version they were screened against."""
        versions = ListVersionRow.__table__  # type: ignore[attr-defined]
        entries = ListEntryRow.__table__  # type: ignore[attr-defined]
        with self._session() as session:
            ids = list(session.exec(select(ListVersionRow.id).where(ListVersionRow.name == name)))
            if not ids:
                return 0, 0
            conn = session.connection()
            gone = conn.execute(entries.delete().where(entries.c.version_id.in_(ids))).rowcount
            conn.execute(versions.delete().where(versions.c.id.in_(ids)))
            session.commit()
            return len(ids), gone

    def _resolve(self, session: Session, name: str, ref: str | int | None) -> ListVersionRow:
        """The version `ref` names: None for the latest, an ordinal (1 = the first imported,
        -1 the latest, -2 the one before), or a content-hash prefix of at least 6 hex digits.
        An unknown list or version raises LookupError."""
        rows = list(
            session.exec(
                select(ListVersionRow)
                .where(ListVersionRow.name == name)
                .order_by(ListVersionRow.id)  # type: ignore[arg-type]
            )
        )
        if not rows:
            raise LookupError(f"no list imported under {name!r}")
        if ref is None:
            return rows[-1]
        text = str(ref).strip()
        if re.fullmatch(r"-?\d{1,5}", text):
            n = int(text)
            if 1 <= n <= len(rows):
                return rows[n - 1]
            if -len(rows) <= n <= -1:
                return rows[n]
            raise LookupError(f"{name!r} has {len(rows)} version(s), no version {n}")
        matches = [r for r in rows if r.content_hash.startswith(text.lower())]
        if len(text) < 6 or not matches:
            raise LookupError(
                f"{name!r} has no version {text!r} (give an ordinal, or 6+ hex digits of its hash)"
            )
        if len({r.content_hash for r in matches}) > 1:
            raise LookupError(f"{text!r} names several versions of {name!r}: give more digits")
        return matches[-1]

    def _version_entries(
        self, session: Session, row: ListVersionRow, only: set[str] | None = None
    ) -> list[ListEntry]:
        """Entries of one version in file order; `only`: just those ids (parsed lazily:
        the JSON of the others is not decoded)."""
        query = select(ListEntryRow.entry_id, ListEntryRow.data).where(
            ListEntryRow.version_id == row.id
        )
        if only is not None and len(only) <= 500:
            query = query.where(ListEntryRow.entry_id.in_(sorted(only)))  # type: ignore[attr-defined]
        rows = session.exec(query.order_by(ListEntryRow.id))  # type: ignore[arg-type]
        return [
            ListEntry.model_validate_json(d)
            for entry_id, d in rows
            if only is None or entry_id in only
        ]

    def version(self, name: str, ref: str | int | None = None) -> ListVersion:
        """The version of `name` that `ref` names (see `diff`); LookupError if none."""
        with self._session() as session:
            return _version(self._resolve(session, name, ref))

    def version_entries(self, name: str, ref: str | int | None = None) -> list[ListEntry]:
        """The entries of one stored version (default: the latest), in file order."""
        with self._session() as session:
            return self._version_entries(session, self._resolve(session, name, ref))

    def diff(
        self, name: str, old: str | int | None = None, new: str | int | None = None
    ) -> ListDiff:
        """Entries added, removed and changed from version `old` to version `new` of `name`.

        A version is named by ordinal (1 = the first imported, -1 = the latest) or by a
        content-hash prefix; `new` defaults to the latest and `old` to the version imported
        just before `new` (with a single version, everything in it counts as added)."""
        with self._session() as session:
            to_row = self._resolve(session, name, new)
            assert to_row.id is not None  # a stored row
            if old is None:
                before = session.exec(
                    select(ListVersionRow)
                    .where(ListVersionRow.name == name, col(ListVersionRow.id) < to_row.id)
                    .order_by(ListVersionRow.id.desc())  # type: ignore[union-attr]
                    .limit(1)
                ).first()
            else:
                before = self._resolve(session, name, old)
            # compare the stored entry hashes first: only entries whose hash differs are read
            # and compared field by field (a 26k-entry list with 20 changes reads 20 entries)
            new_hashes = self._hashes(session, to_row)
            old_hashes = self._hashes(session, before) if before else {}
            differ = {i for i, h in new_hashes.items() if old_hashes.get(i) != h}
            differ |= old_hashes.keys() - new_hashes.keys()
            old_entries = self._version_entries(session, before, differ) if before else []
            return diff_entries(
                name,
                _version(before) if before else None,
                old_entries,
                _version(to_row),
                self._version_entries(session, to_row, differ),
            )

    def _hashes(self, session: Session, row: ListVersionRow) -> dict[str, str]:
        query = select(ListEntryRow.entry_id, ListEntryRow.entry_hash).where(
            ListEntryRow.version_id == row.id
        )
        return {entry_id: digest for entry_id, digest in session.exec(query)}

    def entries_by_list(self, names: Sequence[str] | None = None) -> dict[str, list[ListEntry]]:
        """Entries of the latest version of each list (all lists, or `names`), by list name:
        the matcher needs to know which list (and so which version) an entry came from."""
        return self._entries(names)[0]

    def _entries(
        self, names: Sequence[str] | None
    ) -> tuple[dict[str, list[ListEntry]], dict[str, str]]:
        with self._session() as session:
            latest = {r.name: r for r in self._latest_rows(session)}
            wanted = list(latest) if names is None else list(names)
            missing = [n for n in wanted if n not in latest]
            if missing:
                raise KeyError(f"no list imported under {', '.join(map(repr, missing))}")
            out: dict[str, list[ListEntry]] = {}
            for name in wanted:
                data = session.exec(
                    select(ListEntryRow.data)
                    .where(ListEntryRow.version_id == latest[name].id)
                    .order_by(ListEntryRow.id)  # type: ignore[arg-type]
                )
                out[name] = [ListEntry.model_validate_json(d) for d in data]
            return out, {name: latest[name].content_hash for name in wanted}

    def entries(self, names: Sequence[str] | None = None) -> tuple[list[ListEntry], dict[str, str]]:
        """Entries of the latest version of each list, and {list name: content hash}.
        An unknown name raises KeyError: a list that is not there must not screen clear."""
        by_list, hashes = self._entries(names)
        return [e for entries in by_list.values() for e in entries], hashes

    def current_entry_hash(self, list_name: str, entry_id: str) -> str | None:
        """Content hash of the entry in the latest version of the list; None if the list or
        the entry is not there (delisted)."""
        with self._session() as session:
            latest = self._latest_row(session, list_name)
            if latest is None:
                return None
            return session.exec(
                select(ListEntryRow.entry_hash).where(
                    ListEntryRow.version_id == latest.id, ListEntryRow.entry_id == entry_id
                )
            ).first()

    # ------------------------------------------------------------------ adjudications

    def record_adjudication(
        self,
        query_name: str,
        list_name: str,
        entry_id: str,
        decision: Decision,
        reviewer: str,
        reason: str,
    ) -> Adjudication:
        """Record a reviewer's decision, with the entry's current content hash. The entry
        must exist in the latest version of the list: a decision about nothing is a typo."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        if not reviewer.strip() or not reason.strip():
            raise ValueError("an adjudication needs a reviewer and a reason")
        if not self.normalise(query_name):
            raise ValueError("an adjudication needs a query name")
        current = self.current_entry_hash(list_name, entry_id)
        if current is None:
            raise LookupError(f"no entry {entry_id!r} in the latest version of {list_name!r}")
        row = AdjudicationRow(
            query_name=query_name,
            query_normalised=self.normalise(query_name),
            list_name=list_name,
            entry_id=entry_id,
            decision=decision,
            reviewer=reviewer.strip(),
            reason=reason.strip(),
            entry_hash=current,
            decided_at=dt.datetime.now(dt.UTC),
        )
        with self._session() as session:
            session.add(row)
            session.commit()
            return _adjudication(row)

    def adjudicated_entries(self) -> set[tuple[str, str]]:
        """(list name, entry id) of every entry some decision names, in one query: screening
        thousands of names asks the database only about the hits whose entry is here,
        instead of once per hit."""
        with self._session() as session:
            rows = session.exec(
                select(AdjudicationRow.list_name, AdjudicationRow.entry_id).distinct()
            )
            return {(name, entry) for name, entry in rows}

    def adjudications_for(
        self, query_name: str, list_name: str, entry_id: str
    ) -> list[Adjudication]:
        """Decisions on this (normalised) query against this entry, newest first."""
        with self._session() as session:
            rows = session.exec(
                select(AdjudicationRow)
                .where(
                    AdjudicationRow.query_normalised == self.normalise(query_name),
                    AdjudicationRow.list_name == list_name,
                    AdjudicationRow.entry_id == entry_id,
                )
                .order_by(
                    AdjudicationRow.decided_at.desc(),  # type: ignore[attr-defined]
                    AdjudicationRow.id.desc(),  # type: ignore[union-attr]
                )
            )
            return [_adjudication(r) for r in rows]

    def dispose(self) -> None:
        """Close the connection pool (tests, and short-lived CLI runs on PostgreSQL)."""
        self.engine.dispose()
