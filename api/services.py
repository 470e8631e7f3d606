"""What the routers use, built once per app: the screener, the stores, the job runner."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from api.jobs import JobRunner
from api.web_session import SessionSigner
from schemas.result import ScreeningResult
from schemas.transaction import Transaction
from screener.audit.group_commit import GroupCommit
from screener.audit.jobs import JobStore
from screener.audit.keys import KeyStore
from screener.audit.store import AuditStore
from screener.authoring.served import ServedDrafts
from screener.engine import Screener
from screener.limits import Limits
from screener.packs.pack import Pack
from screener.parties.store import ListStore
from screener.wiring import build_screener

LIST_CHECK_SECONDS = 1.0


@dataclass
class Services:
    screener: Screener
    packs: list[Pack]
    audit: AuditStore
    keys: KeyStore
    jobs: JobStore
    runner: JobRunner
    jobs_dir: Path
    max_upload: int
    lock: threading.Lock
    drafts: ServedDrafts
    limits: Limits
    recorder: GroupCommit  # the audit writes of POST /v1/screen, committed together
    database_url: str = ""  # the database in use (shown with the password masked)
    lists: ListStore | None = None  # imported lists and adjudications (the review pages)
    sessions: SessionSigner = field(default_factory=SessionSigner)  # review sign-ins
    _checked: float = field(default=-1.0, repr=False)  # when the list versions were compared
    _refresh: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def current(self, fresh: bool = False) -> Screener:
        """The screener, rebuilt when a list was imported since it was built: the service
        screens against the latest list versions without a restart (the result's `versions`
        name them). The versions are compared at most once a second (one small read), or
        now when `fresh` (a reviewer's re-screen right after an import)."""
        with self._refresh:
            now = time.monotonic()
            if self.lists is None or (not fresh and now - self._checked < LIST_CHECK_SECONDS):
                return self.screener
            self._checked = now
            latest = {v.name: v.content_hash for v in self.lists.versions()}
            parties = self.screener.parties
            if latest != (parties.list_versions if parties is not None else {}):
                self.screener = build_screener(
                    self.runner.rules_dir, self.screener.backend_name, self.database_url
                )
            return self.screener

    def screen(self, tx: Transaction) -> ScreeningResult:
        self.limits.check(tx)  # before the lock: a refused transaction costs no screening
        screener = self.current()
        # one screening at a time: the engines' caches are per process, and screening is
        # CPU-bound under the GIL anyway
        with self.lock:
            return screener.screen(tx)

    def shadow(self, screening_id: int, tx: Transaction, result: ScreeningResult) -> None:
        """Let the drafts in shadow mode see a live screening (after it is stored, under its
        audit id); they run in the background and never change `result`."""
        self.drafts.shadow(str(screening_id), tx, result)


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found
