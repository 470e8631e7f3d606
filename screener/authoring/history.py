"""The audit trail as replay history: `StoredInput` rows of `AuditStore.iter_screenings`
become the `StoredScreening`s that `replay` compares.

Kept apart from `replay.py` so the replay core stays free of the database: authoring depends
on the audit store here, never the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from schemas.result import Decision
from screener.audit.store import AuditStore, StoredInput
from screener.authoring.replay import StoredScreening


def stored_screening(row: StoredInput) -> StoredScreening:
    """One audit row for replay: the transaction keeps its own as-of date (what was decided
    then), the decisive clause ids come from the summary (None for rows stored before the
    summary kept them, so no drift is claimed from a missing field)."""
    decisive = row.summary.decisive
    return StoredScreening(
        id=str(row.id),
        transaction=row.transaction,
        screened_at=row.screened_at.date(),
        decision=Decision(row.summary.decision),
        rule_ids=tuple(decisive) if decisive is not None else None,
    )


def audit_history(
    store: AuditStore, since: dt.date | None = None, until: dt.date | None = None
) -> Iterator[StoredScreening]:
    """Stored screenings made on or after `since` and on or before `until` (whole UTC days,
    as `replay` reads them), streamed page by page from the audit store."""
    end = until + dt.timedelta(days=1) if until is not None else None
    for row in store.iter_screenings(since, end):
        yield stored_screening(row)
