"""`chokepoint lists diff`: what changed between two versions of one list.

A table on a terminal (one row per added, changed or removed entry, the changed fields with
their old and new values), or `--format json` (the `ListDiff`: both versions, and per entry
its kind, id, name, the entry and the field changes) for scripts and the review page.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.common import DbOption, fail
from screener.parties.diff import ListDiff
from screener.parties.store import ListStore


class DiffFormat(StrEnum):
    table = "table"
    json = "json"


def _short(value: Any, width: int = 60) -> str:
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    text = "-" if value in (None, "") else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def render_diff(diff: ListDiff, console: Console) -> None:
    """The diff as a rich table: kind, entry id, name, and what changed."""
    old = diff.old
    title = (
        f"{diff.name}: {old.content_hash[:12] if old else '(nothing)'} -> "
        f"{diff.new.content_hash[:12]}  "
        + ", ".join(f"{n} {kind}" for kind, n in diff.counts().items())
    )
    table = Table(title=title)
    for column in ("change", "entry", "name", "what"):
        table.add_column(column, no_wrap=column in ("change", "entry"))
    for change in diff.changes:
        if change.kind == "changed":
            what = "\n".join(
                f"{f.field}: +{_short(f.added)} -{_short(f.removed)}"
                if f.added or f.removed
                else f"{f.field}: {_short(f.old)} -> {_short(f.new)}"
                for f in change.fields
            )
        else:
            e = change.entry
            what = f"{e.list_code.value}; {_short(e.countries)}; {_short(e.programs)}"
        table.add_row(change.kind, change.entry_id, change.name, what)
    console.print(table)


def diff_command(
    name: Annotated[str, typer.Argument(help="the list's import name (see `lists show`)")],
    old: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="older version: ordinal (1 = first imported, -2 = the one before the latest) "
            "or 6+ hex digits of its content hash; default: the version before --to",
        ),
    ] = None,
    new: Annotated[
        str | None, typer.Option("--to", help="newer version (as --from); default: the latest")
    ] = None,
    fmt: Annotated[
        DiffFormat | None,
        typer.Option("--format", "-f", help="table (default on a terminal) or json"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Entries added, removed and changed between two versions of a list."""
    store = ListStore(db)
    try:
        diff = store.diff(name, old, new)
    except LookupError as exc:
        fail(str(exc).strip("'\""))
    finally:
        store.dispose()
    chosen = fmt or (DiffFormat.table if sys.stdout.isatty() else DiffFormat.json)
    if chosen is DiffFormat.json:
        typer.echo(diff.model_dump_json(indent=2, exclude_defaults=False))
    else:
        render_diff(diff, Console())
