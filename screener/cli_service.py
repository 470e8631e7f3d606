"""`chokepoint serve`, `keys`, `db` and `stats`: the service and its database."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Annotated

import typer
import uvicorn

from screener.cli_common import DbOption, fail

keys_app = typer.Typer(help="API keys (sent as the X-API-Key header).", no_args_is_help=True)
db_app = typer.Typer(help="The chokepoint database schema (alembic).", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="screen, author or admin.")],
    name: Annotated[str, typer.Option(help="Who holds the key (kept in the audit trail).")] = "",
    db: DbOption = None,
) -> None:
    """Print a new key; only its hash is stored, so it cannot be shown again."""
    from screener.audit.keys import ROLES, KeyStore

    if role not in ROLES:
        fail(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    key, record = KeyStore(db).create(role, name)
    typer.echo(key)
    typer.echo(f"created {record.role} key {record.prefix} for {record.name!r}", err=True)


@keys_app.command("list")
def keys_list(db: DbOption = None) -> None:
    """Every key's prefix, role, holder and state (never the key)."""
    from screener.audit.keys import KeyStore

    for key in KeyStore(db).list():
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        typer.echo(f"{key.prefix}\t{key.role}\t{key.name}\t{state}")


@keys_app.command("revoke")
def keys_revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (`keys list`).")],
    db: DbOption = None,
) -> None:
    from screener.audit.keys import KeyStore

    if KeyStore(db).revoke(prefix) is None:
        fail(f"no key with prefix {prefix!r}")
    typer.echo(f"revoked {prefix}")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply the shipped migrations (the service and the CLI also do it on first use)."""
    from screener.audit.db import current_revision, open_engine

    engine = open_engine(db)
    typer.echo(f"{engine.url.render_as_string()}: at revision {current_revision(engine)}")


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date (YYYY-MM-DD)")


def stats(
    since: Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this date.")] = None,
    db: DbOption = None,
) -> None:
    """Counts of stored screenings by decision, jurisdiction, rule and quarter (JSON)."""
    from screener.audit.store import AuditStore

    result = AuditStore(db).stats(_date(since, "--since"), _date(until, "--until"))
    typer.echo(json.dumps(result.model_dump(), indent=2))


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: DbOption = None,
) -> None:
    """Start the HTTP API with uvicorn (OpenAPI at /docs and /openapi.json). Requests are
    logged as JSON lines on stderr, each with its X-Request-ID."""
    from api import request_log
    from api.app import create_app
    from screener.settings import database_url, shown_url

    request_log.configure()
    url = database_url(db)
    logging.getLogger("chokepoint.api").info("database %s", shown_url(url))
    # the request log replaces uvicorn's access log
    uvicorn.run(create_app(database_url=url), host=host, port=port, access_log=False)
