"""The review queue: the latest screening of each transaction that is `review`, or that has a
party hit nobody has decided on (or whose release the list has since re-opened).

"Latest" is per transaction id (a screening without one stands alone), and a screening a
re-screening replaced (`rescreen:<id>`, `screener.rescreen.superseded`) is never shown, so a
re-screened transaction leaves the queue with the screening it replaced. Party hits are read from
`cp_screening_hits` (one row per stored hit), never by parsing every stored result; a hit's
status is read from the adjudications once per distinct (name, list, entry).
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import String, cast, func, literal, or_
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Session, col, select

from screener.audit.models import HitRow, ScreeningRow
from screener.audit.store import AuditStore
from screener.parties.store import ListStore
from screener.rescreen import superseded
from screener.review.hits import HitStatus, status_of
from screener.review.screening import ScreeningView, screening_view


class Queue(BaseModel):
    items: list[ScreeningView]  # this page, newest first
    total: int  # screenings waiting, all pages
    waiting_hits: int  # party hits waiting, all pages
    offset: int
    limit: int


def _latest_ids() -> ScalarSelect[int]:
    """The newest screening id of each transaction id (or of each id-less screening)."""
    key = func.coalesce(
        literal("t:") + ScreeningRow.transaction_id,
        literal("i:") + cast(ScreeningRow.id, String),
    )
    return select(func.max(ScreeningRow.id)).group_by(key).scalar_subquery()


def waiting(audit: AuditStore, lists: ListStore | None) -> tuple[list[int], int]:
    """(ids of the screenings waiting for a reviewer, newest first; party hits waiting)."""
    replaced = superseded(audit)
    with Session(audit.engine) as session:
        found = session.exec(
            select(ScreeningRow.id, ScreeningRow.decision)
            .where(col(ScreeningRow.id).in_(_latest_ids()))
            .where(
                or_(
                    col(ScreeningRow.decision) == "review",
                    col(ScreeningRow.id).in_(select(HitRow.screening_id)),
                )
            )
            .order_by(col(ScreeningRow.id).desc())
        ).all()
        rows = [
            (sid, decision) for sid, decision in found if sid is not None and sid not in replaced
        ]
        ids = [sid for sid, _ in rows]
        hits = (
            session.exec(
                select(
                    HitRow.screening_id, HitRow.query_name, HitRow.list_name, HitRow.entry_id
                ).where(col(HitRow.screening_id).in_(ids))
            ).all()
            if ids
            else []
        )
    known: dict[tuple[str, str, str], HitStatus] = {}
    per_screening: dict[int, int] = {}
    for sid, query, name, entry in hits:
        pair = (query, name, entry)
        if pair not in known:
            known[pair] = status_of(lists, query, name, entry)[0] if lists else HitStatus.pending
        if known[pair].waiting:
            per_screening[sid] = per_screening.get(sid, 0) + 1
    out = [sid for sid, decision in rows if decision == "review" or per_screening.get(sid)]
    return out, sum(per_screening.values())


def review_queue(
    audit: AuditStore, lists: ListStore | None, *, offset: int = 0, limit: int = 50
) -> Queue:
    """One page of the queue, each screening with its findings, questions and hits."""
    ids, hits = waiting(audit, lists)
    items = []
    for sid in ids[offset : offset + limit]:
        stored = audit.get(sid)
        if stored is not None:
            items.append(screening_view(stored, lists))
    return Queue(items=items, total=len(ids), waiting_hits=hits, offset=offset, limit=limit)
