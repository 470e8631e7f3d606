"""Batch jobs submitted through the API: their files, status and progress, in the database so
a restarted service knows which jobs to resume."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from screener.audit.db import open_engine
from screener.audit.models import BatchJobRow, utc

STATUSES = ("queued", "running", "done", "failed")


class BatchJob(BaseModel):
    id: str
    created_at: dt.datetime
    created_by: str
    input_name: str
    input_path: str
    output_path: str
    status: str
    total_lines: int
    done_lines: int
    counts: dict[str, Any]
    error: str | None
    updated_at: dt.datetime
    finished_at: dt.datetime | None


def _job(row: BatchJobRow) -> BatchJob:
    return BatchJob(
        id=row.id,
        created_at=utc(row.created_at),
        created_by=row.created_by,
        input_name=row.input_name,
        input_path=row.input_path,
        output_path=row.output_path,
        status=row.status,
        total_lines=row.total_lines,
        done_lines=row.done_lines,
        counts=json.loads(row.counts),
        error=row.error,
        updated_at=utc(row.updated_at),
        finished_at=utc(row.finished_at) if row.finished_at else None,
    )


class JobStore:
    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.engine = engine or open_engine(url)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def create(
        self,
        job_id: str,
        *,
        created_by: str,
        input_name: str,
        input_path: str,
        output_path: str,
        total_lines: int,
    ) -> BatchJob:
        now = dt.datetime.now(dt.UTC)
        row = BatchJobRow(
            id=job_id,
            created_at=now,
            created_by=created_by,
            input_name=input_name,
            input_path=input_path,
            output_path=output_path,
            status="queued",
            total_lines=total_lines,
            done_lines=0,
            counts="{}",
            updated_at=now,
        )
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
            return _job(row)

    def get(self, job_id: str) -> BatchJob | None:
        with Session(self.engine) as session:
            row = session.get(BatchJobRow, job_id)
            return _job(row) if row else None

    def update(
        self,
        job_id: str,
        *,
        status: str | None = None,
        done_lines: int | None = None,
        counts: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        now = dt.datetime.now(dt.UTC)
        with Session(self.engine) as session:
            row = session.get(BatchJobRow, job_id)
            if row is None:
                return
            if status is not None:
                assert status in STATUSES, status
                row.status = status
                if status in ("done", "failed"):
                    row.finished_at = now
            if done_lines is not None:
                row.done_lines = done_lines
            if counts is not None:
                row.counts = json.dumps(counts)
            if error is not None:
                row.error = error
            row.updated_at = now
            session.add(row)
            session.commit()

    def unfinished(self) -> list[BatchJob]:
        """Jobs queued or running when the service stopped: to resume, oldest first."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(BatchJobRow)
                .where(col(BatchJobRow.status).in_(("queued", "running")))
                .order_by(col(BatchJobRow.created_at))
            )
            return [_job(r) for r in rows]

    def recent(self, created_by: str | None = None, limit: int = 50) -> list[BatchJob]:
        """The newest jobs first (only `created_by`'s when given): the review page's list."""
        query = select(BatchJobRow)
        if created_by is not None:
            query = query.where(BatchJobRow.created_by == created_by)
        with Session(self.engine) as session:
            rows = session.exec(query.order_by(col(BatchJobRow.created_at).desc()).limit(limit))
            return [_job(r) for r in rows]
