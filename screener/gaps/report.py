"""The baseline gap matrix as a self-contained HTML heat map (inline CSS, no scripts, no CDN):
the picture a policy analyst would rather look at than read. Shared by `chokepoint gaps
--format html` and `GET /v1/gaps?format=html`."""

from __future__ import annotations

import html

from schemas.result import Decision
from screener.gaps.analysis import BaselineMatrix

SHORT = {
    Decision.prohibited: "PROHIBITED",
    Decision.license_required: "LICENCE",
    Decision.review: "review",
    Decision.clear: "-",
    Decision.not_applicable: "n/a",
}
_HTML = {
    Decision.prohibited: "#7f0000",
    Decision.license_required: "#d7301f",
    Decision.review: "#fdbb84",
    Decision.clear: "#e5f5e0",
    Decision.not_applicable: "#f0f0f0",
}


def render_html(matrix: BaselineMatrix) -> str:
    """A self-contained heat map: one table per item class, hover text per cell."""
    esc = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>chokepoint gaps as of {matrix.as_of}</title><style>",
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}",
        "td,th{border:1px solid #999;padding:4px 8px;text-align:center;font-size:13px}",
        "caption{font-weight:bold;text-align:left}.legend span{padding:2px 8px;margin-right:6px}",
        "</style></head><body>",
        f"<h1>Which jurisdictions control what, as of {matrix.as_of}</h1>",
        "<p class='legend'>",
        *(f"<span style='background:{_HTML[d]}'>{esc(d.value)}</span>" for d in Decision),
        "</p>",
    ]
    for ic in matrix.item_classes:
        codes = ", ".join(f"{j}: {c}" for j, c in ic["control_codes"].items()) or "none given"
        parts.append(
            f"<table><caption>{esc(ic['title'])} — ECCN {esc(ic['eccn'])}; "
            f"classifications: {esc(codes)}</caption><tr><th>destination</th>"
        )
        parts += [f"<th>{esc(j)}</th>" for j in matrix.jurisdictions]
        parts.append("</tr>")
        for dest in matrix.destinations:
            parts.append(f"<tr><th>{esc(dest)}</th>")
            for j in matrix.jurisdictions:
                c = matrix.cell(ic["id"], dest, j)
                hover = f"{c.decision.value} (from {c.exporter_country}): {c.explanation}"
                if c.missing_facts:
                    hover += f" Missing: {', '.join(c.missing_facts)}"
                colour = "#fff" if c.decision == Decision.prohibited else "#000"
                parts.append(
                    f"<td style='background:{_HTML[c.decision]};color:{colour}' "
                    f"title='{esc(hover, quote=True)}'>{esc(SHORT[c.decision])}</td>"
                )
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("<h2>Profiles</h2><ul>")
    parts += [f"<li><b>{esc(j)}</b>: {esc(p)}</li>" for j, p in matrix.profiles.items()]
    parts.append("</ul></body></html>")
    return "\n".join(parts)
