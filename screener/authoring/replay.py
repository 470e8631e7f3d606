"""Replay stored screenings through a draft pack beside the live one.

The core is `replay(history, live, draft)` over any iterable of `StoredScreening`, so the
same function serves the CLI (`--history FILE.jsonl`, `read_history_jsonl`) and, once wired,
the audit store and `POST /v1/rules/replay`. Each transaction is evaluated as of its own
date (what the draft would have decided then), by the live pack as it is now and by the
draft; the stored decision, when given, is kept to show drift (the live pack or the lists
changed since the screening was made).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas.result import Decision
from schemas.transaction import Transaction
from screener.authoring.diff import ImpactReport, ScreeningDiff, compare, summarize
from screener.engine import Screener
from screener.errors import InputError, describe_validation_error


class HistoryError(ValueError):
    """A history file line that is not a stored screening (`file:line: reason`)."""


@dataclass(frozen=True)
class StoredScreening:
    """One past screening: what the audit trail keeps and replay needs."""

    id: str
    transaction: Transaction
    screened_at: dt.date
    decision: Decision | None = None  # the decision recorded at the time, if stored
    rule_ids: tuple[str, ...] | None = None  # the decisive clauses recorded at the time


def _stored(data: dict[str, Any], fallback_id: str) -> StoredScreening:
    """A history line: a bare transaction, or {id, screened_at, transaction, result}, where
    result is a stored ScreeningResult or a summary {decision, rule_ids}."""
    if "transaction" in data:
        raw = dict(data["transaction"])
        meta = data
    else:
        raw, meta = dict(data), {}
    at = meta.get("screened_at") or raw.get("date")
    screened_at = dt.date.fromisoformat(str(at)[:10]) if at else dt.date.today()
    raw.setdefault("date", screened_at.isoformat())  # screened as of the day it was made
    tx = Transaction.model_validate(raw)
    result = meta.get("result") or {}
    decision = Decision(result["decision"]) if result.get("decision") else None
    rule_ids = result.get("rule_ids")
    if rule_ids is None and "findings" in result:
        rule_ids = [f["rule_id"] for f in result["findings"] if f.get("decisive", True)]
    return StoredScreening(
        id=str(meta.get("id") or tx.id or fallback_id),
        transaction=tx,
        screened_at=screened_at,
        decision=decision,
        rule_ids=tuple(rule_ids) if rule_ids is not None else None,
    )


def read_history_jsonl(path: Path) -> Iterator[StoredScreening]:
    """Stored screenings from a JSONL file, one per line (blank lines skipped); raises
    HistoryError naming the line of the first bad one."""
    with path.open(encoding="utf-8-sig") as lines:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError(f"expected a JSON object, got {type(data).__name__}")
                yield _stored(data, f"{path.stem}:{n}")
            except ValidationError as exc:
                reason = "; ".join(describe_validation_error(exc))
                raise HistoryError(f"{path}:{n}: transaction: {reason}") from exc
            except (ValueError, KeyError) as exc:
                raise HistoryError(f"{path}:{n}: {exc}") from exc


def replay_one(stored: StoredScreening, live: Screener, draft: Screener) -> ScreeningDiff:
    """Screen one stored transaction with both packs and compare."""
    return compare(
        stored.id,
        live.screen(stored.transaction),
        draft.screen(stored.transaction),
        stored.decision,
        stored.rule_ids,
    )


def replay(
    history: Iterable[StoredScreening],
    live: Screener,
    draft: Screener,
    *,
    draft_name: str = "draft",
    draft_version: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    guard: AbstractContextManager[object] | None = None,
) -> ImpactReport:
    """Replay every stored screening made in [since, until] and summarise the differences.

    A screening that cannot be evaluated (an input the current schema refuses) is listed in
    `errors` instead of stopping the replay: one bad record must not hide the others.
    `guard` (a service's screening lock) is held around each screening, not the whole
    replay, so a long replay interleaves with live screenings instead of stalling them.
    """
    errors: list[str] = []
    hold = guard if guard is not None else nullcontext()

    def diffs() -> Iterator[ScreeningDiff]:
        for stored in history:
            if since is not None and stored.screened_at < since:
                continue
            if until is not None and stored.screened_at > until:
                continue
            try:
                with hold:
                    diff = replay_one(stored, live, draft)
                yield diff
            except InputError as exc:
                errors.append(f"{stored.id}: {exc}")

    report = summarize(diffs(), draft_name, draft_version, errors)
    report.live_versions, report.since, report.until = live.versions, since, until
    return report
