"""Alembic environment: run against the engine handed in by `screener.audit.db`, or the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from screener.audit.db import VERSION_TABLE

config = context.config


def run() -> None:
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url") or ""
    )
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            version_table=VERSION_TABLE,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run()
