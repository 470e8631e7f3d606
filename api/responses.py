"""The refusals each operation documents in the OpenAPI document, with the one error model
every refusal has (`api.errors.error_body`), so the document says what the service does."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    error: str = Field(description="one-line reason")
    problems: list[str] = Field(description="`field.path: message` lines; may be empty")


_WHY = {
    401: "missing, unknown or revoked API key",
    403: "the key's role may not do this",
    404: "no such resource (or not this key's)",
    409: "not ready yet (a batch job that has not started or finished)",
    413: "request body over CHOKEPOINT_MAX_BODY_BYTES, or a transaction over "
    "CHOKEPOINT_MAX_ITEMS / CHOKEPOINT_MAX_PARTIES",
    422: "invalid request: every bad field named in `problems`",
}


def refusals(*codes: int, **why: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these status codes (`why={"422": ...}` to say it better)."""
    return {
        code: {"model": ErrorBody, "description": why.get(f"_{code}", _WHY[code])} for code in codes
    }


# what every operation behind a key can answer
KEYED = refusals(401, 403, 413, 422)
