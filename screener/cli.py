"""The `chokepoint` command line: a thin shell over `screener`.

Exit codes: 0 whatever the decision (a licence requirement is an answer, not a failure),
2 with a one-line reason on invalid input or an invalid rule pack.
"""

from __future__ import annotations

import getpass
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from schemas.patterns import Alert, PatternFile
from schemas.result import ScreeningResult
from schemas.rules import Clause
from schemas.transaction import Transaction
from screener.audit.store import AuditStore
from screener.cli_batch import batch
from screener.cli_common import DbOption, fail
from screener.cli_gaps import register as register_gaps
from screener.cli_lists import lists_app
from screener.cli_parties import parties_app
from screener.cli_patterns import patterns_command
from screener.cli_rules import rules_app
from screener.cli_service import db_app, keys_app, serve, stats
from screener.engine import Screener
from screener.errors import InputError, parse_model
from screener.limits import LimitError, Limits
from screener.loader import DEFAULT_RULES_DIR, PackError
from screener.parties.screening import load_party_screening
from screener.parties.store import ListStore

app = typer.Typer(
    help="chokepoint: export-control screening for semiconductors, SME and advanced computing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


app.add_typer(lists_app, name="lists")
app.add_typer(parties_app, name="parties")
app.command(name="patterns")(patterns_command)
app.add_typer(rules_app, name="rules")
register_gaps(app)
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
app.command("batch")(batch)
app.command("serve")(serve)
app.command("stats")(stats)


class OutputFormat(StrEnum):
    json = "json"
    table = "table"


class BackendChoice(StrEnum):
    python = "python"
    durable = "durable"


SCHEMAS = {
    "transaction": Transaction,
    "result": ScreeningResult,
    "clause": Clause,
    "pattern": PatternFile,
    "alert": Alert,
}


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


_COLOURS = {
    "prohibited": "bold red",
    "license_required": "red",
    "review": "yellow",
    "clear": "green",
    "not_applicable": "dim",
}


def render_table(result: ScreeningResult, console: Console) -> None:
    colour = _COLOURS[result.decision.value]
    console.print(
        f"[bold]Decision:[/] [{colour}]{result.decision.value}[/]  as of {result.as_of}  "
        f"(versions {', '.join(f'{k}@{v[:12]}' for k, v in result.versions.items())})"
    )
    verdicts = Table("Jurisdiction", "Applies", "Decision", "Nexus", title="Jurisdictions")
    for j, v in result.jurisdictions.items():
        nexus = "; ".join(f"item {n.item_index}: {n.explanation}" for n in v.nexus)
        c = _COLOURS[v.decision.value]
        verdicts.add_row(j, str(v.applies), f"[{c}]{v.decision.value}[/]", nexus)
    console.print(verdicts)
    for t in result.triggers:
        console.print(
            f"[yellow]Red flag[/] {t.clause_id} (item {t.item_index}, {t.status}): "
            f"{escape(t.reason)} ({escape(t.citation)})"
        )
    for gap in result.gaps:
        console.print(
            f"[bold]Gap[/] (item {gap.item_index} to {gap.destination}, as if exported from "
            f"each jurisdiction): {gap.summary}"
        )
    if not result.findings:
        console.print("No clause fired." if not result.triggers else "No other clause fired.")
        return
    findings = Table("Item", "Outcome", "Rule", "Citation", "Title", title="Findings")
    for f in result.findings:
        c = _COLOURS[f.outcome.value]
        outcome = f"[{c}]{f.outcome.value}[/]" + ("" if f.decisive else " (not enforced)")
        findings.add_row(str(f.item_index), outcome, f.rule_id, f.citation, f.title)
    console.print(findings)
    for f in result.findings:
        console.print(f"[bold]{f.rule_id}[/] (item {f.item_index}): {f.explanation}")
        if f.license_review_policy:
            console.print(f"  Review policy: {f.license_review_policy}")


@app.command()
def screen(
    file: Annotated[str, typer.Argument(help="Transaction JSON file, or - for stdin.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.json,
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
) -> None:
    """Screen one transaction (parties against the imported lists) and print the result."""
    limits = Limits.from_env()
    try:
        tx = parse_model(Transaction, _read(file, limits.body_bytes))
        limits.check(tx)
        parties = load_party_screening(ListStore(db))
        result = Screener(rules, backend=backend.value, parties=parties, gaps=True).screen(tx)
    except LimitError as exc:
        fail(f"transaction too large: {exc}")
    except InputError as exc:
        fail(f"invalid transaction: {exc}")
    except PackError as exc:
        fail(str(exc))
    if record:
        screening_id = AuditStore(db).record(
            tx, result, requested_by=getpass.getuser(), source="cli"
        )
        Console(stderr=True).print(f"Stored in the audit trail as screening {screening_id}.")
    if fmt == OutputFormat.table:
        render_table(result, Console())
    else:
        typer.echo(result.model_dump_json(indent=2))


@app.command()
def schema(
    name: Annotated[str, typer.Argument(help="transaction, result, clause, pattern or alert")],
) -> None:
    """Print the JSON Schema of the transaction, the result or a rule clause."""
    model = SCHEMAS.get(name)
    if model is None:
        fail(f"unknown schema {name!r}; choose one of {', '.join(SCHEMAS)}")
    typer.echo(json.dumps(model.model_json_schema(), indent=2))


if __name__ == "__main__":
    app()
