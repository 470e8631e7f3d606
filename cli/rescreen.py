"""`chokepoint rescreen`: re-screen the audit trail against the latest list versions.

One JSON line per stored screening whose decision or party hits changed (`RescreenChange`:
old and new decision, the hits gained, lost and changed, the list entries that caused it,
the id of the new result stored in the audit trail); a summary (how many screenings were
stored, probed, re-screened and changed, and how long it took) goes to stderr.
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer

from cli.common import DbOption, fail, option_date
from screener.audit.store import AuditStore
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.packs.pack import PackError
from screener.parties.store import ListStore
from screener.rescreen import RescreenStats, rescreen
from screener.settings import database_url
from screener.wiring import build_screener


def rescreen_command(
    since: Annotated[
        str | None, typer.Option(help="Only screenings made on or after this date (YYYY-MM-DD).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Screen every transaction as of this date (default: each transaction's own).",
        ),
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            "--record/--no-record",
            help="Store the changed results in the audit trail (default) or only report them.",
        ),
    ] = True,
    db: DbOption = None,
) -> None:
    """Re-screen stored screenings whose party names match entries added, changed or removed
    since they were screened; print one JSON line per screening that changed."""
    start, on = option_date(since, "--since"), option_date(as_of, "--as-of")
    url = database_url(db)
    try:
        screener = build_screener(DEFAULT_RULES_DIR, "python", url, gaps=False)
    except PackError as exc:
        fail(str(exc))
    store = ListStore(url)
    stats = RescreenStats()
    try:
        for change in rescreen(
            AuditStore(url),
            store,
            screener,
            since=start,
            as_of=on,
            requested_by=getpass.getuser(),
            record=record,
            stats=stats,
        ):
            typer.echo(change.model_dump_json())
    finally:
        store.dispose()
    typer.echo(json.dumps({"rescreen": stats.model_dump()}), err=True)
