"""Imported ownership links, in the list store's database (SQLite or PostgreSQL).

Each import of an ownership file is a version under a name (default `ownership`), with its
source path, sha256 and time of import, like a list version; the graph screening uses is the
union of the latest version of every name. Re-importing identical bytes is a no-op. The tables
(`cp_ownership_imports`, `cp_ownership_links`) are created on first use, as the list store's
were before the audit migrations adopted them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import Column, DateTime, func
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, select

from screener.parties.ownership import Link, OwnershipGraph, read_ownership_csv


class OwnershipImportRow(SQLModel, table=True):
    __tablename__ = "cp_ownership_imports"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    source: str
    content_hash: str
    imported_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    links: int


class OwnershipLinkRow(SQLModel, table=True):
    __tablename__ = "cp_ownership_links"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="cp_ownership_imports.id", index=True)
    owner: str
    owned: str
    share: float
    source: str
    date: dt.date | None = None


_TABLES = [OwnershipImportRow.__table__, OwnershipLinkRow.__table__]  # type: ignore[attr-defined]


class OwnershipImport(BaseModel):
    name: str
    source: str
    content_hash: str
    imported_at: dt.datetime
    links: int


def _import(row: OwnershipImportRow) -> OwnershipImport:
    at = row.imported_at
    return OwnershipImport(
        name=row.name,
        source=row.source,
        content_hash=row.content_hash,
        imported_at=at if at.tzinfo else at.replace(tzinfo=dt.UTC),
        links=row.links,
    )


class OwnershipStore:
    """Ownership imports in one database (the list store's engine)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ready = False

    def _session(self) -> Session:
        if not self._ready:
            SQLModel.metadata.create_all(self.engine, tables=_TABLES)
            self._ready = True
        return Session(self.engine, expire_on_commit=False)

    def _latest(self, session: Session) -> list[OwnershipImportRow]:
        newest = (
            select(func.max(OwnershipImportRow.id))
            .group_by(OwnershipImportRow.name)
            .scalar_subquery()
        )
        return list(
            session.exec(
                select(OwnershipImportRow).where(OwnershipImportRow.id.in_(newest))  # type: ignore[union-attr]
            )
        )

    def import_csv(self, path: Path | str, name: str = "ownership") -> tuple[OwnershipImport, bool]:
        """Import an ownership CSV (see `read_ownership_csv`) as the new version of `name`;
        returns the version and whether anything was stored (False: identical bytes)."""
        path = Path(path)
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        with self._session() as session:
            current = {r.name: r for r in self._latest(session)}.get(name)
            if current is not None and current.content_hash == digest:
                return _import(current), False
        links = read_ownership_csv(path, data)
        row = OwnershipImportRow(
            name=name,
            source=str(path.resolve()),
            content_hash=digest,
            imported_at=dt.datetime.now(dt.UTC),
            links=len(links),
        )
        with self._session() as session:
            session.add(row)
            session.flush()
            assert row.id is not None
            session.add_all(
                OwnershipLinkRow(import_id=row.id, **link.model_dump()) for link in links
            )
            session.commit()
            return _import(row), True

    def imports(self) -> list[OwnershipImport]:
        """The latest import of each name."""
        with self._session() as session:
            return [_import(r) for r in self._latest(session)]

    def graph(self) -> OwnershipGraph | None:
        """The links of the latest import of every name, or None when nothing is imported."""
        with self._session() as session:
            ids = [r.id for r in self._latest(session)]
            if not ids:
                return None
            rows = session.exec(
                select(OwnershipLinkRow)
                .where(OwnershipLinkRow.import_id.in_(ids))  # type: ignore[attr-defined]
                .order_by(OwnershipLinkRow.id)  # type: ignore[arg-type]
            )
            return OwnershipGraph(
                [
                    Link(owner=r.owner, owned=r.owned, share=r.share, source=r.source, date=r.date)
                    for r in rows
                ]
            )
