"""How the `chokepoint rules` commands show their results to an analyst (rich tables).

Kept apart from the commands so the same rendering serves any caller; every piece of text
that comes from a clause file or a history is escaped, so `[unclosed` in a YAML error is
shown, never read as console markup.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from screener.authoring.diff import ImpactReport
from screener.authoring.examples import ExampleRun
from screener.authoring.lint import LintFinding


class CoverageView(StrEnum):
    summary = "summary"
    full = "full"
    none = "none"


COLOURS = {
    "newly_flagged": "red",
    "newly_cleared": "green",
    "reasons_changed": "yellow",
    "error": "red",
    "warning": "yellow",
    "note": "dim",
}


def short(where: str) -> str:
    """Paths (file:line) relative to the working folder, as an analyst would open them."""
    return where.replace(str(Path.cwd()) + "/", "")


def render_test(
    label: str, run: ExampleRun, view: CoverageView, console: Console, every: bool = False
) -> None:
    shown = run.results if every else run.failed
    if shown:
        title = "Examples" if every else "Failing examples"
        table = Table("Clause", "Example", "Where", "Expected", "Got", "Why", title=title)
        for r in shown:
            got = f"[green]{r.got}[/]" if r.passed else f"[red]{r.got}[/]"
            table.add_row(
                r.clause_id, escape(r.example), short(r.where), r.expect, got, escape(r.reason)
            )
        console.print(table)
    gapped = [c for c in run.coverage if c.gaps]
    if view != CoverageView.none and gapped:
        listed = gapped if view == CoverageView.full else gapped[:15]
        table = Table("Clause", "Branches", "Not exercised by any example", title="Coverage gaps")
        table.columns[0].overflow = "fold"
        for c in listed:
            table.add_row(c.clause_id, f"{c.covered}/{c.total}", escape("\n".join(c.gaps)))
        console.print(table)
        if len(listed) < len(gapped):
            console.print(f"... and {len(gapped) - len(listed)} more clauses (--coverage full)")
    passed = len(run.results) - len(run.failed)
    colour = "red" if run.failed else "green"
    console.print(
        f"[{colour}]{passed}/{len(run.results)} examples pass[/] in {len(run.coverage)} clauses "
        f"({label}); branch coverage {run.branch_coverage:.1f} %, "
        f"{run.fully_covered}/{len(run.coverage)} clauses fully covered"
    )


def render_lint(label: str, findings: list[LintFinding], console: Console) -> None:
    """Findings as a table (notes dimmed), then the count that decides the exit code."""
    failing = [f for f in findings if f.severity != "note"]
    if findings:
        table = Table("Severity", "Code", "Where", "Finding", title=f"Lint: {short(label)}")
        table.columns[1].no_wrap = True
        table.columns[2].overflow = "fold"
        for f in findings:
            c = COLOURS[f.severity]
            table.add_row(f"[{c}]{f.severity}[/]", f.code, short(f.where), escape(short(f.message)))
        console.print(table)
    colour = "red" if failing else "green"
    notes = len(findings) - len(failing)
    console.print(f"[{colour}]{len(failing)} finding(s)[/], {notes} note(s) in {label}")


def render_impact(report: ImpactReport, console: Console, title: str) -> None:
    if report.changes:
        table = Table(
            "Screening", "Transaction", "As of", "Change", "Live", "Draft", "Clauses", title=title
        )
        for column in table.columns:
            column.overflow = "fold"
        for d in report.changes:
            c = COLOURS[d.change]
            clauses = [f"-{cid}" for cid in sorted(d.no_longer_firing)]
            clauses += [f"+{cid} ({o})" for cid, o in sorted(d.newly_firing.items())]
            live = d.live_decision.value + (
                " (stored: " + d.stored_decision.value + ")"
                if d.drift and d.stored_decision
                else ""
            )
            table.add_row(
                d.screening_id,
                d.transaction_id or "",
                str(d.as_of),
                f"[{c}]{d.change.replace('_', ' ')}[/]",
                live,
                d.draft_decision.value,
                "\n".join(clauses),
            )
        console.print(table)
        by_clause = Table(
            "Clause",
            "Newly fires",
            "No longer fires",
            "Newly flagged",
            "Newly cleared",
            title="By clause",
        )
        for i in report.by_clause:
            by_clause.add_row(
                i.clause_id,
                str(len(i.newly_firing)),
                str(len(i.no_longer_firing)),
                ", ".join(i.newly_flagged),
                ", ".join(i.newly_cleared),
            )
        console.print(by_clause)
    for e in report.errors:
        console.print(f"[red]not evaluated[/]: {escape(e)}")
    console.print(
        f"{report.screened} screenings: [red]{report.newly_flagged} newly flagged[/], "
        f"[green]{report.newly_cleared} newly cleared[/], "
        f"[yellow]{report.reasons_changed} with other reasons[/], {report.unchanged} unchanged"
        + (f"; {report.drift} decided otherwise today than when stored" if report.drift else "")
    )
