"""Shadow mode: a draft pack runs beside the live pack on new screenings without deciding.

`ShadowRunner.screen` returns the live result unchanged, evaluates the draft on the same
transaction and hands the comparison to a sink (`JsonlShadowSink` by default; anything with a
`record(ShadowRecord)` method, e.g. the audit store, will do). A draft that fails, or a sink
that fails, is logged and recorded where possible but never changes or delays the live
decision with an exception. `shadow_report` reads the records back into the same
`ImpactReport` replay produces.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from schemas.result import ScreeningResult
from schemas.transaction import Transaction
from screener.authoring.diff import ImpactReport, ScreeningDiff, compare, summarize
from screener.engine import Screener
from screener.errors import parse_model

log = logging.getLogger(__name__)


class ShadowRecord(BaseModel):
    """What the draft would have decided for one live screening."""

    at: dt.datetime
    draft: str
    draft_version: str | None = None
    live_versions: dict[str, str] = Field(default_factory=dict)
    diff: ScreeningDiff | None = None
    error: str | None = Field(default=None, description="why the draft could not be evaluated")


class ShadowSink(Protocol):
    def record(self, record: ShadowRecord) -> None: ...


class MemoryShadowSink:
    """Keeps records in a list (tests, or a caller that persists them itself)."""

    def __init__(self) -> None:
        self.records: list[ShadowRecord] = []

    def record(self, record: ShadowRecord) -> None:
        self.records.append(record)


class JsonlShadowSink:
    """Appends one JSON line per record; a lock keeps lines whole across threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, record: ShadowRecord) -> None:
        line = record.model_dump_json() + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)


class ShadowRunner:
    """Wraps the live Screener: screens with it, shadows the draft, returns the live result."""

    def __init__(
        self,
        live: Screener,
        draft: Screener,
        sink: ShadowSink,
        draft_name: str,
        draft_version: str | None = None,
        executor: Executor | None = None,
    ) -> None:
        """`executor`: run the draft and the sink off the caller's thread (a service passes a
        one-thread pool so shadowing adds no latency to the live answer); None: inline."""
        self.executor = executor
        self.live = live
        self.draft = draft
        self.sink = sink
        self.draft_name = draft_name
        self.draft_version = draft_version
        self._counter = 0
        self._lock = threading.Lock()

    def screen(
        self, transaction: Transaction | dict[str, Any], screening_id: str | None = None
    ) -> ScreeningResult:
        """The live decision, exactly as `live.screen` gives it (input errors propagate as
        they would without shadowing); the draft's view goes to the sink."""
        tx = (
            transaction
            if isinstance(transaction, Transaction)
            else parse_model(Transaction, transaction)
        )
        result = self.live.screen(tx)
        with self._lock:
            self._counter += 1
            n = self._counter
        sid = screening_id or tx.id or f"shadow-{n}"
        if self.executor is None:
            self.observe(sid, tx, result)
        else:
            self.executor.submit(self.observe, sid, tx, result)
        return result

    def observe(self, sid: str, tx: Transaction, result: ScreeningResult) -> None:
        """Shadow a live result the caller already has (a service that screens, stores and
        then shadows under the id the audit trail gave it); never raises."""
        record = ShadowRecord(
            at=dt.datetime.now(dt.UTC),
            draft=self.draft_name,
            draft_version=self.draft_version,
            live_versions=result.versions,
        )
        try:
            record.diff = compare(sid, result, self.draft.screen(tx))
        except Exception as exc:  # the draft must never break a live screening
            log.warning("shadow draft %s failed on %s: %s", self.draft_name, sid, exc)
            record.error = f"{sid}: {type(exc).__name__}: {exc}"
        try:
            self.sink.record(record)
        except Exception as exc:  # nor may the sink
            log.warning("shadow sink failed for %s: %s", sid, exc)


def read_shadow_log(path: Path) -> Iterator[ShadowRecord]:
    """Records of a JSONL shadow log; raises ValueError naming the first bad line."""
    with path.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield ShadowRecord.model_validate_json(line)
            except ValidationError as exc:
                raise ValueError(
                    f"{path}:{n}: not a shadow record: {exc.errors()[0]['msg']}"
                ) from exc


def shadow_report(records: Iterable[ShadowRecord], draft: str | None = None) -> ImpactReport:
    """The disagreement between the live pack and a draft over the recorded screenings
    (of `draft` only, when given; otherwise of the first draft met)."""
    chosen: list[ScreeningDiff] = []
    errors: list[str] = []
    name, version = draft, None
    live_versions: dict[str, str] = {}
    for r in records:
        if name is None:
            name = r.draft
        if r.draft != name:
            continue
        version = r.draft_version or version
        live_versions = r.live_versions or live_versions
        if r.diff is not None:
            chosen.append(r.diff)
        if r.error:
            errors.append(r.error)
    report = summarize(chosen, name or "draft", version, errors)
    report.live_versions = live_versions  # of the latest record: the live pack may change
    return report
