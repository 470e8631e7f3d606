"""API keys: every endpoint but /healthz needs one, sent as `X-API-Key`; roles gate what it
may do (`admin` may do everything). Refusals say why: missing, unknown/revoked, or role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader

from screener.audit.keys import ApiKey

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="A key from `chokepoint keys create --role screen|author|review|admin`.",
)


def require(*roles: str) -> Callable[..., ApiKey]:
    """A dependency admitting keys whose role is one of `roles` (or admin)."""
    allowed = {*roles, "admin"}

    def check(request: Request, key: Annotated[str | None, Depends(api_key_header)]) -> ApiKey:
        if not key:
            raise HTTPException(
                401,
                "missing API key: send it in the X-API-Key header",
                {"WWW-Authenticate": "ApiKey"},
            )
        record: ApiKey | None = request.app.state.services.keys.verify(key)
        if record is None:
            raise HTTPException(401, "unknown or revoked API key", {"WWW-Authenticate": "ApiKey"})
        if record.role not in allowed:
            raise HTTPException(
                403,
                f"this key's role {record.role!r} may not do this; it needs "
                + " or ".join(sorted(allowed)),
            )
        return record

    return check


SCREEN = require("screen")
READ = require("screen", "author")
AUTHOR = require("author")
