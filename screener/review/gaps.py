"""The gap heat map as rows for a page: the baseline matrix of `chokepoint gaps` (built by
`screener.gaps.analysis`), one grid per item class, each cell with its short label and the
explanation the HTML report gives as hover text (here also readable by keyboard)."""

from __future__ import annotations

from pydantic import BaseModel

from screener.gaps.analysis import BaselineMatrix
from screener.gaps.report import SHORT


class GapCell(BaseModel):
    jurisdiction: str
    decision: str
    short: str
    detail: str


class GapGrid(BaseModel):
    title: str
    eccn: str
    codes: str
    rows: list[tuple[str, list[GapCell]]]  # destination, a cell per jurisdiction


def gap_grids(matrix: BaselineMatrix) -> list[GapGrid]:
    grids = []
    for ic in matrix.item_classes:
        rows = []
        for dest in matrix.destinations:
            cells = []
            for j in matrix.jurisdictions:
                c = matrix.cell(ic["id"], dest, j)
                detail = f"{j} to {dest}: {c.decision.value} (from {c.exporter_country}). "
                detail += c.explanation
                if c.missing_facts:
                    detail += f" Missing: {', '.join(c.missing_facts)}"
                cells.append(
                    GapCell(
                        jurisdiction=j,
                        decision=c.decision.value,
                        short=SHORT[c.decision],
                        detail=detail,
                    )
                )
            rows.append((dest, cells))
        codes = ", ".join(f"{j}: {c}" for j, c in ic["control_codes"].items()) or "none given"
        grids.append(GapGrid(title=ic["title"], eccn=ic["eccn"], codes=codes, rows=rows))
    return grids
