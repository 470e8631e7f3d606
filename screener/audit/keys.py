"""API keys with roles, stored as sha256 hashes: a stolen database yields no usable key.

A key is `cp_<prefix>_<secret>` with 256 bits of randomness, so a plain sha256 (not a slow
password hash) is the right tool: there is nothing to brute-force. The prefix is kept in
clear to name a key in logs and the audit trail without revealing it.

Roles: `screen` (screen transactions and run batches), `author` (read rules, statistics and
stored screenings: rule authors replaying decisions), `review` (the review pages: the queue,
adjudicating party hits, re-screening, the gap map, batch reports and statistics), `admin`
(everything).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from screener.audit.db import open_engine
from screener.audit.models import ApiKeyRow, utc

ROLES: tuple[str, ...] = ("screen", "author", "review", "admin")


class ApiKey(BaseModel):
    id: int
    name: str
    role: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

    @property
    def label(self) -> str:
        """Who asked, as the audit trail records it."""
        return f"key:{self.prefix}:{self.name}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _key(row: ApiKeyRow) -> ApiKey:
    assert row.id is not None
    return ApiKey(
        id=row.id,
        name=row.name,
        role=row.role,
        prefix=row.prefix,
        created_at=utc(row.created_at),
        revoked_at=utc(row.revoked_at) if row.revoked_at else None,
    )


class KeyStore:
    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.engine = engine or open_engine(url)

    def create(self, role: str, name: str = "") -> tuple[str, ApiKey]:
        """A new key for `role`: (the key, shown once and never stored, and its record)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        prefix = secrets.token_hex(4)
        key = f"cp_{prefix}_{secrets.token_urlsafe(32)}"
        row = ApiKeyRow(
            name=name or role,
            role=role,
            prefix=prefix,
            key_hash=hash_key(key),
            created_at=dt.datetime.now(dt.UTC),
        )
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
            return key, _key(row)

    def verify(self, key: str) -> ApiKey | None:
        """The key's record if it exists and is not revoked, else None."""
        if not key:
            return None
        with Session(self.engine) as session:
            row = session.exec(select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(key))).first()
            if row is None or row.revoked_at is not None:
                return None
            return _key(row)

    def get(self, key_id: int) -> ApiKey | None:
        """The key's record by id if it is not revoked (a browser session names its key by
        id, never by the key itself), else None."""
        with Session(self.engine) as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None or row.revoked_at is not None:
                return None
            return _key(row)

    def list(self) -> list[ApiKey]:
        with Session(self.engine) as session:
            return [_key(r) for r in session.exec(select(ApiKeyRow).order_by(col(ApiKeyRow.id)))]

    def revoke(self, prefix: str) -> ApiKey | None:
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.exec(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix)).first()
            if row is None:
                return None
            row.revoked_at = dt.datetime.now(dt.UTC)
            session.add(row)
            session.commit()
            return _key(row)
