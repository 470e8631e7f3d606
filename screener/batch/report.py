"""The HTML report beside a batch's output CSV: one self-contained file (inline CSS and SVG,
no script, no CDN) a compliance officer can open offline or attach to an email.

Every cell is HTML-escaped, and shown as the CSV has it (a cell the CSV neutralised against
formula injection keeps its leading quote here too, `screener.csv_safe`). The prohibited and
licence-required lines are listed with the title of each clause that decided, beside the
rule pack and list versions screened against and charts by destination and by clause."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from screener.batch.charts import ORDER, bar_chart, stacked_chart
from screener.batch.layout import OUTPUT_COLUMNS
from screener.batch.summary import BatchSummary, Row

LINE_COLUMNS = ["Line", "Id", "Description", "ECCN", "Destination"]


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pick(row: Row, *names: str) -> list[str]:
    rec = dict(zip(OUTPUT_COLUMNS, row, strict=True))
    return [rec[n] for n in names]


def _clauses(summary: BatchSummary, cell: str) -> str:
    """`id: title` per clause, one a line (the cell has `white-space: pre-line`)."""
    titles = summary.context.clauses
    ids = [r for r in cell.split(" | ") if r]
    return "\n".join(f"{r}: {titles[r][0]}" if r in titles else r for r in ids)


def _lines(summary: BatchSummary, rows: list[Row]) -> str:
    if not rows:
        return "<p>None.</p>"
    return _table(
        [*LINE_COLUMNS, "Clauses that decided", "Red flags", "Party hits"],
        [
            [
                *_pick(r, "line", "id", "description", "eccn", "destination_country"),
                _clauses(summary, _pick(r, "rules")[0]),
                *_pick(r, "red_flags", "party_hits"),
            ]
            for r in rows
        ],
    )


def _versions(summary: BatchSummary) -> str:
    versions = summary.context.versions
    kinds = (("list:", "list"), ("ownership:", "ownership links"))
    rows = [
        ["rule pack", k, v[:12]]
        for k, v in versions.items()
        if not k.startswith(tuple(p for p, _ in kinds))
    ]
    for prefix, kind in kinds:
        rows += [
            [kind, k.removeprefix(prefix), v[:12]]
            for k, v in versions.items()
            if k.startswith(prefix)
        ]
    if not any(k.startswith("list:") for k in versions):
        rows.append(["list", "(none imported: party clauses are review)", ""])
    return _table(["Kind", "Name", "Content hash"], rows)


def render(summary: BatchSummary, source: str) -> str:
    counts = dict(summary.by_decision)
    if summary.errors:
        counts["error"] = summary.errors
    decisions = _table(["Outcome", "Lines"], [[k, f"{counts[k]:,}"] for k in ORDER if k in counts])
    names = sorted({d for c in summary.by_jurisdiction.values() for d in c}, key=ORDER.index)
    jurisdictions = _table(
        ["Jurisdiction", *names],
        [
            [j, *(f"{c.get(d, 0):,}" for d in names)]
            for j, c in sorted(summary.by_jurisdiction.items())
        ],
    )
    titles = summary.context.clauses
    top = summary.rules.most_common(20)
    rules = _table(
        ["Clause", "Title", "Citation", "Lines where it decided"],
        [[r, *titles.get(r, ("", "")), f"{n:,}"] for r, n in top],
    )
    flags = _table(
        ["Red flag", "Title", "Lines"],
        [
            [r, titles.get(r.removesuffix(" (undecided)"), ("",))[0], f"{n:,}"]
            for r, n in summary.red_flags.most_common()
        ],
    )
    failed = _table(
        ["Line", "Id", "Error"], [_pick(r, "line", "id", "error") for r in summary.failed]
    )

    def note(kept: list[Row], total: int) -> str:
        more = total - len(kept)
        return f"<p>… and {more:,} more (see the CSV).</p>" if more > 0 else ""

    by = summary.by_decision
    rate = (summary.lines - summary.resumed_after) / summary.seconds if summary.seconds else 0
    clause_chart = bar_chart(dict(top), "lines by clause that decided", width=900, label_width=380)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chokepoint batch: {escape(source)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;max-width:80em;color:#222}}
table{{border-collapse:collapse;margin:.5em 0 1.5em}}
th,td{{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top;font-size:13px;
white-space:pre-line}}
th{{background:#f3f3f3}}
</style></head><body>
<h1>Batch screening report</h1>
<p>Input <code>{escape(source)}</code>: {summary.total:,} lines; {summary.lines:,} accounted for
({summary.ok:,} screened, {summary.errors:,} in error). Written
{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {summary.seconds:,.1f} s ({rate:,.1f} lines/s).</p>
<h2>Screened against</h2>
{_versions(summary)}
<h2>Lines by decision</h2>
{bar_chart(counts, "lines by decision")}
{decisions}
<h2>Decisions by destination</h2>
{stacked_chart(summary.by_destination, "lines by destination and decision")}
<h2>By jurisdiction</h2>
{jurisdictions}
<h2>Clauses that decided</h2>
{clause_chart}
{rules}
<h2>Red flags</h2>
{flags}
<h2>Prohibited lines</h2>
{_lines(summary, summary.prohibited)}{note(summary.prohibited, by.get("prohibited", 0))}
<h2>Licence-required lines</h2>
{_lines(summary, summary.licensed)}{note(summary.licensed, by.get("license_required", 0))}
<h2>Lines needing review</h2>
{_lines(summary, summary.review)}{note(summary.review, by.get("review", 0))}
<h2>Lines in error</h2>
{failed}{note(summary.failed, summary.errors)}
</body></html>
"""


def write_report(path: Path, summary: BatchSummary, source: str) -> Path:
    path.write_text(render(summary, source), encoding="utf-8")
    return path
