"""Batch jobs behind the API: one background thread runs them in order with the same
`run_batch` as the CLI, records progress in the database, and on start resumes any job a
stopped service left queued or running (the output file is the resume point)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path

from screener.audit.jobs import JobStore
from screener.batch.lines import build_screener
from screener.batch.runner import run_batch
from screener.batch.summary import BatchSummary
from screener.engine import Screener
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.wiring import lists_current

log = logging.getLogger("chokepoint.jobs")


class Stopped(Exception):
    """Raised from the progress callback to stop a job when the service shuts down."""


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        *,
        rules_dir: Path = DEFAULT_RULES_DIR,
        db_url: str | None = None,
        processes: int = 1,
    ) -> None:
        self.store = store
        self.rules_dir = rules_dir
        self.db_url = db_url
        self.processes = processes
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._screener: Screener | None = None

    def start(self) -> None:
        """Start the worker thread and queue the jobs a previous run left unfinished."""
        for job in self.store.unfinished():
            self._queue.put(job.id)
        self._thread = threading.Thread(target=self._loop, name="chokepoint-jobs", daemon=True)
        self._thread.start()

    def submit(self, job_id: str) -> None:
        self._queue.put(job_id)

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def idle(self) -> bool:
        return self._queue.unfinished_tasks == 0

    def _loop(self) -> None:
        while not self._stop.is_set():
            job_id = self._queue.get()
            try:
                if job_id is not None:
                    self._run(job_id)
            finally:
                self._queue.task_done()

    def _run(self, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is None or job.status in ("done", "failed"):
            return
        self.store.update(job_id, status="running")
        last = 0.0

        def progress(summary: BatchSummary) -> None:
            nonlocal last
            if self._stop.is_set():
                raise Stopped
            now = time.monotonic()
            if now - last >= 0.5:
                last = now
                self.store.update(job_id, done_lines=summary.lines, counts=summary.as_dict())

        try:
            if self.processes == 1 and (
                self._screener is None or not lists_current(self._screener, self.db_url)
            ):  # built again when a list was imported since: pending lines get the latest
                self._screener = build_screener(self.rules_dir, "python", self.db_url)
            summary = run_batch(
                Path(job.input_path),
                Path(job.output_path),
                processes=self.processes,
                resume=True,
                rules_dir=self.rules_dir,
                db_url=self.db_url,
                screener=self._screener,
                progress=progress,
            )
        except Stopped:
            log.info("job %s stopped; it resumes when the service starts again", job_id)
            return
        except Exception as exc:  # the job fails, the service goes on
            log.exception("job %s failed", job_id)
            self.store.update(job_id, status="failed", error=f"{type(exc).__name__}: {exc}")
            return
        self.store.update(job_id, status="done", done_lines=summary.lines, counts=summary.as_dict())
