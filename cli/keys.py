"""`chokepoint keys create|list|revoke`: the service's API keys (sent as X-API-Key)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import DbOption, fail

keys_app = typer.Typer(help="API keys (sent as the X-API-Key header).", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="screen, author, review or admin.")],
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
