"""Table models (the schema itself is created by the migrations in `migrations/versions`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel


def _tz(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable)


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "cp_api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    role: str
    prefix: str
    key_hash: str = Field(unique=True)
    created_at: dt.datetime = Field(sa_column=_tz())
    revoked_at: dt.datetime | None = Field(default=None, sa_column=_tz(nullable=True))


class ScreeningRow(SQLModel, table=True):
    __tablename__ = "cp_screenings"

    id: int | None = Field(default=None, primary_key=True)
    screened_at: dt.datetime = Field(sa_column=_tz())
    quarter: str
    requested_by: str
    source: str
    transaction_id: str | None = None
    as_of: dt.date
    decision: str
    engine: str
    versions: str = Field(sa_column=Column(Text, nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    input: str = Field(sa_column=Column(Text, nullable=False))
    # the result itself only in rows from before 0003 or with CHOKEPOINT_AUDIT_RESULTS=full;
    # otherwise its SHA-256 and size: what a reproduction is checked against
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    result_sha256: str | None = Field(default=None, max_length=64)
    result_bytes: int | None = None


class VerdictRow(SQLModel, table=True):
    __tablename__ = "cp_screening_verdicts"

    id: int | None = Field(default=None, primary_key=True)
    screening_id: int = Field(foreign_key="cp_screenings.id")
    jurisdiction: str
    decision: str


class FindingRow(SQLModel, table=True):
    __tablename__ = "cp_screening_findings"

    id: int | None = Field(default=None, primary_key=True)
    screening_id: int = Field(foreign_key="cp_screenings.id")
    jurisdiction: str
    rule_id: str
    outcome: str
    decisive: bool


class HitRow(SQLModel, table=True):
    """One party hit of a stored screening (its index in the result's `party_hits`)."""

    __tablename__ = "cp_screening_hits"

    id: int | None = Field(default=None, primary_key=True)
    screening_id: int = Field(foreign_key="cp_screenings.id")
    hit_index: int
    query_name: str = Field(sa_column=Column(Text, nullable=False))
    list_name: str
    entry_id: str
    band: str


class BatchJobRow(SQLModel, table=True):
    __tablename__ = "cp_batch_jobs"

    id: str = Field(primary_key=True)
    created_at: dt.datetime = Field(sa_column=_tz())
    created_by: str
    input_name: str
    input_path: str
    output_path: str
    status: str
    total_lines: int
    done_lines: int
    counts: str = Field(sa_column=Column(Text, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: dt.datetime = Field(sa_column=_tz())
    finished_at: dt.datetime | None = Field(default=None, sa_column=_tz(nullable=True))


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (written as UTC), PostgreSQL aware ones."""
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
