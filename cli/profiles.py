"""`chokepoint profiles`: the jurisdiction profiles (instruments and their reach, agency,
dated measures) as tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from cli.common import fail
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.packs.pack import PackError
from screener.packs.profiles import load_profiles


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
