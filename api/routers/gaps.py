"""`GET /v1/gaps`: the baseline gap matrix (item classes x destinations x jurisdictions) as of
a date, as JSON or as the HTML heat map. Per-transaction gaps come with `POST /v1/screen`."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from api.deps import ReadKey, Svc
from api.responses import KEYED
from schemas.transaction import IsoDate
from screener.gaps.analysis import BaselineMatrix, GapAnalyzer, MatrixBuilder, load_baseline
from screener.gaps.report import render_html

router = APIRouter(prefix="/v1", tags=["gaps"], responses=KEYED)


class GapFormat(StrEnum):
    json = "json"
    html = "html"


@router.get(
    "/gaps",
    response_model=BaselineMatrix,
    responses={200: {"content": {"text/html": {}}}},
)
def get_gaps(
    _key: ReadKey,
    svc: Svc,
    as_of: Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today")] = None,
    format: Annotated[GapFormat, Query(description="json or html")] = GapFormat.json,
) -> Response | BaselineMatrix:
    """For each covered item class and baseline destination, every jurisdiction's answer as
    if the item were exported from its territory (`rules/gaps/item_classes.yaml`), with the
    clauses and missing facts behind each cell and each jurisdiction's profile."""
    with svc.lock:  # the screener's caches are not shared across threads
        analyzer = GapAnalyzer.for_screener(svc.screener)
        matrix = MatrixBuilder(analyzer, load_baseline()).build(as_of or dt.date.today())
    if format == GapFormat.html:
        return HTMLResponse(render_html(matrix))
    return matrix
