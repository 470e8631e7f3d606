"""Every CHOKEPOINT_* setting, read in this one module.

The database and the service's jobs folder live in one per-user data directory
(platformdirs: ~/.local/share/chokepoint on Linux) unless the environment says otherwise,
so a command run from any folder finds the same lists and audit trail and never leaves a
`chokepoint.db` behind in the working directory.

| variable | default |
| --- | --- |
| CHOKEPOINT_DATA_DIR | the per-user data directory |
| CHOKEPOINT_DATABASE_URL | sqlite:///<data dir>/chokepoint.db |
| CHOKEPOINT_JOBS_DIR | <data dir>/jobs (batch uploads and results, drafts) |
| CHOKEPOINT_SHADOW_LOG | <the service's jobs dir>/shadow/shadow.jsonl |
| CHOKEPOINT_CACHE_DIR | the per-user cache directory (prepared list indexes) |
| CHOKEPOINT_MAX_BODY_BYTES | 1 MiB (JSON request bodies) |
| CHOKEPOINT_MAX_UPLOAD_BYTES | 512 MiB (batch uploads) |
| CHOKEPOINT_BATCH_PROCESSES | 1 (the service's own requests keep a core) |
| CHOKEPOINT_BATCH_SCHEDULER | empty (this machine); Dask: `local:N` or `tcp://HOST:8786` |
| CHOKEPOINT_SESSION_SECRET | empty: random per service start (review sign-ins end at restart) |
| CHOKEPOINT_AUDIT_RESULTS | `full` (rows keep the result and its SHA-256) or `digest` |

`settings()` parses the environment once and returns the same frozen object while the
CHOKEPOINT_* variables stay as they are (a test that sets one gets a fresh reading).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url

APP = "chokepoint"
NAMES = (
    "CHOKEPOINT_DATA_DIR",
    "CHOKEPOINT_DATABASE_URL",
    "CHOKEPOINT_JOBS_DIR",
    "CHOKEPOINT_SHADOW_LOG",
    "CHOKEPOINT_CACHE_DIR",
    "CHOKEPOINT_MAX_BODY_BYTES",
    "CHOKEPOINT_MAX_UPLOAD_BYTES",
    "CHOKEPOINT_BATCH_PROCESSES",
    "CHOKEPOINT_BATCH_SCHEDULER",
    "CHOKEPOINT_SESSION_SECRET",
    "CHOKEPOINT_AUDIT_RESULTS",
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    jobs_dir: Path
    shadow_log: Path | None  # None: under the service's jobs folder
    cache_dir: Path
    max_body_bytes: int
    max_upload_bytes: int
    batch_processes: int
    batch_scheduler: str  # "" (this machine), local:N or a Dask scheduler address
    # signs the review pages' session cookies; "" = random per service start. Set it when
    # several service processes sit behind one address, so a sign-in holds across them
    session_secret: str = ""
    # CHOKEPOINT_AUDIT_RESULTS: full (the default: the review pages read the stored result)
    # or digest (small rows; the result is reproduced on demand, screener.audit.reproduce)
    audit_full_results: bool = True


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


@lru_cache(maxsize=8)
def _read(env: tuple[str | None, ...]) -> Settings:
    values = dict(zip(NAMES, env, strict=True))
    data_dir = Path(values["CHOKEPOINT_DATA_DIR"] or platformdirs.user_data_dir(APP, False))
    jobs_dir = Path(values["CHOKEPOINT_JOBS_DIR"] or data_dir / "jobs")
    return Settings(
        data_dir=data_dir,
        database_url=values["CHOKEPOINT_DATABASE_URL"] or f"sqlite:///{data_dir / 'chokepoint.db'}",
        jobs_dir=jobs_dir,
        shadow_log=Path(shadow) if (shadow := values["CHOKEPOINT_SHADOW_LOG"]) else None,
        cache_dir=Path(values["CHOKEPOINT_CACHE_DIR"] or platformdirs.user_cache_dir(APP, False)),
        max_body_bytes=_int(values["CHOKEPOINT_MAX_BODY_BYTES"], 1 << 20),
        max_upload_bytes=_int(values["CHOKEPOINT_MAX_UPLOAD_BYTES"], 512 << 20),
        batch_processes=_int(values["CHOKEPOINT_BATCH_PROCESSES"], 1),
        batch_scheduler=(values["CHOKEPOINT_BATCH_SCHEDULER"] or "").strip(),
        session_secret=values["CHOKEPOINT_SESSION_SECRET"] or "",
        audit_full_results=(values["CHOKEPOINT_AUDIT_RESULTS"] or "").strip().lower() != "digest",
    )


def settings() -> Settings:
    return _read(tuple(os.environ.get(name) for name in NAMES))


def database_url(url: str | None = None) -> str:
    """The URL given, else the configured one; a SQLite file's folder is created, so the
    default in a fresh data directory opens."""
    resolved = url or settings().database_url
    parsed = make_url(resolved)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return resolved


def shown_url(url: str) -> str:
    """The URL as it may be printed or served: the password masked."""
    return make_url(url).render_as_string(hide_password=True)
