"""`chokepoint stats`: counts of the stored screenings (the audit trail) as JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from cli.common import DbOption, fail


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
