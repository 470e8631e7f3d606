"""`chokepoint stats`: counts of the stored screenings (the audit trail) as JSON."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import DbOption, option_date


def stats(
    since: Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this date.")] = None,
    db: DbOption = None,
) -> None:
    """Counts of stored screenings by decision, jurisdiction, rule and quarter (JSON)."""
    from screener.audit.store import AuditStore

    result = AuditStore(db).stats(option_date(since, "--since"), option_date(until, "--until"))
    typer.echo(json.dumps(result.model_dump(), indent=2))
