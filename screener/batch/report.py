"""The HTML report beside a batch's output CSV: one self-contained file (inline CSS and SVG,
no script, no CDN) a compliance officer can open offline or attach to an email."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from screener.batch.layout import OUTPUT_COLUMNS
from screener.batch.runner import BatchSummary, Row

COLOURS = {
    "prohibited": "#8b0000",
    "license_required": "#d62728",
    "review": "#e6a100",
    "clear": "#2ca02c",
    "not_applicable": "#999999",
    "error": "#555555",
}
ORDER = ["prohibited", "license_required", "review", "clear", "not_applicable", "error"]


def bar_chart(counts: dict[str, int], width: int = 560) -> str:
    """Horizontal bars, one per outcome, as inline SVG."""
    rows = [(k, counts.get(k, 0)) for k in ORDER if counts.get(k)]
    top = max((n for _, n in rows), default=1)
    height = 28 * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'role="img" aria-label="lines by decision">'
    ]
    for i, (name, n) in enumerate(rows):
        y = 5 + i * 28
        w = max(1, int((width - 260) * n / top))
        parts.append(
            f'<text x="0" y="{y + 16}" font-size="13">{escape(name)}</text>'
            f'<rect x="130" y="{y}" width="{w}" height="20" fill="{COLOURS[name]}"/>'
            f'<text x="{136 + w}" y="{y + 16}" font-size="13">{n:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pick(row: Row, *names: str) -> list[str]:
    rec = dict(zip(OUTPUT_COLUMNS, row, strict=True))
    return [rec[n] for n in names]


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
    rules = _table(
        ["Clause", "Lines where it decided"],
        [[r, f"{n:,}"] for r, n in summary.rules.most_common(20)],
    )
    review = _table(
        ["Line", "Id", "Rules", "Party hits"],
        [_pick(r, "line", "id", "rules", "party_hits") for r in summary.review],
    )
    failed = _table(
        ["Line", "Id", "Error"], [_pick(r, "line", "id", "error") for r in summary.failed]
    )
    more_review = summary.by_decision.get("review", 0) - len(summary.review)
    more_failed = summary.errors - len(summary.failed)
    note = lambda n: f"<p>… and {n:,} more (see the CSV).</p>" if n > 0 else ""  # noqa: E731
    rate = summary.lines / summary.seconds if summary.seconds else 0
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chokepoint batch: {escape(source)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}}
table{{border-collapse:collapse;margin:.5em 0 1.5em}}
th,td{{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top;font-size:13px}}
th{{background:#f3f3f3}}
</style></head><body>
<h1>Batch screening report</h1>
<p>Input <code>{escape(source)}</code>: {summary.total:,} lines; {summary.lines:,} accounted for
({summary.ok:,} screened, {summary.errors:,} in error). Written
{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {summary.seconds:,.1f} s ({rate:,.0f} lines/s).</p>
<h2>Lines by decision</h2>
{bar_chart(counts)}
{decisions}
<h2>By jurisdiction</h2>
{jurisdictions}
<h2>Top clauses that fired</h2>
{rules}
<h2>Lines needing review</h2>
{review}{note(more_review)}
<h2>Lines in error</h2>
{failed}{note(more_failed)}
</body></html>
"""


def write_report(path: Path, summary: BatchSummary, source: str) -> Path:
    path.write_text(render(summary, source), encoding="utf-8")
    return path
