"""`chokepoint db upgrade`: the chokepoint database schema (alembic migrations)."""

from __future__ import annotations

import typer

from cli.common import DbOption

db_app = typer.Typer(help="The chokepoint database schema (alembic).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply the shipped migrations (the service and the CLI also do it on first use)."""
    from screener.audit.db import current_revision, open_engine

    engine = open_engine(db)
    typer.echo(f"{engine.url.render_as_string()}: at revision {current_revision(engine)}")
