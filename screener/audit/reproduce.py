"""Give a stored screening's result back by screening its transaction again, and prove it.

An audit row keeps the transaction as screened, the versions of every pack and list, the
engine and the SHA-256 of the result JSON as it was answered (`screener.audit.store`). The
same transaction on the same packs and lists, by the same engine, gives the same result
byte for byte (the engine is deterministic: no clock, no randomness, caches that only
memoise), so re-screening it with a screener whose versions equal the stored ones and
hashing the JSON either matches the digest (the result is the one answered) or shows that it
does not. A screener on other versions is not asked at all: its answer would be a different
record, and the row's summary (decision per jurisdiction, rules fired) is what remains.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from threading import Lock

from schemas.transaction import Transaction
from screener.audit.store import AuditStore, Reproducer, StoredScreening, digest
from screener.engine import Screener


@dataclass(frozen=True)
class Reproduction:
    """What re-screening a stored screening gave."""

    screening_id: int
    status: str  # verified | differs | versions differ | engine differs | no digest
    detail: str
    result_json: str | None = None  # the re-screened result, when `verified` or `differs`

    @property
    def verified(self) -> bool:
        return self.status == "verified"


def _version_changes(stored: dict[str, str], now: dict[str, str]) -> list[str]:
    changes = []
    for name in sorted(stored.keys() | now.keys()):
        was, is_ = stored.get(name), now.get(name)
        if was != is_:
            changes.append(f"{name} {(was or 'absent')[:12]} -> {(is_ or 'absent')[:12]}")
    return changes


def reproduce(stored: StoredScreening, screener: Screener) -> Reproduction:
    """Re-screen `stored.transaction` with `screener` and check it against the digest."""
    sid = stored.id
    if stored.result_sha256 is None:
        return Reproduction(sid, "no digest", "stored before results were digested")
    engine = screener.backend_name
    if engine != stored.engine:
        return Reproduction(
            sid, "engine differs", f"screened by {stored.engine}, this screener is {engine}"
        )
    changes = _version_changes(stored.versions, screener.versions)
    if changes:
        return Reproduction(
            sid,
            "versions differ",
            "screened on other pack or list versions: "
            + "; ".join(changes)
            + " (the stored summary holds the decision and the rules that fired)",
        )
    tx = Transaction.model_validate(stored.transaction)
    result_json = screener.screen(tx).model_dump_json()
    if digest(result_json) == stored.result_sha256:
        return Reproduction(sid, "verified", "re-screened: equal to the stored digest", result_json)
    return Reproduction(
        sid,
        "differs",
        f"re-screened on the same versions but the result's SHA-256 {digest(result_json)[:12]} "
        f"is not the stored {stored.result_sha256[:12]}",
        result_json,
    )


def reproducer(screener: Screener, lock: Lock | None = None) -> Reproducer:
    """An `AuditStore` reproducer over `screener` (under `lock`, when the screener is shared
    with other threads): the verified result, or why not."""

    def run(stored: StoredScreening) -> tuple[str, str | None]:
        with lock or nullcontext():
            done = reproduce(stored, screener)
        if done.verified:
            return "verified", done.result_json
        return f"{done.status}: {done.detail}", None

    return run


def reproduce_id(store: AuditStore, screening_id: int, screener: Screener) -> Reproduction | None:
    """`reproduce` for the stored screening `screening_id` (None if there is none)."""
    stored = store.get(screening_id)
    return reproduce(stored, screener) if stored is not None else None
