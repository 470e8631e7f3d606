"""`chokepoint gaps` (the baseline matrix) and `chokepoint profiles` (jurisdiction profiles).

The logic lives in `screener.gaps.analysis` and `screener.packs.profiles`, the HTML heat map in
`screener.gaps.report` (shared with `GET /v1/gaps`); this module renders a table or prints.
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

from cli.common import fail
from schemas.result import Decision
from screener.engine import Screener
from screener.gaps.analysis import (
    ITEM_CLASSES,
    BaselineMatrix,
    GapAnalyzer,
    MatrixBuilder,
    load_baseline,
)
from screener.gaps.report import SHORT, render_html
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.packs.pack import PackError
from screener.packs.profiles import load_profiles


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
