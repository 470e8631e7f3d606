"""`chokepoint reproduce ID`: give a stored screening's result back and prove it is the one
answered (re-screened on the same packs and lists, checked against the stored SHA-256)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DbOption, fail, require_backend
from screener.packs.loader import DEFAULT_RULES_DIR


def reproduce(
    screening_id: Annotated[int, typer.Argument(min=1, help="The stored screening's id.")],
    rules: Annotated[
        Path, typer.Option(help="Rules folder (the packs the screening was made with).")
    ] = DEFAULT_RULES_DIR,
    db: DbOption = None,
) -> None:
    """Print the stored screening's result as JSON when re-screening it gives the stored
    digest (exit 0); otherwise say why in one line (exit 1: another result, or other pack,
    list or engine versions than the stored ones)."""
    from screener.audit.reproduce import reproduce as run
    from screener.audit.store import AuditStore
    from screener.packs.pack import PackError
    from screener.wiring import build_screener

    store = AuditStore(db)
    stored = store.get(screening_id)
    if stored is None:
        fail(f"no screening {screening_id}")
    if stored.reproduction == "stored":  # kept whole (before the digest, or AUDIT_RESULTS=full)
        typer.echo(json.dumps(stored.result))
        return
    require_backend(stored.engine)
    try:
        screener = build_screener(rules, stored.engine, db)  # type: ignore[arg-type]
    except PackError as exc:
        fail(str(exc))
    done = run(stored, screener)
    if not done.verified:
        typer.echo(f"screening {screening_id}: {done.status}: {done.detail}", err=True)
        raise typer.Exit(1)
    typer.echo(done.result_json)
    typer.echo(f"screening {screening_id}: {done.detail}", err=True)
