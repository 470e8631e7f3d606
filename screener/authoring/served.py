"""Drafts in a running service: loaded, replaced and unloaded by name without a restart, and
optionally shadowing the live pack on new screenings.

The API sends a draft's files as text; they are written to a folder of their own under the
service's drafts folder (a loaded `Draft` keeps a real path, and the files survive for an
operator to read), loaded into a `DraftRegistry` over the live Screener, and the folder of the
previous version is removed. Problems name the files as the request gave them, never the
server's paths. Shadowing runs on one background thread, under the service's screening lock
(the live and draft screeners share the party screening), so it adds no latency to the live
answer and never changes it; the records go to a JSONL log read back by `shadow_report`.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from pydantic import BaseModel

from schemas.result import ScreeningResult
from schemas.transaction import Transaction
from screener.authoring.diff import ImpactReport
from screener.authoring.drafts import Draft, DraftRegistry
from screener.authoring.requests import DraftRequestError, unmask, write_files
from screener.authoring.shadow import (
    JsonlShadowSink,
    ShadowRunner,
    read_shadow_log,
    shadow_report,
)
from screener.engine import Screener
from screener.packs.pack import PackError

_DRAFT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SHADOW_MARK = "SHADOW"  # in a draft's folder: it shadows the live pack (kept over restarts)


class DraftInfo(BaseModel):
    """A loaded draft as the API shows it."""

    name: str
    version: str
    kind: str
    files: list[str]
    added: list[str]
    replaced: list[str]
    retired: list[str]
    shadow: bool


class ServedDrafts:
    """The drafts a service holds: a registry, their folders and their shadow runners."""

    def __init__(
        self,
        live: Screener,
        folder: Path,
        shadow_log: Path,
        guard: AbstractContextManager[object] | None = None,
    ) -> None:
        """`guard`: the service's screening lock, held while a draft compiles or shadows."""
        self.live = live
        self.folder = folder
        self.shadow_log = shadow_log
        self.registry = DraftRegistry(live)
        self._guard = guard if guard is not None else nullcontext()
        self._lock = threading.Lock()  # one put/delete at a time: folders and runners agree
        self._shadows: dict[str, ShadowRunner] = {}
        self._sink = JsonlShadowSink(shadow_log)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chokepoint-shadow")

    @staticmethod
    def check_name(name: str) -> None:
        if not _DRAFT_NAME.match(name):
            raise DraftRequestError(
                f"{name!r}: a draft name is letters, digits, '.', '_' or '-' (at most 64)"
            )

    def put(self, name: str, files: dict[str, str], shadow: bool = False) -> DraftInfo:
        """Load (or replace) the draft `name` from its files; raises PackError with the given
        file names when it does not load, leaving the previous version, if any, in place."""
        self.check_name(name)
        home = self.folder / name
        version_dir = home / uuid.uuid4().hex
        names: dict[str, str] = {}
        with self._lock:
            version_dir.mkdir(parents=True)
            try:
                names = write_files(files, version_dir)
                with self._guard:
                    draft, screener = self.registry.load(name, version_dir)
            except BaseException as exc:
                shutil.rmtree(version_dir, ignore_errors=True)
                with contextlib.suppress(OSError):  # a first put that failed leaves nothing
                    home.rmdir()
                if isinstance(exc, PackError):
                    raise PackError([unmask(p, names) for p in exc.problems]) from exc
                raise
            # identical content reuses the loaded draft (and its folder): drop the others
            for old in home.iterdir():
                if old.is_dir() and old != draft.root:
                    shutil.rmtree(old, ignore_errors=True)
            if shadow:
                self._shadows[name] = ShadowRunner(
                    self.live, screener, self._sink, name, draft.version
                )
                (home / _SHADOW_MARK).touch()
            else:
                self._shadows.pop(name, None)
                (home / _SHADOW_MARK).unlink(missing_ok=True)
            return self._info(draft)

    def restore(self) -> list[str]:
        """Load again the drafts a previous run of the service held (their folders survive a
        restart), shadowing again those that shadowed. A draft that no longer loads over the
        live pack (the live pack changed under it) is skipped, its files kept for the
        operator; returns what was skipped and why."""
        skipped: list[str] = []
        if not self.folder.is_dir():
            return skipped
        for home in sorted(p for p in self.folder.iterdir() if p.is_dir()):
            versions = [v for v in home.iterdir() if v.is_dir()]
            if not _DRAFT_NAME.match(home.name) or len(versions) != 1:
                skipped.append(f"{home}: not one draft version folder; left as it is")
                continue
            try:
                with self._guard:
                    draft, screener = self.registry.load(home.name, versions[0])
            except PackError as exc:
                skipped.append(f"draft {home.name} no longer loads: {exc}")
                continue
            if (home / _SHADOW_MARK).exists():
                self._shadows[home.name] = ShadowRunner(
                    self.live, screener, self._sink, home.name, draft.version
                )
        return skipped

    def delete(self, name: str) -> bool:
        """Unload `name` and remove its files; False when no such draft is loaded."""
        with self._lock:
            if name not in self.registry.names():
                return False
            self._shadows.pop(name, None)
            self.registry.unload(name)
            shutil.rmtree(self.folder / name, ignore_errors=True)
            return True

    def get(self, name: str) -> DraftInfo | None:
        try:
            draft, _ = self.registry.get(name)
        except KeyError:
            return None
        return self._info(draft)

    def list(self) -> list[DraftInfo]:
        return [info for n in self.registry.names() if (info := self.get(n)) is not None]

    def _info(self, draft: Draft) -> DraftInfo:
        return DraftInfo(
            name=draft.name,
            version=draft.version,
            kind=draft.kind,
            files=sorted(p.name for p in draft.files),
            added=draft.added,
            replaced=draft.replaced,
            retired=draft.retired,
            shadow=draft.name in self._shadows,
        )

    def shadow(self, screening_id: str, tx: Transaction, result: ScreeningResult) -> None:
        """Queue every shadowing draft's view of a live screening already decided and stored."""
        for runner in list(self._shadows.values()):
            self._pool.submit(self._observe, runner, screening_id, tx, result)

    def _observe(
        self, runner: ShadowRunner, screening_id: str, tx: Transaction, result: ScreeningResult
    ) -> None:
        with self._guard:
            runner.observe(screening_id, tx, result)

    def shadow_report(self, name: str) -> ImpactReport | None:
        """The disagreement recorded for `name` (once the screenings queued before the call
        are shadowed): of the version loaded now, so a replaced draft's old records do not
        blur the new one's; of every version once it is unloaded. None when the draft is
        neither loaded nor in the log."""
        self._pool.submit(lambda: None).result()  # one worker, FIFO: the queue is drained
        loaded = self.get(name)
        records = list(read_shadow_log(self.shadow_log)) if self.shadow_log.is_file() else []
        mine = [
            r
            for r in records
            if r.draft == name and (loaded is None or r.draft_version == loaded.version)
        ]
        if not mine and loaded is None:
            return None
        report = shadow_report(mine, name)
        if loaded is not None:
            report.draft_version = loaded.version
        return report

    def close(self) -> None:
        self._pool.shutdown(wait=True)
