"""`chokepoint gaps` (the baseline matrix) and `chokepoint profiles` (jurisdiction profiles).

The logic lives in `screener.gaps` and `screener.profiles`, the HTML heat map in
`screener.gaps_report` (shared with `GET /v1/gaps`); this module renders a table or prints.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from schemas.result import Decision
from screener.cli_common import fail
from screener.engine import Screener
from screener.gaps import ITEM_CLASSES, BaselineMatrix, GapAnalyzer, MatrixBuilder, load_baseline
from screener.gaps_report import SHORT, render_html
from screener.loader import DEFAULT_RULES_DIR, PackError
from screener.profiles import load_profiles


class GapFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"


_RICH = {
    Decision.prohibited: "bold red",
    Decision.license_required: "red",
    Decision.review: "yellow",
    Decision.clear: "green",
    Decision.not_applicable: "dim",
}


def render_table(matrix: BaselineMatrix, console: Console) -> None:
    for ic in matrix.item_classes:
        table = Table(
            "Destination",
            *matrix.jurisdictions,
            title=escape(f"{ic['title']} (ECCN {ic['eccn']}) as of {matrix.as_of}"),
        )
        for dest in matrix.destinations:
            row = []
            for j in matrix.jurisdictions:
                c = matrix.cell(ic["id"], dest, j)
                row.append(f"[{_RICH[c.decision]}]{SHORT[c.decision]}[/]")
            table.add_row(dest, *row)
        console.print(table)
    console.print(
        "LICENCE = licence required; review = cannot be decided from the facts given (see "
        "--format json for the missing facts); - = no licence; n/a = domestic or no nexus. "
        "Each column asks the jurisdiction as if the item were exported from its territory."
    )


def gaps(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD); default today.")
    ] = None,
    fmt: Annotated[GapFormat, typer.Option("--format", "-f")] = GapFormat.table,
    rules: Annotated[Path, typer.Option(help="Rules folder.")] = DEFAULT_RULES_DIR,
    classes: Annotated[
        Path, typer.Option(help="Item classes and destinations (YAML).")
    ] = ITEM_CLASSES,
) -> None:
    """Baseline matrix: for the covered item classes x destinations, which jurisdictions
    require a licence and which do not, as of a date."""
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
    try:
        screener = Screener(rules)
        analyzer = GapAnalyzer(screener, load_profiles(rules / "profiles"))
        matrix = MatrixBuilder(analyzer, load_baseline(classes)).build(day)
    except PackError as exc:
        fail(str(exc))
    if fmt == GapFormat.json:
        typer.echo(matrix.model_dump_json(indent=2))
    elif fmt == GapFormat.html:
        typer.echo(render_html(matrix))
    else:
        render_table(matrix, Console())


def profiles(
    jurisdiction: Annotated[
        str | None, typer.Argument(help="US, EU, NL, JP, KR, TW, UK or CN; all when left out.")
    ] = None,
    rules: Annotated[Path, typer.Option(help="Rules folder.")] = DEFAULT_RULES_DIR,
) -> None:
    """Show jurisdiction profiles: instruments and their reach, agency, dated measures."""
    try:
        found = load_profiles(rules / "profiles")
    except PackError as exc:
        fail(str(exc))
    if jurisdiction is not None:
        code = jurisdiction.strip().upper()
        if code not in found:
            fail(f"no profile for {jurisdiction!r}; profiles: {', '.join(found)}")
        found = {code: found[code]}
    console = Console()
    for p in found.values():
        # rule-pack text, never markup: a bracketed value would be read as a style and lost
        console.print(f"[bold]{escape(p.jurisdiction)} — {escape(p.name)}[/] (as of {p.as_of})")
        console.print(Text(f"Enforced by: {p.enforcing_agency}"))
        console.print(Text(f"chokepoint coverage: {p.coverage} — {p.coverage_note}"))
        table = Table("Instrument", "Citation", "Reach", "Encoded", "Confidence")
        for i in p.instruments:
            table.add_row(
                Text(i.name + (f" ({i.note})" if i.note else "")),
                Text(i.citation),
                ", ".join(r.value for r in i.reach),
                "yes" if i.encoded else "no",
                i.confidence.level,
            )
        console.print(table)
        measures = Table("Date", "Measure", "Citation", "Encoded", "Confidence")
        for m in p.semiconductor_measures:
            measures.add_row(
                str(m.date),
                Text(m.title),
                Text(m.citation),
                "yes" if m.encoded else "no",
                m.confidence.level,
            )
        console.print(measures)


def register(app: typer.Typer) -> None:
    """Add `gaps` and `profiles` to the `chokepoint` command line."""
    app.command("gaps")(gaps)
    app.command("profiles")(profiles)
