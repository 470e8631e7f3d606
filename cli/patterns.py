"""`chokepoint patterns FILE.jsonl`: cross-shipment patterns over a stream of transactions.

Reads one transaction JSON per line (FILE or - for stdin) in date order, or the service's
stored history (`--audit`: the audit trail's screenings, sorted by transaction date), and
prints each alert as soon as the line that completes it is read (JSON lines), or a table at
the end.
Exit codes as elsewhere: 0 whatever the alerts, 2 with a one-line reason naming the input
line on invalid input, a stream out of date order, or an invalid pattern file.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.table import Table

from cli.common import DbOption, fail, require_backend
from schemas.patterns import Alert, Pattern
from schemas.transaction import Transaction
from screener.errors import InputError, parse_model
from screener.packs.pack import PackError
from screener.patterns.engine import scan
from screener.patterns.loader import DEFAULT_PATTERNS_DIR, load_patterns
from screener.patterns.stream import StreamOrderError


class PatternFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


class PatternBackend(StrEnum):
    indexed = "indexed"
    durable = "durable"


def read_transactions(handle: TextIO, name: str) -> Iterator[Transaction]:
    """Transactions from JSON lines (blank lines skipped); an invalid one fails with its line."""
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            yield parse_model(Transaction, text)
        except InputError as exc:
            fail(f"{name}:{number}: invalid transaction: {exc}")


def _table(alerts: list[Alert], console: Console) -> None:
    if not alerts:
        console.print("No pattern alerts.")
        return
    table = Table("Date", "Pattern", "Group", "Lines", "USD", "Transactions", title="Alerts")
    for a in alerts:
        group = ", ".join(f"{k}={v}" for k, v in a.group.items())
        ids = ", ".join(str(i) for i in a.transaction_ids)
        table.add_row(a.date, a.pattern_id, group, str(a.lines), f"{a.total_value_usd:,.2f}", ids)
    console.print(table)


def _audit_history(db: str | None, since: dt.datetime | None) -> Iterator[Transaction]:
    """The transactions the service screened (from `since`), in transaction-date order: the
    audit trail is in screening order, which a back-dated screening breaks."""
    from screener.audit.store import AuditStore

    stored = AuditStore(db).iter_screenings(since=since)
    return iter(sorted((s.transaction for s in stored), key=lambda tx: tx.date))


def patterns_command(
    file: Annotated[
        str | None, typer.Argument(help="Transactions as JSON lines, or - for stdin.")
    ] = None,
    fmt: Annotated[PatternFormat, typer.Option("--format", "-f")] = PatternFormat.jsonl,
    backend: Annotated[
        PatternBackend, typer.Option(help="Window engine (both give identical alerts).")
    ] = PatternBackend.indexed,
    patterns_dir: Annotated[
        Path, typer.Option("--patterns", help="Folder of pattern files.")
    ] = DEFAULT_PATTERNS_DIR,
    sort: Annotated[
        bool, typer.Option("--sort", help="Read the whole file and sort it by date first.")
    ] = False,
    audit: Annotated[
        bool, typer.Option("--audit", help="Scan the service's stored screenings instead.")
    ] = False,
    since: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="With --audit: screened on or after."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Watch a stream of transactions for split shipments, fan-in and new hub consignees."""
    require_backend(backend.value)
    try:
        patterns = load_patterns(patterns_dir)
    except PackError as exc:
        fail(str(exc))
    if (file is None) == (not audit):
        fail("give a FILE of transactions or --audit (one of the two)")
    if file is None:
        _emit(_audit_history(db, since), patterns, backend, fmt)
        return
    if file == "-":
        handle: TextIO = sys.stdin
    elif Path(file).is_file():
        handle = Path(file).open(encoding="utf-8-sig")  # noqa: SIM115 - closed below
    else:
        fail(f"{file}: no such file")
    try:
        stream: Iterator[Transaction] = read_transactions(handle, file)
        if sort:
            stream = iter(sorted(stream, key=lambda tx: tx.date))
        _emit(stream, patterns, backend, fmt)
    except StreamOrderError as exc:
        fail(f"{exc} (or pass --sort)")
    finally:
        if handle is not sys.stdin:
            handle.close()


def _emit(
    stream: Iterator[Transaction],
    patterns: list[Pattern],
    backend: PatternBackend,
    fmt: PatternFormat,
) -> None:
    """Alerts as JSON lines while the stream is read, or as a table at the end."""
    collected: list[Alert] = []
    for alert in scan(stream, patterns, backend.value):
        if fmt == PatternFormat.jsonl:
            typer.echo(alert.model_dump_json())
        else:
            collected.append(alert)
    if fmt == PatternFormat.table:
        _table(collected, Console())
