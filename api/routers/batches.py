"""Batch jobs: `POST /v1/batches` uploads a shipment CSV (the layout of `chokepoint batch`),
`GET /v1/batches/{id}` gives status and progress, `GET /v1/batches/{id}/results` streams the
output as CSV or JSON Lines (while running: the lines done so far)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel

from api.deps import ScreenKey, Svc
from api.responses import KEYED, refusals
from api.services import Services
from screener.audit.jobs import BatchJob
from screener.audit.keys import ApiKey
from screener.batch.layout import OUTPUT_COLUMNS, HeaderError, check_header
from screener.batch.reader import count_lines, read_header

router = APIRouter(prefix="/v1", tags=["batches"], responses=KEYED)


class JobStatus(BaseModel):
    id: str
    status: str
    input_name: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    total_lines: int
    done_lines: int
    progress: float
    summary: dict[str, Any]
    error: str | None
    results: str


def _status(job: BatchJob) -> JobStatus:
    return JobStatus(
        id=job.id,
        status=job.status,
        input_name=job.input_name,
        created_at=job.created_at,
        finished_at=job.finished_at,
        total_lines=job.total_lines,
        done_lines=job.done_lines,
        progress=round(job.done_lines / job.total_lines, 4) if job.total_lines else 1.0,
        summary=job.counts,
        error=job.error,
        results=f"/v1/batches/{job.id}/results",
    )


def _own_job(svc: Services, job_id: str, key: ApiKey) -> BatchJob:
    job = svc.jobs.get(job_id)
    if job is None or (key.role != "admin" and job.created_by != key.label):
        raise HTTPException(404, f"no batch job {job_id}")
    return job


@router.post("/batches", response_model=JobStatus, status_code=202)
def create_batch(
    file: Annotated[UploadFile, File(description="Shipment CSV (`chokepoint batch --template`)")],
    key: ScreenKey,
    svc: Svc,
) -> JobStatus:
    """Queue a shipment CSV for screening; the header is checked at once (422 naming missing
    or unknown columns)."""
    job_id = svc.jobs.new_id()
    folder = svc.jobs_dir / job_id
    folder.mkdir(parents=True)
    source = folder / "input.csv"
    try:
        with source.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        if source.stat().st_size == 0:
            raise HTTPException(422, "the uploaded file is empty")
        try:
            check_header(next(csv.reader([read_header(source)]), []))
        except (HeaderError, csv.Error) as exc:
            raise HTTPException(422, f"header line: {exc}") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job = svc.jobs.create(
        job_id,
        created_by=key.label,
        input_name=Path(file.filename or "upload.csv").name,
        input_path=str(source),
        output_path=str(folder / "results.csv"),
        total_lines=max(count_lines(source) - 1, 0),
    )
    svc.runner.submit(job_id)
    return _status(job)


@router.get("/batches/{job_id}", response_model=JobStatus, responses=refusals(404))
def get_batch(
    job_id: str,
    key: ScreenKey,
    svc: Svc,
) -> JobStatus:
    return _status(_own_job(svc, job_id, key))


class ResultFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def _complete(path: Path) -> int:
    """Bytes up to the last complete row: a running job may be half-way through one."""
    with path.open("rb") as f:
        size = f.seek(0, 2)
        f.seek(max(0, size - (1 << 16)))
        tail = f.read()
    cut = tail.rfind(b"\n")
    return size - len(tail) + cut + 1 if cut >= 0 else 0


def _csv(path: Path, end: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        while f.tell() < end and (block := f.read(min(1 << 16, end - f.tell()))):
            yield block


def _jsonl(path: Path, end: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.readline()  # the header
        while f.tell() < end:
            line = f.readline().decode("utf-8")
            row = next(csv.reader([line]))
            record: dict[str, Any] = dict(zip(OUTPUT_COLUMNS, row, strict=True))
            record["line"] = int(record["line"])
            yield (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


@router.get(
    "/batches/{job_id}/results",
    responses={
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}},
        **refusals(404, 409),
    },
)
def get_results(
    job_id: str,
    key: ScreenKey,
    svc: Svc,
    format: Annotated[ResultFormat, Query(description="csv or jsonl")] = ResultFormat.csv,
) -> StreamingResponse:
    """One output line per input line (see the README's batch layout)."""
    job = _own_job(svc, job_id, key)
    path = Path(job.output_path)
    if not path.exists():
        raise HTTPException(409, f"batch job {job_id} has not started yet (status {job.status})")
    headers = {"X-Job-Status": job.status}
    end = _complete(path)
    if format == ResultFormat.jsonl:
        return StreamingResponse(
            _jsonl(path, end), media_type="application/x-ndjson", headers=headers
        )
    return StreamingResponse(_csv(path, end), media_type="text/csv; charset=utf-8", headers=headers)


@router.get(
    "/batches/{job_id}/report",
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}},
        **refusals(404, 409),
    },
)
def get_report(
    job_id: str,
    key: ScreenKey,
    svc: Svc,
) -> HTMLResponse:
    """The self-contained HTML report (counts, chart, top clauses, lines needing review)."""
    job = _own_job(svc, job_id, key)
    path = Path(job.output_path).with_suffix(".html")
    if job.status != "done" or not path.exists():
        raise HTTPException(
            409, f"the report is written when the job is done (status {job.status})"
        )
    return HTMLResponse(path.read_text(encoding="utf-8"))
