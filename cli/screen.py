"""`chokepoint screen`: one transaction from a file or stdin, screened and printed.

Exit codes: 0 whatever the decision (a licence requirement is an answer, not a failure),
2 with a one-line reason on invalid input or an invalid rule pack.
"""

from __future__ import annotations

import getpass
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cli.common import DbOption, fail, require_backend
from schemas.transaction import Transaction
from screener.audit.store import AuditStore
from screener.compact import compact
from screener.errors import InputError, parse_model
from screener.limits import LimitError, Limits
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.packs.pack import PackError
from screener.settings import database_url, shown_url
from screener.table_view import render_table
from screener.wiring import build_screener


class OutputFormat(StrEnum):
    json = "json"
    compact_json = "compact-json"
    table = "table"


class BackendChoice(StrEnum):
    python = "python"
    durable = "durable"


def _read(source: str, limit: int) -> str:
    """The file (or stdin) as text, refused over `limit` bytes or when it is not UTF-8."""
    if source == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        path = Path(source)
        if not path.is_file():
            fail(f"{source}: no such file")
        with path.open("rb") as f:
            data = f.read(limit + 1)
    if len(data) > limit:
        fail(f"{source}: larger than the limit of {limit:,} bytes (CHOKEPOINT_MAX_BODY_BYTES)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{source}: not UTF-8 (byte {exc.start}: {exc.reason})")


def screen(
    file: Annotated[str, typer.Argument(help="Transaction JSON file, or - for stdin.")],
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="json: the full result; compact-json: what decides, without the trace; "
            "table: for reading (compact unless --full).",
        ),
    ] = OutputFormat.json,
    full: Annotated[
        bool,
        typer.Option(
            help="table: the whole trace (every item's nexus per jurisdiction, findings that "
            "do not decide, licence-exception advice, clauses checked)."
        ),
    ] = False,
    backend: Annotated[
        BackendChoice, typer.Option(help="Evaluation engine.")
    ] = BackendChoice.python,
    rules: Annotated[Path, typer.Option(help="Rules folder.")] = DEFAULT_RULES_DIR,
    db: DbOption = None,
    record: Annotated[
        bool,
        typer.Option(
            help="Store the screening in the audit trail (the database of --db), as the "
            "service does, with the operating-system user as who asked."
        ),
    ] = True,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Apply no default (a party's headquarters is not taken to be its stated "
            "country): a decision that would rest on one asks instead.",
        ),
    ] = False,
) -> None:
    """Screen one transaction (parties against the imported lists) and print the result."""
    require_backend(backend.value)
    if full and fmt != OutputFormat.table:
        fail("--full applies to --format table (json is always the full result)")
    limits = Limits.from_env()
    try:
        tx = parse_model(Transaction, _read(file, limits.body_bytes))
        limits.check(tx)
        if strict:
            tx = tx.model_copy(update={"strict_assumptions": True})
        url = database_url(db)
        result = build_screener(rules, backend.value, url).screen(tx)
    except LimitError as exc:
        fail(f"transaction too large: {exc}")
    except InputError as exc:
        fail(f"invalid transaction: {exc}")
    except PackError as exc:
        fail(str(exc))
    typer.echo(f"Database: {shown_url(url)}", err=True)
    if record:
        screening_id = AuditStore(db).record(
            tx, result, requested_by=getpass.getuser(), source="cli"
        )
        Console(stderr=True).print(f"Stored in the audit trail as screening {screening_id}.")
    if fmt == OutputFormat.table:
        render_table(result, Console(), tx, full=full)
    elif fmt == OutputFormat.compact_json:
        typer.echo(compact(result, tx).model_dump_json(indent=2))
    else:
        typer.echo(result.model_dump_json(indent=2))
