"""What a cluster worker screens against, shipped once: the rule packs and a list snapshot.

A worker on another machine has neither this rules folder nor this database, and must not
read a list that changes under a running batch. The client packs both into a `Bundle` (every
file of the rules folder, and a SQLite copy of the latest version of every list with all
adjudications and the latest ownership links), named by the SHA-256 of its content; the
cluster holds it under that name, and each worker process writes it to a folder of that name
once and builds its screener from there once. A batch is therefore screened against one
version of the packs and lists however many workers it runs on, and a new version never
meets a worker's old screener.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from screener.batch.lines import build_screener
from screener.engine import BackendName, Screener

RULES = "rules/"
LISTS = "lists.db"


@dataclass(frozen=True)
class Bundle:
    """Files by relative name (`rules/...`, `lists.db`) and the digest that names them."""

    digest: str
    files: dict[str, bytes]

    @property
    def key(self) -> str:
        """The name the cluster holds it under: a new version is a new name."""
        return f"chokepoint-bundle-{self.digest[:16]}"

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())


def _digest(files: dict[str, bytes]) -> str:
    sha = hashlib.sha256()
    for name in sorted(files):
        sha.update(name.encode() + b"\0" + len(files[name]).to_bytes(8, "big"))
        sha.update(files[name])
    return sha.hexdigest()


def snapshot_lists(db_url: str | None, target: Path) -> None:
    """Copy the latest version of every list (and every adjudication) into a new SQLite
    file: what a batch screens against, as it stands now, on any database."""
    from sqlalchemy import func, insert, select

    from screener.parties.ownership_store import (
        OwnershipImportRow,
        OwnershipLinkRow,
        OwnershipStore,
    )
    from screener.parties.store import AdjudicationRow, ListEntryRow, ListStore, ListVersionRow

    source, copy = ListStore(db_url), ListStore(f"sqlite:///{target}")
    versions, entries, adjudications = (
        ListVersionRow.__table__,  # type: ignore[attr-defined]
        ListEntryRow.__table__,  # type: ignore[attr-defined]
        AdjudicationRow.__table__,  # type: ignore[attr-defined]
    )
    for store in (source, copy):  # creates the tables of an empty store, so the reads succeed
        with store._session(), OwnershipStore(store.engine)._session():
            pass
    imports = OwnershipImportRow.__table__  # type: ignore[attr-defined]
    links = OwnershipLinkRow.__table__  # type: ignore[attr-defined]
    newest = select(func.max(imports.c.id)).group_by(imports.c.name).scalar_subquery()
    latest = select(func.max(versions.c.id)).group_by(versions.c.name).scalar_subquery()
    queries = [
        (versions, select(versions).where(versions.c.id.in_(latest))),
        (entries, select(entries).where(entries.c.version_id.in_(latest))),
        (adjudications, select(adjudications)),
        # the ownership links screening applies (parties/ownership.py): the latest of each name
        (imports, select(imports).where(imports.c.id.in_(newest))),
        (links, select(links).where(links.c.import_id.in_(newest))),
    ]
    try:
        with source.engine.connect() as read, copy.engine.begin() as write:
            for table, query in queries:
                result = read.execute(query.order_by(table.c.id))
                while rows := result.mappings().fetchmany(5000):
                    write.execute(insert(table), [dict(r) for r in rows])
    finally:
        source.dispose()
        copy.dispose()


def make_bundle(rules_dir: Path, db_url: str | None) -> Bundle:
    """The rules folder's files and a snapshot of the lists, named by their digest."""
    files = {
        RULES + path.relative_to(rules_dir).as_posix(): path.read_bytes()
        for path in sorted(rules_dir.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    with tempfile.TemporaryDirectory(prefix="chokepoint-snapshot-") as folder:
        db = Path(folder) / LISTS
        snapshot_lists(db_url, db)
        files[LISTS] = db.read_bytes()
    return Bundle(_digest(files), files)


def materialise(bundle: Bundle, root: Path | None = None) -> Path:
    """The bundle written out under a folder named by its digest (written once per machine:
    workers sharing a machine write to a folder of their own and rename it into place)."""
    root = root or Path(tempfile.gettempdir())
    folder = root / bundle.key
    if (folder / LISTS).exists():
        return folder
    staging = Path(tempfile.mkdtemp(prefix=f"{bundle.key}-", dir=root))
    for name, data in bundle.files.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    try:
        os.rename(staging, folder)
    except OSError:  # another worker got there first: theirs has the same content
        shutil.rmtree(staging, ignore_errors=True)
    return folder


# --------------------------------------------------------------------------- worker side

_SCREENERS: dict[tuple[str, str], Screener] = {}
_LOCK = threading.Lock()


def screener_of(bundle: Bundle, backend: BackendName) -> Screener:
    """This process's screener for the bundle, built on first use (one per digest)."""
    key = (bundle.digest, backend)
    with _LOCK:
        if key not in _SCREENERS:
            folder = materialise(bundle)
            _SCREENERS.clear()  # a new version replaces the old: one screener in memory
            _SCREENERS[key] = build_screener(
                folder / RULES.rstrip("/"), backend, f"sqlite:///{folder / LISTS}"
            )
            # long-lived objects out of the collector's generations (as the local workers)
            gc.collect()
            gc.freeze()
        return _SCREENERS[key]
