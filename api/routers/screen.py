"""`POST /v1/screen`: one transaction in, its ScreeningResult out (or with `?view=compact` its
compact view), stored in the audit trail first (the stored record's id is in the `X-Screening-Id`
and `Location` headers); drafts in shadow mode see it afterwards, in the background."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response

from api.deps import ScreenKey, Svc
from api.responses import KEYED, refusals
from schemas.compact import CompactResult
from schemas.result import ScreeningResult
from schemas.transaction import Transaction
from screener.compact import compact

router = APIRouter(prefix="/v1", tags=["screening"], responses=KEYED)

_EXAMPLE = {
    "id": "EX-2026-0001",
    "date": "2026-08-03",
    "exporter": {"name": "Example Etch Systems Inc.", "country": "US"},
    "destination_country": "CN",
    "parties": [
        {
            "role": "ultimate_consignee",
            "name": "Example Semiconductor Manufacturing Co., Ltd.",
            "country": "CN",
        }
    ],
    "items": [
        {"description": "Isotropic dry etch tool", "eccn": "3B001.c.1.a", "origin_country": "US"},
        {
            "description": "Data-centre AI accelerator",
            "eccn": "3A090.a",
            "origin_country": "TW",
            "us_content_percent": 40,
            "parameters": {"tpp": 4992, "performance_density": 6.1},
        },
    ],
    "end_use": {"description": "Volume production of 28 nm logic", "categories": ["civil"]},
}


View = Literal["full", "compact"]


@router.post(
    "/screen",
    response_model=ScreeningResult | CompactResult,
    summary="Screen one transaction",
    responses=refusals(403, _403="the key's role may not screen"),
)
def screen_transaction(
    tx: Annotated[
        Transaction,
        Body(
            openapi_examples={
                "etch tool to China": {
                    "summary": "3B001.c.1.a etch tool and a 3A090 accelerator to China",
                    "value": _EXAMPLE,
                },
                "minimal": {
                    "summary": "The fewest fields: exporter, destination, one item",
                    "value": {
                        "exporter": {"name": "Acme", "country": "US"},
                        "destination_country": "DE",
                        "items": [{"eccn": "EAR99"}],
                    },
                },
            }
        ),
    ],
    key: ScreenKey,
    svc: Svc,
    view: Annotated[
        View,
        Query(
            description="`full`: the ScreeningResult (the record); `compact`: what decides "
            "(CompactResult, `chokepoint screen -f compact-json`), a tenth of the size. The "
            "audit trail stores the full result's digest either way."
        ),
    ] = "full",
) -> Response:
    """The ScreeningResult (or its compact view), stored in the audit trail first."""
    result = svc.screen(tx)
    # the JSON is made once, by pydantic's serializer, for the answer and the audit digest:
    # returned as a model, FastAPI would validate the whole result again and encode it with
    # the json module (about 9 ms of a 200 KB result, most of a request; bench/load.py)
    body = result.model_dump_json()
    # answered only once committed; concurrent requests share the commit
    screening_id = svc.recorder.record(
        tx, result, requested_by=key.label, source="api", result_json=body
    )
    svc.shadow(screening_id, tx, result)
    if view == "compact":
        body = compact(result, tx).model_dump_json()
    return Response(
        body,
        media_type="application/json",
        headers={
            "X-Screening-Id": str(screening_id),
            "Location": f"/v1/screenings/{screening_id}",
        },
    )
