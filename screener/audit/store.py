"""The audit trail: each screening stored with its input, the rule-pack and list versions
it used, its decision, who asked and when; statistics over them; cheap iteration for replay.

A screening is one row holding what reproduces it and what proves the reproduction right:
the transaction as screened (its date fixed to the date it was screened as of), the versions
of every pack and list, the engine, a `summary` (decision per jurisdiction, rules fired and
decisive) so replay can compare without re-screening, and the SHA-256 and size of the result
JSON exactly as it was answered. The result itself grows with items x clauses (megabytes for
a 250-item shipment, issue #19): CHOKEPOINT_AUDIT_RESULTS=digest does not keep it (the
default, `full`, still does: the review pages read it from the row);
`screener.audit.reproduce` re-screens a stored transaction and checks the result against the
digest (`GET /v1/screenings/{id}` answers with the reproduced result). One row per
jurisdiction verdict and per finding makes statistics plain GROUP BYs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, insert
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session, col, select

from schemas.result import ScreeningResult
from schemas.transaction import Transaction
from screener.audit.db import open_engine
from screener.audit.models import FindingRow, HitRow, ScreeningRow, VerdictRow, utc
from screener.settings import settings


class ScreeningSummary(BaseModel):
    """What replay compares: the decision, per jurisdiction, and the rules that fired."""

    decision: str
    jurisdictions: dict[str, str]
    rules: list[str] = Field(description="ids of the clauses that fired, decisive or not")
    versions: dict[str, str]
    decisive: list[str] | None = Field(
        default=None,
        description="ids of the decisive clauses (what replay compares against live-now); "
        "None in rows stored before it was recorded, so replay cannot claim drift for them",
    )


class StoredScreening(BaseModel):
    """One audit record."""

    id: int
    screened_at: dt.datetime
    requested_by: str
    source: str
    transaction_id: str | None
    decision: str
    as_of: dt.date
    engine: str
    versions: dict[str, str]
    summary: ScreeningSummary
    transaction: dict[str, Any]
    result_sha256: str | None = Field(
        description="SHA-256 of the result JSON as answered (None in rows stored before it "
        "was recorded, which keep the result itself)"
    )
    result_bytes: int | None = None
    result: dict[str, Any] = Field(
        description="the result as answered: stored (CHOKEPOINT_AUDIT_RESULTS=full, the "
        "default) or reproduced and checked against result_sha256; empty when the row does "
        "not keep it and it cannot be reproduced here (see `reproduction`)"
    )
    reproduction: str = Field(
        description="`stored` (the row holds the result), `verified` (re-screened and equal "
        "to the digest), or why the result is not given"
    )


class StoredInput(BaseModel):
    """What `iter_screenings` yields: enough to re-screen and compare, no full result."""

    id: int
    screened_at: dt.datetime
    transaction: Transaction
    summary: ScreeningSummary


class DecisionStats(BaseModel):
    total: int
    by_decision: dict[str, int]
    by_jurisdiction: dict[str, dict[str, int]] = Field(description="jurisdiction -> decision -> n")
    by_rule: dict[str, int] = Field(description="rule id -> screenings where it fired, decisive")
    by_quarter: dict[str, dict[str, int]] = Field(description="YYYY-Qn -> decision -> n")


def quarter(moment: dt.datetime | dt.date) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def summarise(result: ScreeningResult) -> ScreeningSummary:
    return ScreeningSummary(
        decision=result.decision.value,
        jurisdictions={j: v.decision.value for j, v in result.jurisdictions.items()},
        rules=sorted({f.rule_id for f in result.findings}),
        versions=result.versions,
        decisive=sorted({f.rule_id for f in result.findings if f.decisive}),
    )


# how a record whose row does not keep its result gets it back: (reproduction note, the
# result JSON or None); `screener.audit.reproduce.reproducer` makes one over a screener
Reproducer = Callable[["StoredScreening"], tuple[str, str | None]]


def _new_id(done: CursorResult[Any]) -> int:
    key = done.inserted_primary_key
    assert key is not None and key[0] is not None
    return int(key[0])


def digest(result_json: str | bytes) -> str:
    """The SHA-256 a stored screening keeps of its result JSON."""
    data = result_json.encode() if isinstance(result_json, str) else result_json
    return hashlib.sha256(data).hexdigest()


def _start(moment: dt.date | dt.datetime | None) -> dt.datetime | None:
    """A date means from its start (UTC)."""
    if moment is None or isinstance(moment, dt.datetime):
        return utc(moment) if moment else None
    return dt.datetime.combine(moment, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Entry:
    """One screening ready to store: its row and its statistics rows (ids not yet known)."""

    row: dict[str, Any]
    verdicts: tuple[dict[str, Any], ...]
    findings: tuple[dict[str, Any], ...]
    hits: tuple[dict[str, Any], ...] = ()  # the party hits, for the review queue


def entry(
    transaction: Transaction,
    result: ScreeningResult,
    *,
    requested_by: str,
    source: str = "api",
    at: dt.datetime | None = None,
    result_json: str | None = None,
) -> Entry:
    """What storing one screening writes.

    `result_json`: the result as it was answered, when the caller already made it (the
    digest is of those bytes; otherwise of `result.model_dump_json()`). The transaction is
    stored with its date set to the date it was screened as of, so re-screening it on another
    day gives the same answer. One statistics row per (rule, outcome): a rule firing on three
    items of one shipment is one decision for the statistics."""
    now = utc(at) if at else dt.datetime.now(dt.UTC)
    answered = result_json if result_json is not None else result.model_dump_json()
    screened = (
        transaction if transaction.date else transaction.model_copy(update={"date": result.as_of})
    )
    row = {
        "screened_at": now,
        "quarter": quarter(now),
        "requested_by": requested_by,
        "source": source,
        "transaction_id": transaction.id,
        "as_of": result.as_of,
        "decision": result.decision.value,
        "engine": result.engine,
        "versions": json.dumps(result.versions, sort_keys=True),
        "summary": summarise(result).model_dump_json(),
        "input": screened.model_dump_json(),
        "result": answered if settings().audit_full_results else None,
        "result_sha256": digest(answered),
        "result_bytes": len(answered.encode()),
    }
    seen = {(f.jurisdiction, f.rule_id, f.outcome.value, f.decisive) for f in result.findings}
    return Entry(
        row=row,
        verdicts=tuple(
            {"jurisdiction": j, "decision": v.decision.value}
            for j, v in result.jurisdictions.items()
        ),
        findings=tuple(
            {"jurisdiction": j, "rule_id": r, "outcome": o, "decisive": d}
            for j, r, o, d in sorted(seen)
        ),
        hits=tuple(
            {
                "hit_index": i,
                "query_name": h["query"],
                "list_name": str(h["list_version"]).split("@", 1)[0],
                "entry_id": h["entry_id"],
                "band": h["band"],
            }
            for i, h in enumerate(result.party_hits)
        ),
    )


class AuditStore:
    """Stored screenings in the chokepoint database (schema upgraded on open)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        reproducer: Reproducer | None = None,
    ) -> None:
        """`reproducer`: how `get` gives back a result the row does not keep (the service
        passes one over its screener, `screener.audit.reproduce`); without it such a record's
        `result` is empty."""
        self.engine = engine or open_engine(url)
        self.reproducer = reproducer

    def record(
        self,
        transaction: Transaction,
        result: ScreeningResult,
        *,
        requested_by: str,
        source: str = "api",
        at: dt.datetime | None = None,
        result_json: str | None = None,
    ) -> int:
        """Store one screening; returns its id (`GET /v1/screenings/{id}`). See `entry`."""
        return self.write(
            [
                entry(
                    transaction,
                    result,
                    requested_by=requested_by,
                    source=source,
                    at=at,
                    result_json=result_json,
                )
            ]
        )[0]

    def write(self, entries: Sequence[Entry]) -> list[int]:
        """Store `entries` in one database transaction (one commit, so all or none); their
        ids in order. Plain Core inserts: the ORM's unit of work was a third of a write."""
        table = ScreeningRow.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            ids = [_new_id(conn.execute(insert(table), e.row)) for e in entries]
            pairs = list(zip(ids, entries, strict=True))
            verdicts = [{"screening_id": i, **v} for i, e in pairs for v in e.verdicts]
            findings = [{"screening_id": i, **f} for i, e in pairs for f in e.findings]
            hits = [{"screening_id": i, **h} for i, e in pairs for h in e.hits]
            tables = ((VerdictRow, verdicts), (FindingRow, findings), (HitRow, hits))
            for model, rows in tables:
                if rows:
                    conn.execute(insert(model), rows)
        return ids

    def get(self, screening_id: int) -> StoredScreening | None:
        """The stored record, with its result: the row's own, else reproduced by the
        `reproducer` (when it verifies against the digest), else empty."""
        with Session(self.engine) as session:
            row = session.get(ScreeningRow, screening_id)
            if row is None:
                return None
            assert row.id is not None
            stored = StoredScreening(
                id=row.id,
                screened_at=utc(row.screened_at),
                requested_by=row.requested_by,
                source=row.source,
                transaction_id=row.transaction_id,
                decision=row.decision,
                as_of=row.as_of,
                engine=row.engine,
                versions=json.loads(row.versions),
                summary=ScreeningSummary.model_validate_json(row.summary),
                transaction=json.loads(row.input),
                result_sha256=row.result_sha256,
                result_bytes=row.result_bytes,
                result=json.loads(row.result) if row.result is not None else {},
                reproduction="stored" if row.result is not None else "not reproduced",
            )
        if row.result is not None or self.reproducer is None:
            return stored
        note, text = self.reproducer(stored)
        return stored.model_copy(
            update={"result": json.loads(text) if text else {}, "reproduction": note}
        )

    def iter_screenings(
        self,
        since: dt.date | dt.datetime | None = None,
        until: dt.date | dt.datetime | None = None,
        *,
        page: int = 500,
    ) -> Iterator[StoredInput]:
        """Stored screenings in id order, screened at or after `since` (and before `until`),
        each as (id, when, Transaction, summary): the replay feature's input.

        Keyset pages of `page` rows: memory stays flat and no cursor is held open while the
        caller re-screens, on SQLite and PostgreSQL alike. The full result is not read.
        """
        start, end = _start(since), _start(until)
        last: int | None = 0
        while True:
            query = select(
                ScreeningRow.id, ScreeningRow.screened_at, ScreeningRow.input, ScreeningRow.summary
            ).where(col(ScreeningRow.id) > last)
            if start is not None:
                query = query.where(col(ScreeningRow.screened_at) >= start)
            if end is not None:
                query = query.where(col(ScreeningRow.screened_at) < end)
            with Session(self.engine) as session:
                rows = session.exec(query.order_by(col(ScreeningRow.id)).limit(page)).all()
            for sid, when, text, summary in rows:
                yield StoredInput(
                    id=sid,
                    screened_at=utc(when),
                    transaction=Transaction.model_validate_json(text),
                    summary=ScreeningSummary.model_validate_json(summary),
                )
            if len(rows) < page:
                return
            last = rows[-1][0]

    def sources(self, prefix: str = "") -> list[str]:
        """The distinct `source` values starting with `prefix` (re-screening reads its own
        `rescreen:<id>` marks to skip the screenings it replaced)."""
        with Session(self.engine) as session:
            query = select(ScreeningRow.source).distinct()
            if prefix:
                query = query.where(col(ScreeningRow.source).startswith(prefix))
            return list(session.exec(query))

    def stats(
        self, since: dt.date | dt.datetime | None = None, until: dt.date | dt.datetime | None = None
    ) -> DecisionStats:
        """Counts by decision, jurisdiction (its own verdict), rule (decisive findings) and
        quarter of screening, over screenings in [since, until)."""
        start, end = _start(since), _start(until)

        def window(query: Any) -> Any:
            if start is not None:
                query = query.where(col(ScreeningRow.screened_at) >= start)
            if end is not None:
                query = query.where(col(ScreeningRow.screened_at) < end)
            return query

        n = func.count()
        with Session(self.engine) as session:
            by_decision = session.exec(
                window(select(ScreeningRow.decision, n).group_by(ScreeningRow.decision))
            ).all()
            by_quarter = session.exec(
                window(
                    select(ScreeningRow.quarter, ScreeningRow.decision, n).group_by(
                        ScreeningRow.quarter, ScreeningRow.decision
                    )
                )
            ).all()
            by_jurisdiction = session.exec(
                window(
                    select(VerdictRow.jurisdiction, VerdictRow.decision, n)
                    .join(ScreeningRow, col(ScreeningRow.id) == col(VerdictRow.screening_id))
                    .group_by(VerdictRow.jurisdiction, VerdictRow.decision)
                )
            ).all()
            by_rule = session.exec(
                window(
                    select(FindingRow.rule_id, func.count(func.distinct(FindingRow.screening_id)))
                    .join(ScreeningRow, col(ScreeningRow.id) == col(FindingRow.screening_id))
                    .where(col(FindingRow.decisive))
                    .group_by(FindingRow.rule_id)
                )
            ).all()
        jurisdictions: dict[str, dict[str, int]] = {}
        for j, d, c in by_jurisdiction:
            jurisdictions.setdefault(j, {})[d] = c
        quarters: dict[str, dict[str, int]] = {}
        for q, d, c in sorted(by_quarter):
            quarters.setdefault(q, {})[d] = c
        decisions = dict(sorted(by_decision, key=lambda p: -p[1]))
        return DecisionStats(
            total=sum(decisions.values()),
            by_decision=decisions,
            by_jurisdiction=dict(sorted(jurisdictions.items())),
            by_rule=dict(sorted(by_rule, key=lambda p: (-p[1], p[0]))),
            by_quarter=quarters,
        )
