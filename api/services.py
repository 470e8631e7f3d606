"""What the routers use, built once per app: the screener, the stores, the job runner."""

from __future__ import annotations

import threading
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
    # a screener over lists imported since the service started (review re-screens), kept
    # until the lists change again
    latest_screener: Screener | None = None

    def screen(self, tx: Transaction) -> ScreeningResult:
        self.limits.check(tx)  # before the lock: a refused transaction costs no screening
        # one screening at a time: the engines' caches are per process, and screening is
        # CPU-bound under the GIL anyway
        with self.lock:
            return self.screener.screen(tx)

    def shadow(self, screening_id: int, tx: Transaction, result: ScreeningResult) -> None:
        """Let the drafts in shadow mode see a live screening (after it is stored, under its
        audit id); they run in the background and never change `result`."""
        self.drafts.shadow(str(screening_id), tx, result)


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found
