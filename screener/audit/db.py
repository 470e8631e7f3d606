"""One engine per database URL, brought to the newest schema (alembic) on first use.

The URL comes from the argument, else `CHOKEPOINT_DATABASE_URL`, else a SQLite file in the
per-user data directory (`screener.settings.database_url`): the same rule as the list
store's, so the lists, the audit trail and the keys share one database. Migrations ship
inside the package (`screener/audit/migrations`), so an installed chokepoint upgrades its
database without a checkout; `chokepoint db upgrade` runs them by hand.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from screener.settings import database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "cp_alembic_version"  # cp_ prefix like every chokepoint table

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    # WAL: the API's readers never wait for a batch job's writer; a writer waits, not fails
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # NORMAL in WAL mode: a commit is in the WAL file when it returns, so a killed process
    # (kill -9) loses no committed audit row; only an OS crash or power loss can lose the last
    # commits. FULL's fsync per commit was most of an audited request's time (8.7 ms).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(
            conn, opts={"version_table": VERSION_TABLE}
        ).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the shipped migrations up to `revision` (idempotent)."""
    command.upgrade(_config(engine), revision)


def open_engine(url: str | None = None, *, migrate: bool = True) -> Engine:
    """The process's engine for `url`, upgraded to the newest schema the first time."""
    url = database_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            # a ping per checkout finds a server that dropped the connection; a SQLite file
            # has no server, and the ping was a statement of every audited request
            sqlite = make_url(url).get_backend_name() == "sqlite"
            engine = create_engine(url, pool_pre_ping=not sqlite)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            if migrate and current_revision(engine) != head_revision():
                upgrade(engine)
            _engines[url] = engine
        return engine


def dispose_all() -> None:
    """Close every pool (tests; a forked batch worker must not share its parent's sockets)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
