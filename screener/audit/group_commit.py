"""Audit writes from many request threads, committed together by one writer thread.

The service answers a screening only after its audit row is committed (an answered screening
is never missing from the trail, also after kill -9: tests/test_kill9.py). Written one by
one from the request threads, concurrent writes on SQLite wait for its single write lock in
SQLite's busy handler, which sleeps in steps of milliseconds, and each pays a commit of its
own on PostgreSQL too. Here each request thread builds its entry (the JSON, the digest) and
hands it to one writer thread, which takes everything queued so far, writes it in one
database transaction and wakes the waiting threads with their ids; a failed write fails all
the requests of that transaction (none of them answered as stored).
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field

from schemas.result import ScreeningResult
from schemas.transaction import Transaction
from screener.audit.store import AuditStore, Entry, entry


@dataclass
class _Pending:
    entry: Entry
    done: threading.Event = field(default_factory=threading.Event)
    id: int | None = None
    error: BaseException | None = None


class GroupCommit:
    """`record` as `AuditStore.record`, with concurrent calls sharing one commit."""

    def __init__(self, store: AuditStore, *, max_batch: int = 256) -> None:
        self.store = store
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="chokepoint-audit", daemon=True)
        self._thread.start()

    def record(
        self,
        transaction: Transaction,
        result: ScreeningResult,
        *,
        requested_by: str,
        source: str = "api",
        result_json: str | None = None,
    ) -> int:
        """Store one screening and return its id once it is committed."""
        if self._closed:
            raise RuntimeError("the audit writer is closed")
        pending = _Pending(
            entry(
                transaction,
                result,
                requested_by=requested_by,
                source=source,
                result_json=result_json,
            )
        )
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        assert pending.id is not None
        return pending.id

    def close(self, timeout: float = 30) -> None:
        """Write what is queued, then stop the writer thread."""
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True  # write what came before the stop, then end
                    break
                batch.append(item)
            try:
                ids = self.store.write([p.entry for p in batch])
            except BaseException as exc:  # every waiting request gets the failure
                for p in batch:
                    p.error = exc
            else:
                for p, i in zip(batch, ids, strict=True):
                    p.id = i
            finally:
                for p in batch:
                    p.done.set()
