"""`chokepoint screen -f table`: the result for a person, compact by default, full on request.

Every piece of rule or user text goes to rich as `Text` or through `escape`, never as markup:
an explanation such as "parties.lists = [entity_list] is given" would otherwise lose its
bracketed value (rich reads `[entity_list]` as a style tag and deletes it).

The compact view (default) renders `screener.compact.compact(result, tx)`: the items and
parties, the jurisdictions that apply with their nexus, one line per jurisdiction that does
not, the findings that decide with their explanations, red flags and gaps, and a count of
what was left out. `full=True` adds every item's nexus in every jurisdiction, findings that
do not decide, licence-exception advice and the clauses checked.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from schemas.compact import CompactNexus, CompactResult
from schemas.result import ScreeningResult
from schemas.transaction import Transaction
from screener.compact import compact, deciding, set_aside_reason

COLOURS = {
    "prohibited": "bold red",
    "license_required": "red",
    "review": "yellow",
    "clear": "green",
    "not_applicable": "dim",
}


def _decision(value: str, suffix: str = "") -> Text:
    return Text(value + suffix, style=COLOURS.get(value, ""))


def _item_label(view: CompactResult, index: int | None) -> str:
    if index is None:
        return "-"
    item = next((i for i in view.items if i.index == index), None)
    if item is None or not (item.description or item.eccn):
        return str(index)
    return f"{index}: {item.description or '(no description)'} ({item.eccn or 'no ECCN'})"


def _header(view: CompactResult, console: Console) -> None:
    ident = f"  transaction {escape(view.transaction_id)}" if view.transaction_id else ""
    console.print(
        f"[bold]Decision:[/] [{COLOURS[view.decision.value]}]{view.decision.value}[/]  "
        f"as of {view.as_of}{ident}"
    )
    console.print(
        Text(
            "Versions: " + ", ".join(f"{k}@{v[:12]}" for k, v in view.versions.items()),
            style="dim",
        )
    )
    if view.items:
        items = Table("#", "Description", "ECCN", "Origin", title="Items")
        for i in view.items:
            items.add_row(
                str(i.index),
                Text(i.description or ""),
                Text(i.eccn or "-"),
                Text(i.origin_country or "-"),
            )
        console.print(items)
    if view.parties:
        parties = Table("Role", "Name", "Country", title="Parties")
        for p in view.parties:
            parties.add_row(Text(p.role), Text(p.name), Text(p.country or "-"))
        console.print(parties)


def _nexus_text(lines: list[CompactNexus]) -> Text:
    return Text(
        "\n".join(
            f"items {', '.join(map(str, n.items))}: {n.explanation}"
            if len(n.items) > 1
            else f"item {n.items[0]}: {n.explanation}"
            for n in lines
        )
    )


def _items(indexes: list[int | None]) -> str:
    shown = ", ".join(str(i) for i in indexes)
    return f"item {shown}" if len(indexes) == 1 else f"items {shown}"


def _flags_and_gaps(view: CompactResult, console: Console, *, per_item: bool = False) -> None:
    """Red flags (one line per flag, its items together unless `per_item`), gaps, hits."""
    flags: dict[tuple[str, ...], list[int | None]] = {}
    for t in view.triggers:
        missing = f" Missing: {', '.join(t.missing_facts)}." if t.missing_facts else ""
        key: tuple[str, ...] = (t.clause_id, t.status, t.reason, t.citation, missing)
        if per_item:
            key += (str(t.item_index),)
        flags.setdefault(key, []).append(t.item_index)
    for (clause_id, status, reason, citation, missing, *_), items in flags.items():
        console.print(
            f"[yellow]Red flag[/] {escape(clause_id)} ({_items(items)}, {status}): "
            f"{escape(reason)} ({escape(citation)}){escape(missing)}"
        )
    for gap in view.gaps:
        console.print(
            f"[bold]Gap[/] (item {gap.item_index} to {escape(gap.destination)}, as if exported "
            f"from each jurisdiction): {escape(gap.summary)}"
        )
    for hit in view.party_hits:
        console.print(f"[bold]Party hit[/] {escape(hit)}")


def _unknowns(view: CompactResult, console: Console) -> None:
    """What each jurisdiction asks, what did not matter, and what it assumed."""
    for code, v in view.jurisdictions.items():
        for q in v.questions:
            console.print(Text(f"{code} asks: {q}"))
        if v.immaterial_unknowns:
            shown = ", ".join(v.immaterial_unknowns)
            console.print(Text(f"{code}: unknown but immaterial to its decision: {shown}", "dim"))
        for a in v.assumptions:
            console.print(Text(f"{code} assumes: {a}"))


def render_compact(view: CompactResult, console: Console) -> None:
    _header(view, console)
    applies = Table("Jurisdiction", "Decision", "Reached through", title="Jurisdictions that apply")
    absent: list[tuple[str, str]] = []
    for code, v in view.jurisdictions.items():
        if v.applies is False:
            reasons = "; ".join(dict.fromkeys(n.explanation for n in v.nexus))
            absent.append((code, reasons))
        else:
            applies.add_row(code, _decision(v.decision.value), _nexus_text(v.nexus))
    if applies.row_count:
        console.print(applies)
    for code, reasons in absent:
        console.print(Text(f"{code}: not applicable. {reasons}", style="dim"))
    _unknowns(view, console)
    _flags_and_gaps(view, console)
    if not view.findings:
        console.print("No clause fired." if not view.triggers else "No other clause fired.")
    else:
        findings = Table("Item", "Outcome", "Rule", "Title", title="Findings that decide")
        findings.columns[2].overflow = "fold"
        for f in view.findings:
            findings.add_row(
                "-" if f.item_index is None else str(f.item_index),
                _decision(f.outcome.value),
                Text(f.rule_id),
                Text(f.title),
            )
        console.print(findings)
        for f in view.findings:
            console.print(
                f"[bold]{escape(f.rule_id)}[/] (item {f.item_index}; {escape(f.citation)}): "
                f"{escape(f.explanation)}"
            )
            if f.missing_facts:
                console.print(f"  Missing: {escape(', '.join(f.missing_facts))}")
            if f.license_review_policy:
                console.print(f"  Review policy: {escape(f.license_review_policy)}")
    left = [f"{s.rule_id} (item {s.item_index}): {s.reason}" for s in view.set_aside]
    checked = sum(v.checked for v in view.jurisdictions.values())
    note = f"Not shown: {checked} clauses checked that did not fire"
    if left:
        note += f"; findings that do not decide: {'; '.join(left)}"
    console.print(Text(note + ". Use --full for the whole trace.", style="dim"))


def render_full(view: CompactResult, result: ScreeningResult, console: Console) -> None:
    _header(view, console)
    verdicts = Table("Jurisdiction", "Applies", "Decision", "Nexus", title="Jurisdictions")
    for j, v in result.jurisdictions.items():
        nexus = "\n".join(f"item {n.item_index}: {n.explanation}" for n in v.nexus)
        verdicts.add_row(j, str(v.applies), _decision(v.decision.value), Text(nexus))
    console.print(verdicts)
    _unknowns(view, console)
    _flags_and_gaps(view, console, per_item=True)
    if not result.findings:
        console.print("No clause fired." if not result.triggers else "No other clause fired.")
    else:
        findings = Table("Item", "Outcome", "Rule", "Citation", "Title", title="Findings")
        findings.columns[2].overflow = "fold"
        for f in result.findings:
            suffix = "" if deciding(f) else f" ({set_aside_reason(f)})"
            findings.add_row(
                Text(_item_label(view, f.item_index)),
                _decision(f.outcome.value, suffix),
                Text(f.rule_id),
                Text(f.citation),
                Text(f.title),
            )
        console.print(findings)
    for f in result.findings:
        console.print(
            f"[bold]{escape(f.rule_id)}[/] (item {f.item_index}): {escape(f.explanation)}"
        )
        if f.missing_facts:
            console.print(f"  Missing: {escape(', '.join(f.missing_facts))}")
        if f.license_review_policy:
            console.print(f"  Review policy: {escape(f.license_review_policy)}")
        for a in f.license_exceptions:
            console.print(
                f"  Licence exception {escape(a.symbol)} ({a.status}"
                f"{', claimed' if a.claimed else ''}): {escape(a.explanation)}"
            )
    for j, v in result.jurisdictions.items():
        if v.checked:
            console.print(
                Text(
                    f"{j}: {len(v.checked)} clauses checked that did not fire: "
                    + ", ".join(v.checked),
                    style="dim",
                )
            )


def render_table(
    result: ScreeningResult,
    console: Console,
    tx: Transaction | None = None,
    *,
    full: bool = False,
) -> None:
    """Print `result` (of `tx`, when given: items and parties are then named)."""
    view = compact(result, tx)
    if full:
        render_full(view, result, console)
    else:
        render_compact(view, console)
