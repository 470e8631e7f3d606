"""Inline SVG charts for the batch report, drawn on the server: no script, no CDN, so the
report opens offline and can be attached to an email. Every label is HTML-escaped."""

from __future__ import annotations

from collections import Counter
from html import escape

COLOURS = {
    "prohibited": "#8b0000",
    "license_required": "#d62728",
    "review": "#e6a100",
    "clear": "#2ca02c",
    "not_applicable": "#999999",
    "error": "#555555",
}
ORDER = ["prohibited", "license_required", "review", "clear", "not_applicable", "error"]
ROW = 24  # pixels per bar


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" font-family="sans-serif">'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(
    counts: dict[str, int], label: str, *, width: int = 640, label_width: int = 130
) -> str:
    """Horizontal bars, one per key (decisions in severity order, anything else as given),
    each with its count; a decision's bar takes its colour."""
    keys = [k for k in ORDER if counts.get(k)] + [k for k in counts if k not in ORDER]
    rows = [(k, counts[k]) for k in keys if counts[k]]
    top = max((n for _, n in rows), default=1)
    room = width - label_width - 70
    body = []
    for i, (name, n) in enumerate(rows):
        y = 5 + i * ROW
        w = max(1, int(room * n / top))
        body.append(
            f'<text x="0" y="{y + 15}" font-size="12">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w}" height="18" '
            f'fill="{COLOURS.get(name, "#4c72b0")}"><title>{escape(name)}: {n:,}</title></rect>'
            f'<text x="{label_width + w + 6}" y="{y + 15}" font-size="12">{n:,}</text>'
        )
    return _svg(width, ROW * len(rows) + 10, label, body)


def stacked_chart(
    groups: dict[str, Counter[str]],
    label: str,
    *,
    width: int = 640,
    label_width: int = 60,
    keep_order: bool = False,
) -> str:
    """One bar per group (e.g. destination), split by decision, longest first (or in the
    order given, `keep_order`: a time series such as quarters), with a legend: which
    destinations carry the licence requirements."""
    ordered = (
        list(groups.items())
        if keep_order
        else sorted(groups.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    )
    top = max((sum(c.values()) for _, c in ordered), default=1)
    room = width - label_width - 70
    present = [d for d in ORDER if any(c.get(d) for _, c in ordered)]
    body = []
    for i, name in enumerate(present):  # the legend, on the first line
        at = i * 105
        body.append(
            f'<rect x="{at}" y="2" width="12" height="12" fill="{COLOURS[name]}"/>'
            f'<text x="{at + 16}" y="12" font-size="11">{escape(name)}</text>'
        )
    for i, (group, counts) in enumerate(ordered):
        y = 22 + i * ROW
        body.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(group)}</text>')
        x = float(label_width)
        for decision in present:
            n = counts.get(decision, 0)
            if not n:
                continue
            w = max(1.0, room * n / top)
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" '
                f'fill="{COLOURS[decision]}"><title>{escape(group)}: {escape(decision)} '
                f"{n:,}</title></rect>"
            )
            x += w
        body.append(
            f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="12">{sum(counts.values()):,}</text>'
        )
    return _svg(width, 22 + ROW * len(ordered) + 10, label, body)
